// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module whose only job is to put a WARN in the kernel log when loaded,
 * so the harness self-test can check that such a run fails.  It is built
 * separately from mvgpu.ko and only ever loaded by that test.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init mvgpu_selftest_warn_init(void)
{
	WARN(1, "mvgpu harness self-test: a deliberate warning\n");
	return 0;
}

static void __exit mvgpu_selftest_warn_exit(void)
{
}

module_init(mvgpu_selftest_warn_init);
module_exit(mvgpu_selftest_warn_exit);
MODULE_LICENSE("GPL v2");
MODULE_DESCRIPTION("mvgpu harness self-test: warns on load");
