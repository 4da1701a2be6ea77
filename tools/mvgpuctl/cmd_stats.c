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
	char buf[64], owner[96];
	int i;

	if (v->owner_pid > 0)
		snprintf(owner, sizeof(owner), ", %s by %s (pid %d)", v->state,
			 v->owner_comm, v->owner_pid);
	else
		snprintf(owner, sizeof(owner), ", %s", v->state);
	printf("vGPU %s (%s on %s%s)\n", v->uuid, v->type, v->gpu, owner);
	for (i = 0; i < MVCTL_NUM_STATS; i++)
		printf("  %-13s %s\n", mvctl_stats[i].label,
		       mvctl_fmt_stat(buf, sizeof(buf), i, v->stats[i]));
}

int mvctl_cmd_stats(int argc, char **argv)
{
	struct mvctl_vgpu *one = NULL;
	struct mvctl_sys sys;
	struct mvctl_json j;
	unsigned int i;
	int ret, first;

	ret = mvctl_getopt("stats", argc, argv, "", NULL, NULL, NULL, &first);
	if (ret)
		return ret < 0 ? MVCTL_EXIT_OK : ret;
	if (first + 1 < argc)
		return mvctl_usage_fail("stats", "stats: one UUID at most ('%s' is one too many)",
					argv[first + 1]);
	ret = mvctl_sys_load(&sys, MVCTL_LOAD_STATS);
	if (ret)
		return ret;
	if (first < argc) {
		ret = mvctl_lookup_vgpu(&sys, argv[first], &one);
		if (ret)
			goto out;
	}

	if (mvctl_opts.json) {
		mvctl_json_init(&j, stdout, true);
		mvctl_json_obj_begin(&j, NULL);
		mvctl_json_arr_begin(&j, "vgpus");
		for (i = 0; i < sys.nvgpus; i++)
			if (!one || one == &sys.vgpus[i])
				mvctl_json_vgpu(&j, &sys.vgpus[i]);
		mvctl_json_arr_end(&j);
		mvctl_json_obj_end(&j);
		mvctl_json_end(&j);
	} else if (one) {
		mvctl_print_stats(one);
	} else if (!sys.nvgpus) {
		printf("No vGPUs. Create one with 'mvgpuctl create --type mvgpu-4'.\n");
	} else {
		for (i = 0; i < sys.nvgpus; i++) {
			if (i)
				putchar('\n');
			mvctl_print_stats(&sys.vgpus[i]);
		}
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

/* cur - prev of a counter; a counter that went back started over */
static uint64_t mvctl_delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : cur;
}

struct mvctl_vgpu_rates {
	uint64_t busy_ns, wait_ns, commands, bytes;
	double share_pct, busy_pct, wait_pct, cmd_rate, byte_rate;
};

static void mvctl_vgpu_rates(const struct mvctl_sample *prev,
			     const struct mvctl_sample *cur,
			     const struct mvctl_vgpu *v,
			     struct mvctl_vgpu_rates *r)
{
	const struct mvctl_vgpu *pv;
	const struct mvctl_gpu *g;
	double dt = (double)(cur->t_ns - prev->t_ns);
	uint64_t gpu_busy = 0;
	unsigned int i;
	static const uint64_t zero[MVCTL_NUM_STATS];
	const uint64_t *p;

	pv = mvctl_find_vgpu((struct mvctl_sys *)&prev->sys, v->uuid);
	p = pv ? pv->stats : zero;
	memset(r, 0, sizeof(*r));
	r->busy_ns = mvctl_delta(v->stats[MVCTL_STAT_BUSY_NS],
				 p[MVCTL_STAT_BUSY_NS]);
	r->wait_ns = mvctl_delta(v->stats[MVCTL_STAT_WAIT_NS],
				 p[MVCTL_STAT_WAIT_NS]);
	r->commands = mvctl_delta(v->stats[MVCTL_STAT_COMMANDS],
				  p[MVCTL_STAT_COMMANDS]);
	r->bytes = mvctl_delta(v->stats[MVCTL_STAT_BYTES],
			       p[MVCTL_STAT_BYTES]);

	/* the engine time every vGPU of this GPU used in the interval */
	for (i = 0; i < cur->sys.nvgpus; i++) {
		const struct mvctl_vgpu *o = &cur->sys.vgpus[i];
		const struct mvctl_vgpu *po;

		if (strcmp(o->gpu, v->gpu))
			continue;
		po = mvctl_find_vgpu((struct mvctl_sys *)&prev->sys, o->uuid);
		gpu_busy += mvctl_delta(o->stats[MVCTL_STAT_BUSY_NS],
					po ? po->stats[MVCTL_STAT_BUSY_NS] : 0);
	}
	g = mvctl_find_gpu((struct mvctl_sys *)&cur->sys, v->gpu);
	if (gpu_busy)
		r->share_pct = 100.0 * r->busy_ns / gpu_busy;
	if (dt > 0) {
		if (g && g->engines)
			r->busy_pct = 100.0 * r->busy_ns / (dt * g->engines);
		r->wait_pct = 100.0 * r->wait_ns / dt;
		r->cmd_rate = r->commands * 1e9 / dt;
		r->byte_rate = r->bytes * 1e9 / dt;
	}
}

/* Per-engine utilisation in the interval, percent; returns the engines */
static unsigned int mvctl_gpu_util(const struct mvctl_sample *prev,
				   const struct mvctl_sample *cur,
				   const struct mvctl_gpu *g, double *util,
				   double *avg)
{
	const struct mvctl_gpu *pg;
	double dt = (double)(cur->t_ns - prev->t_ns), sum = 0;
	unsigned int i;

	pg = mvctl_find_gpu((struct mvctl_sys *)&prev->sys, g->name);
	for (i = 0; i < g->nengines_read; i++) {
		uint64_t d = mvctl_delta(g->engine_busy_ns[i],
					 pg && i < pg->nengines_read ?
					 pg->engine_busy_ns[i] : 0);

		util[i] = dt > 0 ? 100.0 * d / dt : 0;
		if (util[i] > 100)
			util[i] = 100;
		sum += util[i];
	}
	*avg = g->nengines_read ? sum / g->nengines_read : 0;
	return g->nengines_read;
}

static void mvctl_top_json(FILE *f, unsigned int n,
			   const struct mvctl_sample *prev,
			   const struct mvctl_sample *cur)
{
	double util[MVCTL_MAX_ENGINES], avg;
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
		mvctl_json_str(&j, "name", g->name);
		mvctl_json_str(&j, "scheduler", g->scheduler);
		mvctl_json_u64(&j, "timeslice_us", g->timeslice_us);
		mvctl_json_u64(&j, "engines", g->engines);
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
		mvctl_json_str(&j, "uuid", v->uuid);
		mvctl_json_str(&j, "gpu", v->gpu);
		mvctl_json_str(&j, "type", v->type);
		mvctl_json_str(&j, "state", v->state);
		mvctl_json_double(&j, "share_pct", r.share_pct, 1);
		mvctl_json_double(&j, "busy_pct", r.busy_pct, 1);
		mvctl_json_u64(&j, "busy_ns", r.busy_ns);
		mvctl_json_double(&j, "commands_per_s", r.cmd_rate, 1);
		mvctl_json_double(&j, "bytes_per_s", r.byte_rate, 0);
		mvctl_json_double(&j, "wait_pct", r.wait_pct, 1);
		mvctl_json_u64(&j, "wait_ns", r.wait_ns);
		mvctl_json_u64(&j, "faults", v->stats[MVCTL_STAT_FAULTS]);
		mvctl_json_obj_end(&j);
	}
	mvctl_json_arr_end(&j);
	mvctl_json_obj_end(&j);
	mvctl_json_end(&j);
}

