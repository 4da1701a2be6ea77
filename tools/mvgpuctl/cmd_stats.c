// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats and top: the vGPUs' counters, as totals and as rates.
 *
 * top samples every GPU's engine_busy_ns and every vGPU's counters once a
 * second and shows the differences: which vGPU got how much of the engine
 * time in the last interval.  On a terminal it redraws one screen until q
 * or Ctrl-C; otherwise (or with -n N) it prints N plain snapshots.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "mvgpuctl.h"

/* -------------------------------- stats ------------------------------- */

static void mvctl_print_stats(const struct mvctl_vgpu *v)
{
	char buf[64], size[64], owner[160];
	int i;

	if (v->i.owner_pid > 0 && v->i.owner_vm[0])
		snprintf(owner, sizeof(owner), ", %s by %s (pid %d, VM %s)",
			 v->i.state, v->i.owner_comm, v->i.owner_pid,
			 v->i.owner_vm);
	else if (v->i.owner_pid > 0)
		snprintf(owner, sizeof(owner), ", %s by %s (pid %d)",
			 v->i.state, v->i.owner_comm, v->i.owner_pid);
	else
		snprintf(owner, sizeof(owner), ", %s", v->i.state);
	printf("vGPU %s (%s on %s%s)\n", v->i.uuid, v->i.type, v->i.gpu, owner);
	for (i = 0; i < MVGPU_NUM_STATS; i++)
		printf("  %-13s %s\n", mvctl_stats[i].label,
		       mvctl_fmt_stat(buf, sizeof(buf), &mvctl_stats[i],
				      mvctl_stat(v, i)));
	printf("  %-13s %s of %s\n", "VRAM used",
	       mvctl_fmt_stat(buf, sizeof(buf), &mvctl_vram_used_info,
			      v->s.vram_used),
	       mvctl_fmt_stat(size, sizeof(size), &mvctl_vram_used_info,
			      v->i.vram_size));
	printf("  meter:\n");
	for (i = 0; i < MVGPU_NUM_METERS; i++)
		printf("  %-13s %s\n", mvctl_meters[i].label,
		       mvctl_fmt_stat(buf, sizeof(buf), &mvctl_meters[i],
				      mvctl_meter(v, i)));
}

int mvctl_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_vgpu *one = NULL;
	struct mvctl_gpu *only = NULL;
	const char *parent = NULL;
	struct mvctl_sys sys;
	struct mvctl_json j;
	unsigned int i, shown = 0;
	int ret, first;

	ret = mvctl_getopt("stats", argc, argv, "p:", opts, mvctl_parent_opt,
			   &parent, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first + 1 < argc)
		return mvctl_usage_fail("stats", "stats: one UUID at most ('%s' is one too many)",
					argv[first + 1]);
	ret = mvctl_sys_load(&sys, MVCTL_LOAD_STATS);
	if (ret)
		return ret;
	if (first < argc)
		ret = mvctl_lookup_vgpu(&sys, argv[first], &one);
	if (!ret && parent)
		ret = mvctl_lookup_gpu(&sys, parent, &only);
	if (ret)
		goto out;

	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_arr_begin(&j, "vgpus");
	}
	for (i = 0; i < sys.nvgpus; i++) {
		const struct mvctl_vgpu *v = &sys.vgpus[i];

		if ((one && one != v) || !v->have_stats ||
		    (only && strcmp(v->i.gpu, only->i.name)))
			continue;
		if (mvctl_opts.json) {
			mvctl_json_vgpu(&j, v);
			continue;
		}
		if (shown++)
			putchar('\n');
		mvctl_print_stats(v);
	}
	if (mvctl_opts.json) {
		mvctl_json_arr_end(&j);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else if (!shown) {
		printf("No vGPUs. Create one with 'mvgpuctl create --type mvgpu-4'.\n");
	}
	ret = MVCTL_EXIT_OK;
out:
	mvctl_sys_free(&sys);
	return ret;
}

/* --------------------------------- top -------------------------------- */

struct mvctl_sample {
	uint64_t t_ns;
	struct mvctl_sys sys;
};

static uint64_t mvctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int mvctl_sample(struct mvctl_sample *s)
{
	s->t_ns = mvctl_now_ns();
	return mvctl_sys_load(&s->sys, MVCTL_LOAD_STATS);
}

struct mvctl_vgpu_rates {
	struct mvgpu_rates r;
	double share_pct;	/* of the engine time used on its GPU */
};

