// SPDX-License-Identifier: GPL-2.0-only
/*
 * list and types: what the GPUs are, what fits on them, what runs.
 */
#include <getopt.h>
#include <string.h>

#include "mvgpuctl.h"

static void mvctl_fmt_share(char *buf, size_t len, unsigned int permille)
{
	snprintf(buf, len, "%u.%u%%", permille / 10, permille % 10);
}

static void mvctl_fmt_cap(char *buf, size_t len, unsigned int cap)
{
	if (cap)
		snprintf(buf, len, "%u%%", cap);
	else
		snprintf(buf, len, "none");
}

static void mvctl_fmt_util(char *buf, size_t len, const struct mvctl_gpu *g)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < g->i.nengines_read && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u%%", i ? " " : "",
				g->i.engine_util_pct[i]);
	if (!g->i.nengines_read)
		snprintf(buf, len, "-");
}

static void mvctl_json_type(struct mvctl_json *j, const struct mvctl_gpu *g,
			    const struct mvgpu_type_info *t)
{
	mvctl_json_obj_begin(j, NULL);
	mvctl_json_str(j, "name", t->name);
	mvctl_json_str(j, "gpu", g->i.name);
	mvctl_json_u64(j, "divisor", t->divisor);
	mvctl_json_str(j, "label", t->pretty);
	mvctl_json_u64(j, "vram_size", t->vram_size);
	mvctl_json_u64(j, "share_permille", t->share_permille);
	mvctl_json_u64(j, "max_instances", t->max_instances);
	mvctl_json_u64(j, "available_instances", t->available);
	mvctl_json_str(j, "description", t->description);
	mvctl_json_str(j, "device_api", t->device_api);
	mvctl_json_obj_end(j);
}

static void mvctl_json_gpu(struct mvctl_json *j, const struct mvctl_gpu *g)
{
	char buf[sizeof(g->i.policies)], *tok, *save = NULL;
	unsigned int i;

	mvctl_json_obj_begin(j, NULL);
	mvctl_json_str(j, "name", g->i.name);
	mvctl_json_str(j, "backend", g->i.backend);
	mvctl_json_str(j, "parent", g->i.parent);
	mvctl_json_u64(j, "vram_size", g->i.vram_size);
	mvctl_json_u64(j, "vram_free", g->i.vram_free);
	mvctl_json_u64(j, "vram_releasing", g->i.vram_releasing);
	mvctl_json_u64(j, "engines", g->i.engines);
	mvctl_json_str(j, "scheduler", g->i.scheduler);
	mvctl_json_arr_begin(j, "policies");
	snprintf(buf, sizeof(buf), "%s", g->i.policies);
	for (tok = strtok_r(buf, " []", &save); tok;
	     tok = strtok_r(NULL, " []", &save))
		mvctl_json_str(j, NULL, tok);
	mvctl_json_arr_end(j);
	mvctl_json_u64(j, "timeslice_us", g->i.timeslice_us);
	mvctl_json_arr_begin(j, "engine_utilization");
	for (i = 0; i < g->i.nengines_read; i++)
		mvctl_json_u64(j, NULL, g->i.engine_util_pct[i]);
	mvctl_json_arr_end(j);
	mvctl_json_arr_begin(j, "engine_busy_ns");
	for (i = 0; i < g->i.nengines_read; i++)
		mvctl_json_u64(j, NULL, g->i.engine_busy_ns[i]);
	mvctl_json_arr_end(j);
	mvctl_json_u64(j, "vgpus", g->i.nvgpus);
	mvctl_json_arr_begin(j, "types");
	for (i = 0; i < g->i.ntypes; i++)
		mvctl_json_type(j, g, &g->types[i]);
	mvctl_json_arr_end(j);
	mvctl_json_obj_end(j);
}