static void mvctl_top_text(FILE *f, const struct mvctl_sample *prev,
			   const struct mvctl_sample *cur)
{
	double util[MVCTL_MAX_ENGINES], avg;
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
		mvctl_table_cell(t, "%s", g->name);
		mvctl_table_cell(t, "%s", g->scheduler);
		mvctl_table_cell(t, "%s", mvctl_fmt_ns(slice, sizeof(slice),
						       g->timeslice_us * 1000ULL));
		mvctl_table_cell(t, "%u", g->engines);
		mvctl_table_cell(t, "%.0f%%", avg);
		mvctl_table_cell(t, "%s", per);
		mvctl_table_cell(t, "%u", g->nvgpus);
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
		mvctl_table_cell(t, "%s", v->uuid);
		mvctl_table_cell(t, "%s", v->gpu);
		mvctl_table_cell(t, "%s", v->type);
		mvctl_table_cell(t, "%s", v->state);
		mvctl_table_cell(t, "%.1f%%", r.share_pct);
		mvctl_table_cell(t, "%.1f%%", r.busy_pct);
		mvctl_table_cell(t, "%s", mvctl_fmt_rate(cmds, sizeof(cmds),
							 r.cmd_rate));
		mvctl_table_cell(t, "%s", mvctl_fmt_byte_rate(bytes, sizeof(bytes),
							      r.byte_rate));
		mvctl_table_cell(t, "%.1f%%", r.wait_pct);
		mvctl_table_cell(t, "%llu", (unsigned long long)
				 v->stats[MVCTL_STAT_FAULTS]);
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
	ret = mvctl_require_module();
	if (ret)
		return ret;
	if (!a.iterations && !mvctl_opts.json && isatty(STDOUT_FILENO))
		return mvctl_top_screen();
	return mvctl_top_plain((unsigned int)n);
}