/* The vGPU's sample before: the previous one, or zeros at cur's start */
static void mvctl_before(const struct mvctl_sample *prev,
			 const struct mvctl_vgpu *v,
			 struct mvgpu_vgpu_stats *before)
{
	const struct mvctl_vgpu *pv;

	pv = mvctl_find_vgpu((struct mvctl_sys *)&prev->sys, v->i.uuid);
	if (pv && pv->have_stats) {
		*before = pv->s;
		return;
	}
	memset(before, 0, sizeof(*before));
	before->size = sizeof(*before);
	before->timestamp_ns = prev->t_ns;
}

static void mvctl_vgpu_rates(const struct mvctl_sample *prev,
			     const struct mvctl_sample *cur,
			     const struct mvctl_vgpu *v,
			     struct mvctl_vgpu_rates *r)
{
	struct mvgpu_vgpu_stats before;
	const struct mvctl_gpu *g;
	struct mvgpu_rates o;
	uint64_t gpu_busy = 0;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->r.size = sizeof(r->r);
	g = mvctl_find_gpu((struct mvctl_sys *)&cur->sys, v->i.gpu);
	mvctl_before(prev, v, &before);
	if (v->have_stats)
		mvgpu_admin_rates(&before, &v->s, g ? g->i.engines : 0, &r->r);

	/* the engine time every vGPU of this GPU used in the interval */
	for (i = 0; i < cur->sys.nvgpus; i++) {
		const struct mvctl_vgpu *w = &cur->sys.vgpus[i];

		if (strcmp(w->i.gpu, v->i.gpu) || !w->have_stats)
			continue;
		mvctl_before(prev, w, &before);
		o.size = sizeof(o);
		if (!mvgpu_admin_rates(&before, &w->s, 0, &o))
			gpu_busy += o.busy_ns;
	}
	if (gpu_busy)
		r->share_pct = 100.0 * r->r.busy_ns / gpu_busy;
}

/* Per-engine utilisation in the interval, percent; returns the engines */
static unsigned int mvctl_gpu_util(const struct mvctl_sample *prev,
				   const struct mvctl_sample *cur,
				   const struct mvctl_gpu *g, double *util,
				   double *avg)
{
	const struct mvctl_gpu *pg;
	double sum = 0;
	int i, n;

	pg = mvctl_find_gpu((struct mvctl_sys *)&prev->sys, g->i.name);
	n = mvgpu_admin_gpu_util(pg ? &pg->i : NULL, &g->i,
				 cur->t_ns - prev->t_ns, util);
	if (n < 0)
		n = 0;
	for (i = 0; i < n; i++)
		sum += util[i];
	*avg = n ? sum / n : 0;
	return (unsigned int)n;
}

static void mvctl_top_json(FILE *f, unsigned int n,
			   const struct mvctl_sample *prev,
			   const struct mvctl_sample *cur)
{
	double util[MVGPU_ADMIN_MAX_ENGINES], avg;
	struct mvctl_vgpu_rates r;
	struct mvctl_json j;
	unsigned int i, e, ne;

	mvctl_json_init(&j, f, false);
	mvctl_json_obj_begin(&j, NULL);
	mvctl_json_u64(&j, "snapshot", n);
	mvctl_json_u64(&j, "interval_ns", cur->t_ns - prev->t_ns);
	mvctl_json_arr_begin(&j, "gpus");
	for (i = 0; i < cur->sys.ngpus; i++) {
		const struct mvctl_gpu *g = &cur->sys.gpus[i];

		ne = mvctl_gpu_util(prev, cur, g, util, &avg);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_str(&j, "name", g->i.name);
		mvctl_json_str(&j, "scheduler", g->i.scheduler);
		mvctl_json_u64(&j, "timeslice_us", g->i.timeslice_us);
		mvctl_json_u64(&j, "engines", g->i.engines);
		mvctl_json_double(&j, "utilization_pct", avg, 1);
		mvctl_json_arr_begin(&j, "engine_utilization_pct");
		for (e = 0; e < ne; e++)
			mvctl_json_double(&j, NULL, util[e], 1);
		mvctl_json_arr_end(&j);
		mvctl_json_obj_end(&j);
	}
	mvctl_json_arr_end(&j);
	mvctl_json_arr_begin(&j, "vgpus");
	for (i = 0; i < cur->sys.nvgpus; i++) {
		const struct mvctl_vgpu *v = &cur->sys.vgpus[i];

		mvctl_vgpu_rates(prev, cur, v, &r);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_str(&j, "uuid", v->i.uuid);
		mvctl_json_str(&j, "gpu", v->i.gpu);
		mvctl_json_str(&j, "type", v->i.type);
		mvctl_json_str(&j, "state", v->i.state);
		mvctl_json_double(&j, "share_pct", r.share_pct, 1);
		mvctl_json_double(&j, "busy_pct", r.r.busy_pct, 1);
		mvctl_json_u64(&j, "busy_ns", r.r.busy_ns);
		mvctl_json_double(&j, "commands_per_s", r.r.commands_per_s, 1);
		mvctl_json_double(&j, "bytes_per_s", r.r.bytes_per_s, 0);
		mvctl_json_double(&j, "wait_pct", r.r.wait_pct, 1);
		mvctl_json_u64(&j, "wait_ns", r.r.wait_ns);
		mvctl_json_u64(&j, "faults", v->s.stats.faults);
		mvctl_json_obj_end(&j);
	}
	mvctl_json_arr_end(&j);
	mvctl_json_obj_end(&j);
	mvctl_json_end(&j);
}