static void mvctl_print_types(struct mvctl_sys *sys, const struct mvctl_gpu *only)
{
	struct mvctl_table *t;
	char vram[32], share[16];
	unsigned int i, k;

	t = mvctl_table_new("llllrrr", "TYPE", "GPU", "NAME", "VRAM", "SHARE",
			    "MAX", "AVAILABLE");
	for (i = 0; i < sys->ngpus; i++) {
		const struct mvctl_gpu *g = &sys->gpus[i];

		if (only && only != g)
			continue;
		for (k = 0; k < g->i.ntypes; k++) {
			const struct mvgpu_type_info *ty = &g->types[k];

			mvctl_fmt_share(share, sizeof(share), ty->share_permille);
			mvctl_table_cell(t, "%s", ty->name);
			mvctl_table_cell(t, "%s", g->i.name);
			mvctl_table_cell(t, "%s", ty->pretty);
			mvctl_table_cell(t, "%s", mvctl_fmt_bytes(vram, sizeof(vram),
								  ty->vram_size));
			mvctl_table_cell(t, "%s", share);
			mvctl_table_cell(t, "%u", ty->max_instances);
			mvctl_table_cell(t, "%u", ty->available);
		}
	}
	mvctl_table_print(t, stdout);
	mvctl_table_free(t);
}

static void mvctl_print_vgpus(struct mvctl_sys *sys,
			      const struct mvctl_gpu *only)
{
	struct mvctl_table *t;
	char owner[64], cap[16];
	unsigned int i;

	if (!sys->nvgpus) {
		printf("No vGPUs. Create one with 'mvgpuctl create --type mvgpu-4'.\n");
		return;
	}
	t = mvctl_table_new("llllllrll", "UUID", "TYPE", "GPU", "STATE", "OWNER",
			    "VRAM", "WEIGHT", "PRIORITY", "CAP");
	for (i = 0; i < sys->nvgpus; i++) {
		const struct mvctl_vgpu *v = &sys->vgpus[i];
		char vram[32];

		if (only && strcmp(v->i.gpu, only->i.name))
			continue;
		mvctl_fmt_cap(cap, sizeof(cap), v->i.cap_pct);
		mvctl_table_cell(t, "%s", v->i.uuid);
		mvctl_table_cell(t, "%s", v->i.type);
		mvctl_table_cell(t, "%s", v->i.gpu);
		mvctl_table_cell(t, "%s", v->i.state);
		mvctl_table_cell(t, "%s", mvctl_fmt_owner(owner, sizeof(owner), v));
		mvctl_table_cell(t, "%s", mvctl_fmt_bytes(vram, sizeof(vram),
							  v->i.vram_size));
		mvctl_table_cell(t, "%u", v->i.weight);
		mvctl_table_cell(t, "%s", v->i.priority);
		mvctl_table_cell(t, "%s", cap);
	}
	mvctl_table_print(t, stdout);
	mvctl_table_free(t);
}

/* --parent GPU: the option of list, types and stats */
int mvctl_parent_opt(int opt, const char *arg, void *ctx)
{
	const char **parent = ctx;

	if (opt == 'p') {
		*parent = arg;
		return MVCTL_EXIT_OK;
	}
	return MVCTL_EXIT_USAGE;
}

