// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpuctl main: global options, the command table, help and exit codes.
 * Each command lives in its cmd_*.c file and returns an MVCTL_EXIT_* code.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

#define MVCTL_VERSION	"1.0"

struct mvctl_opts mvctl_opts;

struct mvctl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;	/* after the command name */
	const char *summary;
	const char *details;	/* for "mvgpuctl CMD --help" */
};

static const struct mvctl_cmd mvctl_cmds[] = {
	{ "list", mvctl_cmd_list, "[--parent GPU] [--json]",
	  "physical GPUs, their vGPU types and every vGPU",
	  "GPUs: backend, VRAM, free VRAM, engines, scheduler policy, time slice\n"
	  "and engine utilisation (per engine, last second). Types: VRAM, engine\n"
	  "share and how many more instances fit. vGPUs: UUID, type, GPU, state\n"
	  "(closed, open or faulted) and owner (PID and command of the process\n"
	  "that has it open, and the VM's name when that is QEMU started with\n"
	  "-name), weight, priority and cap.\n"
	  "  --parent GPU   only this GPU, its types and its vGPUs\n" },
	{ "types", mvctl_cmd_types, "[--parent GPU] [--json]",
	  "vGPU types and available instances",
	  "  --parent GPU   only this GPU (mvgpu0, or just 0)\n" },
	{ "create", mvctl_cmd_create,
	  "--type TYPE [--parent GPU] [--uuid UUID] [--json]",
	  "create a vGPU and print its UUID",
	  "  --type TYPE    mvgpu-1, mvgpu-2, mvgpu-4 ... mvgpu-64; also as 4 or 1/4\n"
	  "  --parent GPU   the physical GPU (default: the one with the most free\n"
	  "                 VRAM that can take the type)\n"
	  "  --uuid UUID    the vGPU's UUID (default: a new random one)\n" },
	{ "remove", mvctl_cmd_remove, "[--no-wait] UUID",
	  "remove a vGPU",
	  "Removing a vGPU that a client (a VM, a program) has open waits until\n"
	  "the client closes it; mvgpuctl says so on stderr before it waits.\n"
	  "  --no-wait      refuse (exit 7) instead of waiting when it is open\n" },
	{ "set", mvctl_cmd_set,
	  "UUID [weight=1..1000] [priority=normal|high] [cap=0..100]",
	  "change a vGPU's scheduling knobs",
	  "Any subset of the knobs; all are checked before any is written, and\n"
	  "either every one is changed or none.\n"
	  "  weight=N       share under best_effort, 1..1000 (default: the type's\n"
	  "                 VRAM slices, 64 for mvgpu-1 down to 1 for mvgpu-64)\n"
	  "  priority=P     normal or high: high runs first, preempting at the next\n"
	  "                 chunk\n"
	  "  cap=P          at most P percent of the GPU's engine time, 0 = no cap\n" },
	{ "policy", mvctl_cmd_policy,
	  "GPU [best_effort|equal_share|fixed_share] [--timeslice MS]",
	  "show or set a GPU's scheduler policy and time slice",
	  "Without a policy or --timeslice, shows the current ones.\n"
	  "  best_effort    weighted fair share by virtual runtime; idle share\n"
	  "                 goes to whoever has work (default)\n"
	  "  equal_share    the same share for every busy vGPU, whatever its weight\n"
	  "  fixed_share    exactly the type's share, even when the GPU is idle\n"
	  "  --timeslice MS time slice in milliseconds, 0.1..100, e.g. 0.5\n"
	  "                 (resolution 0.001; default 2)\n" },
	{ "stats", mvctl_cmd_stats, "[UUID] [--parent GPU] [--json]",
	  "a vGPU's counters (or every vGPU's) in human units",
	  "busy and wait time, virtual runtime, slices, preemptions, longest\n"
	  "wait, commands, bytes, faults, VRAM page faults, interrupts; and the\n"
	  "meter: engine time, DMA time and bytes, commands, faults and VRAM\n"
	  "held (byte-seconds), totals for billing. Read from sysfs: works on a\n"
	  "vGPU a VM or another program has open.\n"
	  "--json gives the raw counters (ns, bytes, counts): \"stats\" and\n"
	  "\"meter\" per vGPU.\n"
	  "  --parent GPU   only the vGPUs of this GPU\n" },
	{ "usage", mvctl_cmd_usage, "[--parent GPU] [--no-ack] [--json]",
	  "final meters of removed vGPUs, then acknowledge them",
	  "When a vGPU is removed its meter stays with its GPU until read here.\n"
	  "Prints every record (GPU, sequence number, UUID, type, engine and DMA\n"
	  "time, DMA bytes, commands, faults, VRAM byte-seconds) and then\n"
	  "acknowledges it, so the next run shows only newer ones. A GPU keeps\n"
	  "64 records; older ones are dropped and counted when nobody reads.\n"
	  "  --parent GPU   only this GPU\n"
	  "  --no-ack       print without acknowledging (shows the oldest page)\n" },
	{ "snapshot", mvctl_cmd_snapshot, "DIR [--json]",
	  "copy the sysfs files mvgpuctl reads into DIR",
	  "DIR then serves as a --sysfs-root (or MVGPU_SYSFS_ROOT): the same\n"
	  "GPUs, types and vGPUs, frozen, for a bug report or a test. Use this\n"
	  "rather than cp -rL, which does not keep what a vGPU's type is.\n" },
	{ "cdi", mvctl_cmd_cdi, "[--output FILE]",
	  "a CDI spec naming every vGPU, for podman and other runtimes",
	  "A Container Device Interface spec (JSON) with one device per vGPU,\n"
	  "named by its UUID, kind mvgpu.org/vgpu: the device nodes\n"
	  "/dev/vfio/vfio and /dev/vfio/GROUP (the vGPU's IOMMU group) and\n"
	  "MVGPU_UUID=UUID in the environment, which libmvgpu and mvgpuctl run\n"
	  "use when no UUID is given. Then:\n"
	  "  mvgpuctl cdi --output /etc/cdi/mvgpu.json\n"
	  "  podman run --device mvgpu.org/vgpu=UUID IMAGE mvgpuctl run ...\n"
	  "Write it again after creating or removing vGPUs.\n"
	  "  --output FILE  write FILE (atomically) instead of stdout\n" },
	{ "bind", mvctl_cmd_bind, "[--driver NAME] PCI-ADDR",
	  "make a PCI device a GPU: give it to an mvgpu backend driver",
	  "Sets the device's driver_override to the driver and binds it, as one\n"
	  "gives a device to vfio-pci; the driver's module must be loaded. Only a\n"
	  "device that no driver has: one another driver holds is refused (exit 7)\n"
	  "and left alone. Prints the parent and the GPU it became; its vGPU types\n"
	  "are then under /sys/bus/pci/devices/ADDR/mdev_supported_types, and\n"
	  "--parent takes the address or the GPU's name. Bound already: exit 0.\n"
	  "  --driver NAME  the backend driver (default: mvgpu, the bochs backend)\n" },
	{ "unbind", mvctl_cmd_unbind, "[--force] PCI-ADDR",
	  "take a PCI device back from its mvgpu backend driver",
	  "Unbinds the device and clears its driver_override, so no driver has it.\n"
	  "Refused (exit 7) while vGPUs exist on its GPU.\n"
	  "  --force        unbind anyway: the kernel removes every vGPU of the GPU\n"
	  "                 first, asking each user to let go and waiting until it\n"
	  "                 has (a VM's VFIO request), so this can wait as long as\n"
	  "                 a user holds on; VRAM is never taken from a user\n" },
	{ "top", mvctl_cmd_top, "[-n N] [--json]",
	  "live engine use per vGPU and per GPU, every second",
	  "On a terminal: a screen refreshed every second until q or Ctrl-C.\n"
	  "Otherwise, or with -n: N plain snapshots (default 1), one per second.\n"
	  "  -n, --iterations N   print N snapshots and exit\n"
	  "  --json               one JSON object per line and snapshot\n"
	  "Per vGPU: SHARE of the engine time used on its GPU in the interval,\n"
	  "BUSY engine time as a percentage of the GPU (all engines), commands/s,\n"
	  "bytes/s, WAIT (runnable without an engine, percent of the interval),\n"
	  "faults. Per GPU: utilisation of each engine in the interval.\n" },
	{ "run", mvctl_cmd_run,
	  "[UUID|PCI-ADDR] --workload gemm|copy|mixed|fill|dma|faulty --seconds S [--json]",
	  "run a verified workload on a vGPU through libmvgpu",
	  "Inside a VM, name the vGPU by its PCI address or /dev/mvgpu node.\n"
	  "Without one: the vGPU MVGPU_UUID names (as in a container given a\n"
	  "vGPU through CDI). Submits work for S seconds (fractions allowed, at most 3600) and checks\n"
	  "its results. Prints operations, bytes, throughput and errors; exits 8\n"
	  "on any mismatch or fault (faulty: on a fault that is not as expected).\n"
	  "gemm, copy and mixed check every result against a CPU reference:\n"
	  "  --workload gemm   int32 matrix multiplications\n"
	  "  --workload copy   fills, copies and DMA to and from host memory\n"
	  "  --workload mixed  both, interleaved\n"
	  "  --workload dma    host memory to VRAM and back, every byte checked\n"
	  "  --workload fill   keeps the vGPU busy: batches of 16 fills of 1 MiB,\n"
	  "                    3 in flight, each buffer checked by sampling; the\n"
	  "                    one to compare engine shares between vGPUs\n"
	  "  --workload faulty a tenant gone bad: out-of-range and unmapped\n"
	  "                    addresses, writes to its read-only ring, garbage\n"
	  "                    opcodes, huge sizes, DMA from an IOVA never mapped,\n"
	  "                    one at a time; each must fault with the expected\n"
	  "                    code, is reset, and a fill checks the vGPU works\n"
	  "                    again. Counts the faults; exits 0 when all went so,\n"
	  "                    8 when one did not\n"
	  "  --inject-fault    also submit one invalid command, to see a fault\n"
	  "                    detected, counted and recovered (exits 8)\n" },
};

