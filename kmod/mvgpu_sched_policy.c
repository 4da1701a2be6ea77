// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduling policies.  The core (mvgpu_sched.c) always runs the runnable
 * vGPU with the highest priority and then the least virtual runtime, and
 * keeps a vGPU off the engines while it is over its rate.  A policy only
 * says what weight scales a vGPU's virtual runtime and what rate, if any,
 * bounds it:
 *
 *   best_effort  weight = the vGPU's weight; rate = its cap (if any).
 *                Work conserving: idle shares go to whoever has work.
 *   equal_share  weight = 1 for everybody; rate = the cap (if any).
 *   fixed_share  weight = the type's share; rate = the type's share (or
 *                the cap, if lower).  Not work conserving: a vGPU never
 *                gets more than its share, even on an idle GPU.
 */
#include "mvgpu.h"

static u32 mvgpu_cap_rate(const struct mvgpu_sched_entity *se)
{
	return se->cap_pct * 10;
}

static u32 mvgpu_best_effort_weight(const struct mvgpu_sched_entity *se)
{
	return se->weight;
}

static u32 mvgpu_equal_share_weight(const struct mvgpu_sched_entity *se)
{
	return 1;
}

static u32 mvgpu_fixed_share_weight(const struct mvgpu_sched_entity *se)
{
	return se->share_permille;
}

static u32 mvgpu_fixed_share_rate(const struct mvgpu_sched_entity *se)
{
	u32 cap = mvgpu_cap_rate(se);

	return cap ? min(cap, se->share_permille) : se->share_permille;
}

static const struct mvgpu_sched_policy_ops mvgpu_best_effort_ops = {
	.name		= MVGPU_POLICY_NAME_BEST_EFFORT,
	.weight		= mvgpu_best_effort_weight,
	.rate_permille	= mvgpu_cap_rate,
};

static const struct mvgpu_sched_policy_ops mvgpu_equal_share_ops = {
	.name		= MVGPU_POLICY_NAME_EQUAL_SHARE,
	.weight		= mvgpu_equal_share_weight,
	.rate_permille	= mvgpu_cap_rate,
};

static const struct mvgpu_sched_policy_ops mvgpu_fixed_share_ops = {
	.name		= MVGPU_POLICY_NAME_FIXED_SHARE,
	.weight		= mvgpu_fixed_share_weight,
	.rate_permille	= mvgpu_fixed_share_rate,
};

const struct mvgpu_sched_policy_ops *const
mvgpu_sched_policies[MVGPU_NUM_POLICIES] = {
	[MVGPU_POLICY_BEST_EFFORT]	= &mvgpu_best_effort_ops,
	[MVGPU_POLICY_EQUAL_SHARE]	= &mvgpu_equal_share_ops,
	[MVGPU_POLICY_FIXED_SHARE]	= &mvgpu_fixed_share_ops,
};