int mvctl_cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_gpu *only = NULL;
	const char *parent = NULL;
	struct mvctl_table *t;
	struct mvctl_sys sys;
	struct mvctl_json j;
	unsigned int i;
	int ret, first;

	ret = mvctl_getopt("list", argc, argv, "p:", opts, mvctl_parent_opt,
			   &parent, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first < argc)
		return mvctl_usage_fail("list", "list: unexpected argument '%s'",
					argv[first]);
	if (mvctl_guest_present())	/* inside a VM */
		return mvctl_guest_list();
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	if (parent) {
		ret = mvctl_lookup_gpu(&sys, parent, &only);
		if (ret) {
			mvctl_sys_free(&sys);
			return ret;
		}
	}

	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_arr_begin(&j, "gpus");
		for (i = 0; i < sys.ngpus; i++)
			if (!only || only == &sys.gpus[i])
				mvctl_json_gpu(&j, &sys.gpus[i]);
		mvctl_json_arr_end(&j);
		mvctl_json_arr_begin(&j, "vgpus");
		for (i = 0; i < sys.nvgpus; i++)
			if (!only || !strcmp(sys.vgpus[i].i.gpu, only->i.name))
				mvctl_json_vgpu(&j, &sys.vgpus[i]);
		mvctl_json_arr_end(&j);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
		mvctl_sys_free(&sys);
		return MVCTL_EXIT_OK;
	}

	t = mvctl_table_new("lllllllrrl", "GPU", "BACKEND", "VRAM", "FREE",
			    "SCHEDULER", "SLICE", "UTIL", "ENGINES", "VGPUS",
			    "PARENT");
	for (i = 0; i < sys.ngpus; i++) {
		const struct mvctl_gpu *g = &sys.gpus[i];
		char vram[32], vfree[32], slice[32], util[64];

		if (only && only != g)
			continue;
		mvctl_fmt_util(util, sizeof(util), g);
		mvctl_table_cell(t, "%s", g->i.name);
		mvctl_table_cell(t, "%s", g->i.backend);
		mvctl_table_cell(t, "%s", mvctl_fmt_bytes(vram, sizeof(vram),
							  g->i.vram_size));
		mvctl_table_cell(t, "%s", mvctl_fmt_bytes(vfree, sizeof(vfree),
							  g->i.vram_free));
		mvctl_table_cell(t, "%s", g->i.scheduler);
		mvctl_table_cell(t, "%s", mvctl_fmt_ns(slice, sizeof(slice),
						       g->i.timeslice_us * 1000ULL));
		mvctl_table_cell(t, "%s", util);
		mvctl_table_cell(t, "%u", g->i.engines);
		mvctl_table_cell(t, "%u", g->i.nvgpus);
		mvctl_table_cell(t, "%s", g->i.parent);
	}
	mvctl_table_print(t, stdout);
	mvctl_table_free(t);
	for (i = 0; i < sys.ngpus; i++) {
		uint64_t held = sys.gpus[i].i.vram_releasing;
		char b[32];

		if (held)
			printf("%s: %s of VRAM held by vGPUs being removed (waiting for their clients to close them)\n",
			       sys.gpus[i].i.name, mvctl_fmt_bytes(b, sizeof(b), held));
	}
	putchar('\n');
	mvctl_print_types(&sys, only);
	putchar('\n');
	mvctl_print_vgpus(&sys, only);
	mvctl_sys_free(&sys);
	return MVCTL_EXIT_OK;
}

int mvctl_cmd_types(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *parent = NULL;
	struct mvctl_gpu *only = NULL;
	struct mvctl_sys sys;
	struct mvctl_json j;
	unsigned int i, k;
	int ret, first;

	ret = mvctl_getopt("types", argc, argv, "p:", opts, mvctl_parent_opt,
			   &parent, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first < argc)
		return mvctl_usage_fail("types", "types: unexpected argument '%s' (use --parent GPU)",
					argv[first]);
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	if (parent) {
		ret = mvctl_lookup_gpu(&sys, parent, &only);
		if (ret) {
			mvctl_sys_free(&sys);
			return ret;
		}
	}

	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_arr_begin(&j, "types");
		for (i = 0; i < sys.ngpus; i++) {
			if (only && only != &sys.gpus[i])
				continue;
			for (k = 0; k < sys.gpus[i].i.ntypes; k++)
				mvctl_json_type(&j, &sys.gpus[i],
						&sys.gpus[i].types[k]);
		}
		mvctl_json_arr_end(&j);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else {
		mvctl_print_types(&sys, only);
	}
	mvctl_sys_free(&sys);
	return MVCTL_EXIT_OK;
}