#define MVCTL_NCMDS	(sizeof(mvctl_cmds) / sizeof(mvctl_cmds[0]))

static const char mvctl_exit_help[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  other failure: the kernel refused a write, an I/O error (see the\n"
	"     message and dmesg)\n"
	"  2  bad usage: unknown command or option, a malformed or out-of-range\n"
	"     argument, an unknown type or policy, a UUID already in use\n"
	"  3  the mvgpu module is not loaded (no /sys/class/mvgpu)\n"
	"  4  no such vGPU (UUID), GPU or PCI device; run: the vGPU was removed\n"
	"     under it; unbind: no mvgpu driver has the device\n"
	"  5  no capacity: no GPU (or not the one given) has room for the type\n"
	"  6  permission denied: changing anything (and opening a vGPU for\n"
	"     run) needs root\n"
	"  7  the vGPU is open by a client (remove --no-wait, run); bind: another\n"
	"     driver holds the device; unbind: the GPU has vGPUs (no --force)\n"
	"  8  run: a result did not match the CPU reference, or the vGPU faulted\n";

static void mvctl_help(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: %s [--sysfs-root DIR] [--json] COMMAND [ARGS]\n\n"
		"Manage mvgpu physical GPUs and their vGPUs (mediated VFIO devices).\n\n"
		"Commands:\n", mvctl_prog);
	for (i = 0; i < MVCTL_NCMDS; i++)
		fprintf(f, "  %-7s %s\n          %s\n", mvctl_cmds[i].name,
			mvctl_cmds[i].synopsis, mvctl_cmds[i].summary);
	fprintf(f,
		"  help    [COMMAND]\n          this text, or a command's usage\n\n"
		"Options:\n"
		"  --json             machine-readable output, every command (those that\n"
		"                     change something print {\"command\", \"ok\"})\n"
		"  --sysfs-root DIR   use DIR instead of /sys (or set MVGPU_SYSFS_ROOT)\n"
		"  -h, --help         this help; '%s COMMAND --help' for one command\n"
		"  --version          the version\n\n"
		"%s\n"
		"See mvgpuctl(1) and docs/operator.md.\n", mvctl_prog,
		mvctl_exit_help);
}

static const struct mvctl_cmd *mvctl_find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < MVCTL_NCMDS; i++)
		if (!strcmp(mvctl_cmds[i].name, name))
			return &mvctl_cmds[i];
	return NULL;
}

