// SPDX-License-Identifier: GPL-2.0-only
/*
 * set and policy: the scheduler knobs of a vGPU and of a GPU.
 *
 * Both are all or nothing: every value is checked against the ranges the
 * module enforces (include/mvgpu_uapi.h) before anything is written, every
 * attribute is opened for writing before the first write (so a permission
 * problem changes nothing), and if the kernel still refuses one write the
 * knobs already written get their old values back.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "mvgpuctl.h"
#include "mvgpu_uapi.h"

struct mvctl_knob {
	const char *name;
	char value[32];
	char old[32];
	char path[PATH_MAX];
	int fd;
};

/* Open every knob's attribute, or none; an exit code */
static int mvctl_knobs_open(struct mvctl_knob *k, unsigned int n,
			    const char *what)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		k[i].fd = -1;
	for (i = 0; i < n; i++) {
		k[i].fd = open(k[i].path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (k[i].fd < 0) {
			ret = mvctl_write_error(-errno, k[i].path, what);
			while (i--)
				close(k[i].fd);
			return ret;
		}
	}
	return MVCTL_EXIT_OK;
}

/* Write the opened knobs in order; on a refusal put the others back */
static int mvctl_knobs_write(struct mvctl_knob *k, unsigned int n,
			     const char *what)
{
	unsigned int i, done;
	int ret = MVCTL_EXIT_OK, err = 0;
	ssize_t w;

	for (i = 0; i < n; i++) {
		size_t len = strlen(k[i].value);

		do {
			w = write(k[i].fd, k[i].value, len);
		} while (w < 0 && errno == EINTR);
		if (w < 0 || (size_t)w != len) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
	}
	done = i;
	for (i = 0; i < n; i++)
		close(k[i].fd);
	if (done == n)
		return MVCTL_EXIT_OK;

	ret = mvctl_write_error(err, k[done].path, what);
	for (i = 0; i < done; i++) {
		int r = mvctl_write_attr(k[i].path, k[i].old);

		if (r)
			mvctl_warn("could not put %s back to '%s' (%s): check it with 'mvgpuctl list'",
				   k[i].name, k[i].old, strerror(-r));
	}
	if (done)
		mvctl_warn("%s: nothing was changed", what);
	return ret;
}

int mvctl_cmd_set(int argc, char **argv)
{
	static const char *const names[] = { MVGPU_ATTR_WEIGHT,
					     MVGPU_ATTR_PRIORITY,
					     MVGPU_ATTR_CAP };
	struct mvctl_knob knobs[3];
	struct mvctl_vgpu *v;
	struct mvctl_sys sys;
	unsigned int n = 0, i;
	int ret, first, a;
	uint64_t val;

	ret = mvctl_getopt("set", argc, argv, "", NULL, NULL, NULL, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first >= argc)
		return mvctl_usage_fail("set", "set: which vGPU? Give its UUID, then weight=N, priority=normal|high and/or cap=P");
	if (first + 1 >= argc)
		return mvctl_usage_fail("set", "set: nothing to set: give weight=1..1000, priority=normal|high and/or cap=0..100");

	memset(knobs, 0, sizeof(knobs));
	for (a = first + 1; a < argc; a++) {
		const char *arg = argv[a], *eq = strchr(arg, '=');
		const char *value;
		size_t klen;
		unsigned int idx;
		char buf[32];

		if (!eq)
			return mvctl_usage_fail("set", "set: '%s' is not KEY=VALUE (weight=N, priority=normal|high, cap=P)",
						arg);
		klen = eq - arg;
		value = eq + 1;
		for (idx = 0; idx < 3; idx++)
			if (strlen(names[idx]) == klen &&
			    !strncmp(arg, names[idx], klen))
				break;
		if (idx == 3)
			return mvctl_usage_fail("set", "set: unknown knob '%.*s': the knobs are weight, priority and cap",
						(int)klen, arg);
		for (i = 0; i < n; i++)
			if (!strcmp(knobs[i].name, names[idx]))
				return mvctl_usage_fail("set", "set: %s given twice",
							names[idx]);
		switch (idx) {
		case 0:
			if (mvctl_parse_u64(value, MVGPU_WEIGHT_MIN,
					    MVGPU_WEIGHT_MAX, &val))
				return mvctl_usage_fail("set", "set: weight must be an integer in %u..%u, not '%s'",
							MVGPU_WEIGHT_MIN,
							MVGPU_WEIGHT_MAX, value);
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)val);
			break;
		case 1:
			if (strcmp(value, "normal") && strcmp(value, "high"))
				return mvctl_usage_fail("set", "set: priority must be normal or high, not '%s'",
							value);
			snprintf(buf, sizeof(buf), "%s", value);
			break;
		default:
			snprintf(buf, sizeof(buf), "%s", value);
			if (*buf && buf[strlen(buf) - 1] == '%')
				buf[strlen(buf) - 1] = '\0';
			if (mvctl_parse_u64(buf, 0, 100, &val))
				return mvctl_usage_fail("set", "set: cap must be a percentage in 0..100 (0 = no cap), not '%s'",
							value);
			snprintf(buf, sizeof(buf), "%llu",
				 (unsigned long long)val);
			break;
		}
		knobs[n].name = names[idx];
		snprintf(knobs[n].value, sizeof(knobs[n].value), "%s", buf);
		n++;
	}

	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvctl_lookup_vgpu(&sys, argv[first], &v);
	if (ret)
		goto out;
	for (i = 0; i < n; i++) {
		mvctl_path(knobs[i].path, "/bus/mdev/devices/%s/mvgpu/%s",
			   v->uuid, knobs[i].name);
		if (!strcmp(knobs[i].name, MVGPU_ATTR_WEIGHT))
			snprintf(knobs[i].old, sizeof(knobs[i].old), "%u",
				 v->weight);
		else if (!strcmp(knobs[i].name, MVGPU_ATTR_PRIORITY))
			snprintf(knobs[i].old, sizeof(knobs[i].old), "%s",
				 v->priority);
		else
			snprintf(knobs[i].old, sizeof(knobs[i].old), "%u",
				 v->cap);
	}
	ret = mvctl_knobs_open(knobs, n, "set");
	if (!ret)
		ret = mvctl_knobs_write(knobs, n, "set");