static void mvctl_top_text(FILE *f, const struct mvctl_sample *prev,
			   const struct mvctl_sample *cur)
{
	double util[MVGPU_ADMIN_MAX_ENGINES], avg;
	struct mvctl_vgpu_rates r;
	struct mvctl_table *t;
	unsigned int i, e, ne;

	t = mvctl_table_new("lllrrlr", "GPU", "SCHEDULER", "SLICE", "ENGINES",
			    "UTIL", "PER ENGINE", "VGPUS");
	for (i = 0; i < cur->sys.ngpus; i++) {
		const struct mvctl_gpu *g = &cur->sys.gpus[i];
		char slice[32], per[96];
		size_t off = 0;

		ne = mvctl_gpu_util(prev, cur, g, util, &avg);
		per[0] = '\0';
		for (e = 0; e < ne && off < sizeof(per); e++)
			off += snprintf(per + off, sizeof(per) - off, "%s%.0f%%",
					e ? " " : "", util[e]);
		mvctl_table_cell(t, "%s", g->i.name);
		mvctl_table_cell(t, "%s", g->i.scheduler);
		mvctl_table_cell(t, "%s", mvctl_fmt_ns(slice, sizeof(slice),
						       g->i.timeslice_us * 1000ULL));
		mvctl_table_cell(t, "%u", g->i.engines);
		mvctl_table_cell(t, "%.0f%%", avg);
		mvctl_table_cell(t, "%s", per);
		mvctl_table_cell(t, "%u", g->i.nvgpus);
	}
	mvctl_table_print(t, f);
	mvctl_table_free(t);
	fputc('\n', f);

	if (!cur->sys.nvgpus) {
		fprintf(f, "No vGPUs.\n");
		return;
	}
	t = mvctl_table_new("llllrrrrrr", "VGPU", "GPU", "TYPE", "STATE",
			    "SHARE", "BUSY", "CMD/S", "BYTES/S", "WAIT",
			    "FAULTS");
	for (i = 0; i < cur->sys.nvgpus; i++) {
		const struct mvctl_vgpu *v = &cur->sys.vgpus[i];
		char cmds[32], bytes[32];

		mvctl_vgpu_rates(prev, cur, v, &r);
		mvctl_table_cell(t, "%s", v->i.uuid);
		mvctl_table_cell(t, "%s", v->i.gpu);
		mvctl_table_cell(t, "%s", v->i.type);
		mvctl_table_cell(t, "%s", v->i.state);
		mvctl_table_cell(t, "%.1f%%", r.share_pct);
		mvctl_table_cell(t, "%.1f%%", r.r.busy_pct);
		mvctl_table_cell(t, "%s", mvctl_fmt_rate(cmds, sizeof(cmds),
							 r.r.commands_per_s));
		mvctl_table_cell(t, "%s", mvctl_fmt_byte_rate(bytes, sizeof(bytes),
							      r.r.bytes_per_s));
		mvctl_table_cell(t, "%.1f%%", r.r.wait_pct);
		mvctl_table_cell(t, "%llu", (unsigned long long)
				 v->s.stats.faults);
	}
	mvctl_table_print(t, f);
	mvctl_table_free(t);
}

