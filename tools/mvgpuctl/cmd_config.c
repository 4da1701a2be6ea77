// SPDX-License-Identifier: GPL-2.0-only
/*
 * set and policy: the scheduler knobs of a vGPU and of a GPU.
 *
 * Both are all or nothing (mvgpu_admin_set_knobs, mvgpu_admin_set_policy
 * check every value, open every file, and put back what was written when
 * the kernel refuses a write).  Here: parsing into their structs, with
 * the messages an operator needs for a bad argument.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "mvgpuctl.h"
#include "mvgpu_uapi.h"

/* The exit code and message of a knob write the library refused */
static int mvctl_knob_error(int err, const char *what)
{
	if (err == -ENOENT)
		return mvctl_fail(MVCTL_EXIT_NOTFOUND, "%s: %s: see 'mvgpuctl list'",
				  what, mvgpu_last_error());
	return mvctl_lib_error(err, what);
}

int mvctl_cmd_set(int argc, char **argv)
{
	static const char *const names[] = { MVGPU_ATTR_WEIGHT,
					     MVGPU_ATTR_PRIORITY,
					     MVGPU_ATTR_CAP };
	static const uint32_t bits[] = { MVGPU_KNOB_WEIGHT,
					 MVGPU_KNOB_PRIORITY, MVGPU_KNOB_CAP };
	struct mvgpu_knobs k;
	struct mvctl_vgpu *v;
	struct mvctl_sys sys;
	int ret, first, a;
	uint64_t val;

	ret = mvctl_getopt("set", argc, argv, "", NULL, NULL, NULL, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first >= argc)
		return mvctl_usage_fail("set", "set: which vGPU? Give its UUID, then weight=N, priority=normal|high and/or cap=P");
	if (first + 1 >= argc)
		return mvctl_usage_fail("set", "set: nothing to set: give weight=1..1000, priority=normal|high and/or cap=0..100");

	memset(&k, 0, sizeof(k));
	k.size = sizeof(k);
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
		if (k.mask & bits[idx])
			return mvctl_usage_fail("set", "set: %s given twice",
						names[idx]);
		k.mask |= bits[idx];
		switch (idx) {
		case 0:
			if (mvctl_parse_u64(value, MVGPU_WEIGHT_MIN,
					    MVGPU_WEIGHT_MAX, &val))
				return mvctl_usage_fail("set", "set: weight must be an integer in %u..%u, not '%s'",
							MVGPU_WEIGHT_MIN,
							MVGPU_WEIGHT_MAX, value);
			k.weight = (uint32_t)val;
			break;
		case 1:
			if (strcmp(value, MVGPU_PRIO_NAME_NORMAL) &&
			    strcmp(value, MVGPU_PRIO_NAME_HIGH))
				return mvctl_usage_fail("set", "set: priority must be normal or high, not '%s'",
							value);
			mvctl_strlcpy(k.priority, value, sizeof(k.priority));
			break;
		default:
			mvctl_strlcpy(buf, value, sizeof(buf));
			if (*buf && buf[strlen(buf) - 1] == '%')
				buf[strlen(buf) - 1] = '\0';
			if (mvctl_parse_u64(buf, 0, 100, &val))
				return mvctl_usage_fail("set", "set: cap must be a percentage in 0..100 (0 = no cap), not '%s'",
							value);
			k.cap_pct = (uint32_t)val;
			break;
		}
	}

	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	ret = mvctl_lookup_vgpu(&sys, argv[first], &v);
	if (!ret) {
		ret = mvgpu_admin_set_knobs(sys.a, v->i.uuid, &k);
		ret = ret ? mvctl_knob_error(ret, "set") : MVCTL_EXIT_OK;
	}
	if (!ret)
		mvctl_json_ok("set", "uuid", v->i.uuid);
	mvctl_sys_free(&sys);
	return ret;
}

static const char *const mvctl_policies[] = {
	MVGPU_POLICY_NAME_BEST_EFFORT, MVGPU_POLICY_NAME_EQUAL_SHARE,
	MVGPU_POLICY_NAME_FIXED_SHARE,
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

static int mvctl_policy_show(const struct mvgpu_gpu_info *g)
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
	struct mvgpu_policy p;
	const char *policy = NULL;
	struct mvctl_gpu *g;
	struct mvctl_sys sys;
	unsigned int i;
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
		ret = mvctl_policy_show(&g->i);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	if (policy) {
		p.mask |= MVGPU_POLICY_SCHEDULER;
		mvctl_strlcpy(p.scheduler, policy, sizeof(p.scheduler));
	}
	if (a.timeslice) {
		p.mask |= MVGPU_POLICY_TIMESLICE;
		p.timeslice_us = (uint32_t)us;
	}
	ret = mvgpu_admin_set_policy(sys.a, g->i.name, &p);
	if (ret) {
		ret = mvctl_knob_error(ret, "policy");
		goto out;
	}
	if (mvctl_opts.json) {
		struct mvgpu_gpu_info now = { .size = sizeof(now) };

		/* the library refreshed its snapshot after writing */
		mvgpu_admin_find_gpu(sys.a, g->i.name, &now);
		ret = mvctl_policy_show(&now);
	}
out:
	mvctl_sys_free(&sys);
	return ret;
}