void mvctl_cmd_help(const char *name, FILE *f)
{
	const struct mvctl_cmd *c = mvctl_find_cmd(name);

	if (!c)
		return;
	fprintf(f, "usage: %s %s %s\n\n%s.\n\n%s", mvctl_prog, c->name,
		c->synopsis, c->summary, c->details);
	fprintf(f, "\n%s", mvctl_exit_help);
}

#define MVCTL_OPT_HELP	'h'
#define MVCTL_OPT_JSON	0x1000

int mvctl_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
		 const struct option *longopts,
		 int (*handler)(int opt, const char *arg, void *ctx), void *ctx,
		 int *first)
{
	struct option *all;
	char *optstring;
	size_t n = 0, i;
	int opt, ret = MVCTL_EXIT_OK;

	while (longopts && longopts[n].name)
		n++;
	all = calloc(n + 3, sizeof(*all));
	if (asprintf(&optstring, ":h%s", shortopts ? shortopts : "") < 0 ||
	    !all) {
		free(all);
		return mvctl_fail(MVCTL_EXIT_FAIL, "out of memory");
	}
	for (i = 0; i < n; i++)
		all[i] = longopts[i];
	all[n].name = "help";
	all[n].val = MVCTL_OPT_HELP;
	all[n + 1].name = "json";
	all[n + 1].val = MVCTL_OPT_JSON;

	optind = 0;	/* GNU: start over, from argv[1] */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, optstring, all, NULL)) != -1) {
		if (opt == MVCTL_OPT_HELP) {
			mvctl_cmd_help(cmd, stdout);
			ret = -1;
			break;
		}
		if (opt == MVCTL_OPT_JSON) {
			mvctl_opts.json = true;
			continue;
		}
		if (opt == '?') {
			if (optopt)
				ret = mvctl_usage_fail(cmd, "%s: unknown option '-%c'",
						       cmd, optopt);
			else
				ret = mvctl_usage_fail(cmd, "%s: unknown option '%s'",
						       cmd, argv[optind - 1]);
			break;
		}
		if (opt == ':') {
			ret = mvctl_usage_fail(cmd, "%s: option '%s' needs a value",
					       cmd, argv[optind - 1]);
			break;
		}
		ret = handler ? handler(opt, optarg, ctx) : MVCTL_EXIT_USAGE;
		if (ret)
			break;
	}
	*first = optind;
	free(optstring);
	free(all);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct mvctl_cmd *cmd;
	int opt;

	/* without --sysfs-root the library reads MVGPU_SYSFS_ROOT or /sys */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			mvctl_help(stdout);
			return MVCTL_EXIT_OK;
		case 'j':
			mvctl_opts.json = true;
			break;
		case 's':
			mvctl_sysfs_root = optarg;
			break;
		case 'V':
			printf("mvgpuctl %s\n", MVCTL_VERSION);
			return MVCTL_EXIT_OK;
		case ':':
			return mvctl_usage_fail(NULL, "option '%s' needs a value",
						argv[optind - 1]);
		default:
			return mvctl_usage_fail(NULL, "unknown option '%s'",
						argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return mvctl_usage_fail(NULL, "no command given");
	if (!strcmp(argv[optind], "help")) {
		if (optind + 1 < argc && (!strcmp(argv[optind + 1], "--help") ||
					  !strcmp(argv[optind + 1], "-h"))) {
			printf("usage: %s help [COMMAND]\n\nThe commands and exit codes, or one command's usage.\n",
			       mvctl_prog);
			return MVCTL_EXIT_OK;
		}
		if (optind + 2 < argc)
			return mvctl_usage_fail(NULL, "help: one command at a time ('%s' is one too many)",
						argv[optind + 2]);
		if (optind + 1 < argc) {
			if (!mvctl_find_cmd(argv[optind + 1]))
				return mvctl_usage_fail(NULL, "unknown command '%s'",
							argv[optind + 1]);
			mvctl_cmd_help(argv[optind + 1], stdout);
		} else {
			mvctl_help(stdout);
		}
		return MVCTL_EXIT_OK;
	}
	cmd = mvctl_find_cmd(argv[optind]);
	if (!cmd)
		return mvctl_usage_fail(NULL, "unknown command '%s'",
					argv[optind]);
	return cmd->fn(argc - optind, argv + optind);
}