out:
	mvctl_sys_free(&sys);
	return ret;
}

static const char *const mvctl_policies[] = {
	"best_effort", "equal_share", "fixed_share",
};

struct mvctl_policy_args {
	const char *timeslice;
};

static int mvctl_policy_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_policy_args *a = ctx;

	if (opt == 't') {
		a->timeslice = arg;
		return MVCTL_EXIT_OK;
	}
	return MVCTL_EXIT_USAGE;
}

static int mvctl_policy_show(const struct mvctl_gpu *g)
{
	struct mvctl_json j;
	char slice[32];

	if (!mvctl_opts.json) {
		printf("%s: scheduler %s, time slice %s (policies: %s)\n",
		       g->name, g->scheduler,
		       mvctl_fmt_ns(slice, sizeof(slice),
				    g->timeslice_us * 1000ULL),
		       g->policies);
		return MVCTL_EXIT_OK;
	}
	mvctl_json_init(&j, stdout, true);
	mvctl_json_obj_begin(&j, NULL);
	mvctl_json_str(&j, "gpu", g->name);
	mvctl_json_str(&j, "scheduler", g->scheduler);
	mvctl_json_u64(&j, "timeslice_us", g->timeslice_us);
	mvctl_json_obj_end(&j);
	mvctl_json_end(&j);
	return MVCTL_EXIT_OK;
}

int mvctl_cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeslice", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_policy_args a = { NULL };
	struct mvctl_knob knobs[2];
	const char *policy = NULL;
	struct mvctl_gpu *g;
	struct mvctl_sys sys;
	unsigned int n = 0, i;
	uint64_t us = 0;
	int ret, first;

	ret = mvctl_getopt("policy", argc, argv, "", opts, mvctl_policy_opt,
			   &a, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first >= argc)
		return mvctl_usage_fail("policy", "policy: which GPU? Give its name (mvgpu0), then best_effort, equal_share or fixed_share");
	if (first + 2 < argc)
		return mvctl_usage_fail("policy", "policy: unexpected argument '%s'",
					argv[first + 2]);
	if (first + 1 < argc) {
		policy = argv[first + 1];
		for (i = 0; i < 3; i++)
			if (!strcmp(policy, mvctl_policies[i]))
				break;
		if (i == 3)
			return mvctl_usage_fail("policy", "policy: unknown policy '%s': use best_effort, equal_share or fixed_share",
						policy);
	}
	if (a.timeslice) {
		ret = mvctl_parse_milli(a.timeslice, &us);
		if (ret == -EDOM)
			return mvctl_usage_fail("policy", "policy: --timeslice %s is finer than the 0.001 ms (1 us) resolution",
						a.timeslice);
		if (ret || us < MVGPU_TIMESLICE_MIN_US ||
		    us > MVGPU_TIMESLICE_MAX_US)
			return mvctl_usage_fail("policy", "policy: --timeslice must be milliseconds in 0.1..100 (e.g. 0.5 or 2), not '%s'",
						a.timeslice);
	}

	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvctl_lookup_gpu(&sys, argv[first], &g);
	if (ret)
		goto out;
	if (!policy && !a.timeslice) {
		ret = mvctl_policy_show(g);
		goto out;
	}
	memset(knobs, 0, sizeof(knobs));
	if (policy) {
		knobs[n].name = "scheduler";
		snprintf(knobs[n].value, sizeof(knobs[n].value), "%s", policy);
		snprintf(knobs[n].old, sizeof(knobs[n].old), "%s",
			 g->scheduler);
		mvctl_path(knobs[n].path, "/class/mvgpu/%s/%s", g->name,
			   MVGPU_ATTR_SCHEDULER);
		n++;
	}
	if (a.timeslice) {
		knobs[n].name = "timeslice_us";
		snprintf(knobs[n].value, sizeof(knobs[n].value), "%llu",
			 (unsigned long long)us);
		snprintf(knobs[n].old, sizeof(knobs[n].old), "%u",
			 g->timeslice_us);
		mvctl_path(knobs[n].path, "/class/mvgpu/%s/%s", g->name,
			   MVGPU_ATTR_TIMESLICE_US);
		n++;
	}
	ret = mvctl_knobs_open(knobs, n, "policy");
	if (!ret)
		ret = mvctl_knobs_write(knobs, n, "policy");
out:
	mvctl_sys_free(&sys);
	return ret;
}
