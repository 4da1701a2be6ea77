/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mvgpuctl: the operator CLI of mvgpu.
 *
 *   main.c         options, dispatch, help, exit codes
 *   model.c        GPUs, types, vGPUs: a libmvgpu management snapshot
 *   parse.c        argument parsing: numbers, UUIDs, type names, errors
 *   output.c       tables, JSON, human units
 *   cmd_list.c     list, types
 *   cmd_vgpu.c     create, remove
 *   cmd_config.c   set, policy
 *   cmd_stats.c    stats, top, usage
 *   cmd_snapshot.c snapshot (a sysfs tree to test against)
 *   cmd_cdi.c      cdi (a CDI spec of the vGPUs, for containers)
 *   cmd_run.c      run (a verified workload through libmvgpu)
 *
 * Every command returns one of the MVCTL_EXIT_* codes; every failure has
 * printed a line to stderr saying what was wrong and what to do.
 */
#ifndef MVGPUCTL_H
#define MVGPUCTL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libmvgpu_admin.h"

/* Exit codes; keep in step with main.c's help and docs/mvgpuctl.1 */
enum mvctl_exit {
	MVCTL_EXIT_OK		= 0,
	MVCTL_EXIT_FAIL		= 1,	/* anything not below */
	MVCTL_EXIT_USAGE	= 2,	/* bad command, option or argument */
	MVCTL_EXIT_NOMODULE	= 3,	/* no /sys/class/mvgpu */
	MVCTL_EXIT_NOTFOUND	= 4,	/* no such vGPU or GPU */
	MVCTL_EXIT_NOSPACE	= 5,	/* no GPU has room for the type */
	MVCTL_EXIT_PERM		= 6,	/* permission denied */
	MVCTL_EXIT_BUSY		= 7,	/* vGPU open by a client (--no-wait) */
	MVCTL_EXIT_VERIFY	= 8,	/* run: a result mismatched or faulted */
};

#define MVCTL_MAX_TYPES		8
#define MVCTL_UUID_LEN		MVGPU_UUID_LEN

/* ------------------------------------------------------------------ */
/* Errors and argument parsing (parse.c)                               */
/* ------------------------------------------------------------------ */

extern const char *mvctl_prog;
/* Called before any message is printed (top restores the terminal) */
extern void (*mvctl_message_hook)(void);