static void mvctl_sleep_until(uint64_t t_ns)
{
	struct timespec ts = {
		.tv_sec = t_ns / 1000000000ULL,
		.tv_nsec = t_ns % 1000000000ULL,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		;
}

/* N plain snapshots, one a second */
static int mvctl_top_plain(unsigned int n)
{
	struct mvctl_sample prev, cur;
	uint64_t start;
	unsigned int i;
	int ret;

	ret = mvctl_sample(&prev);
	if (ret)
		return ret;
	start = prev.t_ns;
	for (i = 1; i <= n; i++) {
		mvctl_sleep_until(start + i * 1000000000ULL);
		ret = mvctl_sample(&cur);
		if (ret)
			break;
		if (mvctl_opts.json) {
			mvctl_top_json(stdout, i, &prev, &cur);
		} else {
			printf("%ssnapshot %u of %u, interval %.2f s\n\n",
			       i > 1 ? "\n" : "", i, n,
			       (cur.t_ns - prev.t_ns) / 1e9);
			mvctl_top_text(stdout, &prev, &cur);
		}
		fflush(stdout);
		mvctl_sys_free(&prev.sys);
		prev = cur;
	}
	mvctl_sys_free(&prev.sys);
	return ret;
}

/* ---- the interactive screen ---- */

static volatile sig_atomic_t mvctl_top_quit;
static struct termios mvctl_saved_tio;
static bool mvctl_tio_saved, mvctl_screen_on;

static void mvctl_top_signal(int sig)
{
	mvctl_top_quit = sig;
}

static void mvctl_term_restore(void)
{
	if (mvctl_screen_on) {
		/* cursor back, leave the alternate screen */
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
		mvctl_screen_on = false;
	}
	if (mvctl_tio_saved) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &mvctl_saved_tio);
		mvctl_tio_saved = false;
	}
}

static void mvctl_term_setup(void)
{
	struct sigaction sa;
	struct termios tio;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mvctl_top_signal;	/* no SA_RESTART: poll wakes */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	atexit(mvctl_term_restore);
	mvctl_message_hook = mvctl_term_restore;

	if (isatty(STDIN_FILENO) &&
	    tcgetattr(STDIN_FILENO, &mvctl_saved_tio) == 0) {
		tio = mvctl_saved_tio;
		tio.c_lflag &= ~(ICANON | ECHO);	/* keys at once, unseen */
		tio.c_cc[VMIN] = 1;
		tio.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) == 0)
			mvctl_tio_saved = true;
	}
	fputs("\033[?1049h\033[?25l", stdout);	/* alternate screen */
	mvctl_screen_on = true;
}

/* Draw text from the top left, each line cut to the terminal's width */
static void mvctl_term_draw(const char *text)
{
	struct winsize ws;
	unsigned int cols = 0, rows = 0, row = 0;
	const char *p = text;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	fputs("\033[H", stdout);
	while (*p && (!rows || row < rows)) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		fwrite(p, 1, cols && len > cols ? cols : len, stdout);
		fputs("\033[K", stdout);
		row++;
		p += len;
		if (*p == '\n')
			p++;
		if (*p && (!rows || row < rows))
			fputc('\n', stdout);	/* the tty adds the \r */
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

/* Wait for the deadline, a key or a signal; true when asked to quit */
static bool mvctl_top_wait(uint64_t deadline)
{
	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		uint64_t now = mvctl_now_ns();
		int ms, n;
		char c;

		if (mvctl_top_quit)
			return true;
		if (now >= deadline)
			return false;
		ms = (int)((deadline - now + 999999) / 1000000);
		n = poll(&pfd, mvctl_tio_saved ? 1 : 0, ms);
		if (n < 0 && errno != EINTR)
			return false;
		if (n > 0 && (pfd.revents & POLLIN)) {
			if (read(STDIN_FILENO, &c, 1) == 1 &&
			    (c == 'q' || c == 'Q'))
				return true;
		} else if (n > 0) {
			return true;	/* the terminal went away */
		}
	}
}