/* Print "mvgpuctl: MESSAGE" to stderr and return code */
int mvctl_fail(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A usage error for command cmd: the message and a pointer to --help */
int mvctl_usage_fail(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mvctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy s into d of size n, cut short if need be; returns d */
char *mvctl_strlcpy(char *d, const char *s, size_t n);
/* Strict decimal integer in [min, max]; 0 or -EINVAL / -ERANGE */
int mvctl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * A decimal with up to 3 digits after the point, times 1000: "0.5" ms to
 * 500 us, "2" s to 2000 ms.  -EINVAL when malformed, -EDOM when finer
 * than 1/1000, -ERANGE when too large.
 */
int mvctl_parse_milli(const char *s, uint64_t *out);

/* ------------------------------------------------------------------ */
/* The model: a libmvgpu management snapshot (model.c)                 */
/* ------------------------------------------------------------------ */

struct mvctl_gpu {
	struct mvgpu_gpu_info i;
	struct mvgpu_type_info types[MVCTL_MAX_TYPES];	/* i.ntypes */
};

struct mvctl_vgpu {
	struct mvgpu_vgpu_info i;
	bool have_stats;
	struct mvgpu_vgpu_stats s;
};

struct mvctl_sys {
	struct mvgpu_admin *a;
	unsigned int ngpus;
	struct mvctl_gpu *gpus;
	unsigned int nvgpus;
	struct mvctl_vgpu *vgpus;
};

/* Counters of a vGPU as shown: a name, a label and a unit */
enum mvctl_unit { MVCTL_UNIT_NS, MVCTL_UNIT_BYTES, MVCTL_UNIT_COUNT };

struct mvctl_stat_info {
	const char *label;	/* human label */
	enum mvctl_unit unit;
	const char *suffix;	/* after a count, e.g. "slices" */
};

/* By enum mvgpu_stat_id and enum mvgpu_meter_id (mvgpu_uapi.h) */
extern const char *const mvctl_stat_names[MVGPU_NUM_STATS];
extern const struct mvctl_stat_info mvctl_stats[MVGPU_NUM_STATS];
extern const char *const mvctl_meter_names[MVGPU_NUM_METERS];
extern const struct mvctl_stat_info mvctl_meters[MVGPU_NUM_METERS];
uint64_t mvctl_stat(const struct mvctl_vgpu *v, unsigned int stat);
uint64_t mvctl_meter(const struct mvctl_vgpu *v, unsigned int meter);

/* Where sysfs is; NULL (the library's default) unless --sysfs-root */
extern const char *mvctl_sysfs_root;

#define MVCTL_LOAD_STATS	(1u << 0)

/*
 * Read every GPU, type and vGPU (and with MVCTL_LOAD_STATS every vGPU's
 * counters).  Returns an exit code (message printed on failure).
 */
int mvctl_sys_load(struct mvctl_sys *sys, unsigned int flags);
void mvctl_sys_free(struct mvctl_sys *sys);

/* Lookups in a loaded model; NULL when absent */
struct mvctl_gpu *mvctl_find_gpu(struct mvctl_sys *sys, const char *name);
struct mvctl_vgpu *mvctl_find_vgpu(struct mvctl_sys *sys, const char *uuid);
struct mvgpu_type_info *mvctl_find_type(struct mvctl_gpu *gpu,
					unsigned int divisor);

/*
 * Resolve a GPU argument ("mvgpu0" or "0"): MVCTL_EXIT_NOTFOUND when
 * there is no such GPU (message printed).
 */
int mvctl_lookup_gpu(struct mvctl_sys *sys, const char *arg,
		     struct mvctl_gpu **out);
/*
 * Resolve a UUID argument: MVCTL_EXIT_USAGE for a malformed one,
 * MVCTL_EXIT_NOTFOUND when there is no such mvgpu vGPU (message printed).
 */
int mvctl_lookup_vgpu(struct mvctl_sys *sys, const char *arg,
		      struct mvctl_vgpu **out);

/*
 * The exit code and message for a failed library call that changed
 * something: permission denied, a vanished device, or the kernel's
 * refusal (mvgpu_last_error() says which file).
 */
int mvctl_lib_error(int err, const char *what);

/* ------------------------------------------------------------------ */
/* Output (output.c)                                                   */
/* ------------------------------------------------------------------ */

/* A text table: columns separated by two spaces, left or right aligned */
struct mvctl_table;

/* align: one 'l' or 'r' per column; headers: as many strings */
struct mvctl_table *mvctl_table_new(const char *align, ...);
/* Append the next cell; rows fill left to right */
void mvctl_table_cell(struct mvctl_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mvctl_table_print(struct mvctl_table *t, FILE *f);
void mvctl_table_free(struct mvctl_table *t);

/* A streaming JSON writer; keys are ignored inside arrays */
struct mvctl_json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[32];	/* per level: a value came before */
	bool in_object[32];	/* per level: values take keys */
};

void mvctl_json_init(struct mvctl_json *j, FILE *f, bool pretty);
void mvctl_json_obj_begin(struct mvctl_json *j, const char *key);
void mvctl_json_obj_end(struct mvctl_json *j);
void mvctl_json_arr_begin(struct mvctl_json *j, const char *key);
void mvctl_json_arr_end(struct mvctl_json *j);
void mvctl_json_str(struct mvctl_json *j, const char *key, const char *v);
void mvctl_json_u64(struct mvctl_json *j, const char *key, uint64_t v);
void mvctl_json_i64(struct mvctl_json *j, const char *key, int64_t v);
/* decimals digits after the point; NaN and infinities become null */
void mvctl_json_double(struct mvctl_json *j, const char *key, double v,
		       int decimals);
void mvctl_json_bool(struct mvctl_json *j, const char *key, bool v);
void mvctl_json_null(struct mvctl_json *j, const char *key);
/* End the document with a newline */
void mvctl_json_end(struct mvctl_json *j);

/* Human units into buf; each returns buf */
char *mvctl_fmt_bytes(char *buf, size_t len, uint64_t bytes);
char *mvctl_fmt_ns(char *buf, size_t len, uint64_t ns);
char *mvctl_fmt_rate(char *buf, size_t len, double per_s);	/* 1.2k/s */
char *mvctl_fmt_byte_rate(char *buf, size_t len, double bytes_per_s);
char *mvctl_fmt_stat(char *buf, size_t len, const struct mvctl_stat_info *si,
		     uint64_t v);

/* One vGPU as a JSON object (identity, knobs, stats when loaded) */
void mvctl_json_vgpu(struct mvctl_json *j, const struct mvctl_vgpu *v);
/* The "owner" column: "-" or "PID COMM" */
char *mvctl_fmt_owner(char *buf, size_t len, const struct mvctl_vgpu *v);

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

/* Options shared by every command */
struct mvctl_opts {
	bool json;
};

/* The JSON result of a command that changes something: {"ok": true, ...} */
void mvctl_json_ok(const char *cmd, const char *key, const char *val);

extern struct mvctl_opts mvctl_opts;

/* cmd_list.c: the --parent option handler (ctx: const char **) */
int mvctl_parent_opt(int opt, const char *arg, void *ctx);

int mvctl_cmd_list(int argc, char **argv);
int mvctl_cmd_types(int argc, char **argv);
int mvctl_cmd_create(int argc, char **argv);
int mvctl_cmd_remove(int argc, char **argv);
int mvctl_cmd_set(int argc, char **argv);
int mvctl_cmd_policy(int argc, char **argv);
int mvctl_cmd_stats(int argc, char **argv);
int mvctl_cmd_top(int argc, char **argv);
int mvctl_cmd_run(int argc, char **argv);
int mvctl_cmd_usage(int argc, char **argv);
int mvctl_cmd_snapshot(int argc, char **argv);
int mvctl_cmd_cdi(int argc, char **argv);
int mvctl_cmd_bind(int argc, char **argv);
int mvctl_cmd_unbind(int argc, char **argv);

/* main.c: print the usage of one command ("mvgpuctl CMD --help") */
void mvctl_cmd_help(const char *cmd, FILE *f);

/*
 * Parse a command's options with getopt_long, handling --help and --json
 * (which every command takes).  handler gets every other option; it
 * returns MVCTL_EXIT_OK or an exit code.  Returns -1 when the command
 * should exit 0 (it printed --help), else an exit code; *first gets the
 * index of the first operand.
 */
struct option;
int mvctl_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
		 const struct option *longopts,
		 int (*handler)(int opt, const char *arg, void *ctx), void *ctx,
		 int *first);

/* guest.c: inside a VM, vGPUs of the guest driver mvgpu_guest.ko */
bool mvctl_guest_device(const char *s);
bool mvctl_guest_present(void);
int mvctl_guest_list(void);

#endif /* MVGPUCTL_H */