static int mvctl_top_screen(void)
{
	struct mvctl_sample prev, cur;
	uint64_t deadline;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	ret = mvctl_sample(&prev);
	if (ret)
		return ret;
	mvctl_term_setup();
	mvctl_term_draw("mvgpuctl top: measuring the first second (q or Ctrl-C quits) ...\n");
	deadline = prev.t_ns + 1000000000ULL;
	while (!mvctl_top_wait(deadline)) {
		ret = mvctl_sample(&cur);
		if (ret)
			break;
		f = open_memstream(&text, &len);
		if (!f) {
			mvctl_sys_free(&cur.sys);
			ret = MVCTL_EXIT_FAIL;
			break;
		}
		fprintf(f, "mvgpuctl top: every 1 s, interval %.2f s; q or Ctrl-C quits\n\n",
			(cur.t_ns - prev.t_ns) / 1e9);
		mvctl_top_text(f, &prev, &cur);
		fclose(f);
		mvctl_term_draw(text);
		free(text);
		text = NULL;
		mvctl_sys_free(&prev.sys);
		prev = cur;
		deadline += 1000000000ULL;
		if (deadline < mvctl_now_ns())
			deadline = mvctl_now_ns() + 1000000000ULL;
	}
	mvctl_sys_free(&prev.sys);
	mvctl_term_restore();
	return ret;
}

struct mvctl_top_args {
	const char *iterations;
};

static int mvctl_top_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_top_args *a = ctx;

	if (opt == 'n') {
		a->iterations = arg;
		return MVCTL_EXIT_OK;
	}
	return MVCTL_EXIT_USAGE;
}

int mvctl_cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_top_args a = { NULL };
	uint64_t n = 1;
	int ret, first;

	ret = mvctl_getopt("top", argc, argv, "n:", opts, mvctl_top_opt, &a,
			   &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first < argc)
		return mvctl_usage_fail("top", "top: unexpected argument '%s'",
					argv[first]);
	if (a.iterations && mvctl_parse_u64(a.iterations, 1, 1000000, &n))
		return mvctl_usage_fail("top", "top: -n wants a number of snapshots, 1 or more, not '%s'",
					a.iterations);
	if (!a.iterations && !mvctl_opts.json && isatty(STDOUT_FILENO))
		return mvctl_top_screen();
	return mvctl_top_plain((unsigned int)n);
}

/* -------------------------------- usage ------------------------------- */

#define MVCTL_USAGE_BATCH	64

static void mvctl_usage_json(struct mvctl_json *j,
			     const struct mvgpu_usage_record *r)
{
	unsigned int c;

	mvctl_json_obj_begin(j, NULL);
	mvctl_json_str(j, "gpu", r->gpu);
	mvctl_json_u64(j, "seq", r->seq);
	mvctl_json_str(j, "uuid", r->uuid);
	mvctl_json_str(j, "type", r->type);
	mvctl_json_obj_begin(j, "meter");
	mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_ENGINE_NS], r->engine_ns);
	mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_DMA_NS], r->dma_ns);
	mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_DMA_BYTES], r->dma_bytes);
	mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_COMMANDS], r->commands);
	mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_FAULTS], r->faults);
	mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_VRAM_BYTE_S],
		       r->vram_byte_s);
	for (c = MVGPU_FAULT_UNMAPPED; c < MVGPU_NUM_FAULT_CODES; c++)
		mvctl_json_u64(j, mvctl_meter_names[MVGPU_METER_FAULTS_OF(c)],
			       r->faults_by_kind[c]);
	mvctl_json_obj_end(j);
	mvctl_json_obj_end(j);
}

#define MVCTL_USAGE_FMT "%-8s %5s  %-36s  %-8s %10s %10s %10s %9s %6s  %s\n"

/* One line per record, printed at once: it is acknowledged right after */
static void mvctl_usage_row(const struct mvgpu_usage_record *r,
			    unsigned int count)
{
	char seq[24], eng[32], dma[32], bytes[32], cmds[24], faults[24];
	char held[24];

	if (!count)
		printf(MVCTL_USAGE_FMT, "GPU", "SEQ", "UUID", "TYPE", "ENGINE",
		       "DMA", "DMA BYTES", "COMMANDS", "FAULTS", "VRAM BYTE-S");
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)r->seq);
	snprintf(cmds, sizeof(cmds), "%llu", (unsigned long long)r->commands);
	snprintf(faults, sizeof(faults), "%llu", (unsigned long long)r->faults);
	snprintf(held, sizeof(held), "%llu", (unsigned long long)r->vram_byte_s);
	printf(MVCTL_USAGE_FMT, r->gpu, seq, r->uuid, r->type,
	       mvctl_fmt_ns(eng, sizeof(eng), r->engine_ns),
	       mvctl_fmt_ns(dma, sizeof(dma), r->dma_ns),
	       mvctl_fmt_bytes(bytes, sizeof(bytes), r->dma_bytes), cmds,
	       faults, held);
}

struct mvctl_usage_args {
	const char *parent;
	bool no_ack;
};

static int mvctl_usage_opt(int opt, const char *arg, void *ctx)
{
	struct mvctl_usage_args *a = ctx;

	if (opt == 'p') {
		a->parent = arg;
		return MVCTL_EXIT_OK;
	}
	if (opt == 'N') {
		a->no_ack = true;
		return MVCTL_EXIT_OK;
	}
	return MVCTL_EXIT_USAGE;
}

/*
 * Print every record of one GPU and acknowledge each page once it is out:
 * a record is acknowledged only after it has been written to stdout.
 */
static int mvctl_usage_gpu(struct mvctl_sys *sys, const char *gpu,
			   bool no_ack, struct mvctl_json *j,
			   unsigned int *count, uint64_t *dropped)
{
	struct mvgpu_usage_record recs[MVCTL_USAGE_BATCH];
	int n, i, ret;

	for (;;) {
		for (i = 0; i < MVCTL_USAGE_BATCH; i++)
			recs[i].size = sizeof(recs[i]);
		n = mvgpu_admin_usage(sys->a, gpu, recs, MVCTL_USAGE_BATCH,
				      dropped);
		if (n < 0)
			return mvctl_fail(MVCTL_EXIT_FAIL, "usage: %s",
					  mvgpu_last_error());
		if (!n)
			return MVCTL_EXIT_OK;
		for (i = 0; i < n; i++) {
			if (j)
				mvctl_usage_json(j, &recs[i]);
			else
				mvctl_usage_row(&recs[i], *count + i);
		}
		*count += n;
		if (no_ack)
			return MVCTL_EXIT_OK;
		if (fflush(stdout))
			return mvctl_fail(MVCTL_EXIT_FAIL, "usage: cannot write the records: %s; none acknowledged",
					  strerror(errno));
		ret = mvgpu_admin_usage_ack(sys->a, gpu, recs[n - 1].seq);
		if (ret)
			return mvctl_lib_error(ret, "usage");
	}
}

int mvctl_cmd_usage(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "no-ack", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvctl_usage_args a = { NULL, false };
	struct mvctl_gpu *only = NULL;
	struct mvctl_sys sys;
	struct mvctl_json j;
	uint64_t dropped[64];
	unsigned int i, count = 0;
	int ret, first;

	ret = mvctl_getopt("usage", argc, argv, "p:", opts, mvctl_usage_opt,
			   &a, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first < argc)
		return mvctl_usage_fail("usage", "usage: unexpected argument '%s'",
					argv[first]);
	ret = mvctl_sys_load(&sys, 0);
	if (ret)
		return ret;
	if (a.parent) {
		ret = mvctl_lookup_gpu(&sys, a.parent, &only);
		if (ret)
			goto out;
	}
	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_arr_begin(&j, "records");
	}
	memset(dropped, 0, sizeof(dropped));
	for (i = 0; i < sys.ngpus && !ret; i++) {
		if (only && only != &sys.gpus[i])
			continue;
		ret = mvctl_usage_gpu(&sys, sys.gpus[i].i.name, a.no_ack,
				      mvctl_opts.json ? &j : NULL, &count,
				      &dropped[i < 64 ? i : 63]);
	}
	if (mvctl_opts.json) {
		mvctl_json_arr_end(&j);
		mvctl_json_obj_begin(&j, "dropped");
		for (i = 0; i < sys.ngpus && i < 64; i++)
			if (!only || only == &sys.gpus[i])
				mvctl_json_u64(&j, sys.gpus[i].i.name,
					       dropped[i]);
		mvctl_json_obj_end(&j);
		mvctl_json_bool(&j, "acknowledged", !a.no_ack && !ret);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else {
		if (!count)
			printf("No usage records: no vGPU was removed since the last 'mvgpuctl usage'.\n");
		for (i = 0; i < sys.ngpus && i < 64; i++)
			if (dropped[i])
				printf("%s: %llu records were dropped before anybody read them\n",
				       sys.gpus[i].i.name,
				       (unsigned long long)dropped[i]);
	}
out:
	mvctl_sys_free(&sys);
	return ret;
}
