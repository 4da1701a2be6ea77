// SPDX-License-Identifier: GPL-2.0-only
/*
 * mvgpu-exporter: one scrape.  Everything comes from libmvgpu's
 * management half; this file only formats.  Each family is written with
 * its HELP and TYPE lines and all its samples together, as the text
 * format wants: a family loop over GPUs or vGPUs, not a vGPU loop over
 * families.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define NS_PER_S	1e9

static void buf_printf(struct mvx_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void buf_printf(struct mvx_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t cap;
	char *s;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if (b->len + n < b->cap)
			break;
		cap = b->cap * 2 + n + 4096;
		s = realloc(b->s, cap);
		if (!s) {
			b->err = -ENOMEM;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	b->len += n;
}

static void buf_append(struct mvx_buf *b, const char *p, size_t n)
{
	size_t cap;
	char *s;

	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap * 2 + n + 4096;
		s = realloc(b->s, cap);
		if (!s) {
			b->err = -ENOMEM;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_puts(struct mvx_buf *b, const char *p)
{
	buf_append(b, p, strlen(p));
}

void mvx_buf_free(struct mvx_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ,name="value" with \, " and newline escaped (no comma when first) */
static void buf_label(struct mvx_buf *b, const char *name, const char *v,
		      int first)
{
	size_t run;

	if (!first)
		buf_append(b, ",", 1);
	buf_puts(b, name);
	buf_append(b, "=\"", 2);
	while (*v) {
		run = strcspn(v, "\\\"\n");
		buf_append(b, v, run);
		v += run;
		if (!*v)
			break;
		buf_append(b, *v == '\n' ? "\\n" : *v == '"' ? "\\\"" : "\\\\", 2);
		v++;
	}
	buf_append(b, "\"", 1);
}

/* " VALUE\n": integers without printf, the rest with 15 digits */
static void buf_value(struct mvx_buf *b, double d)
{
	char tmp[40], *p = tmp + sizeof(tmp);
	unsigned long long u;

	if (d >= 0 && d < 9007199254740992.0 && d == (double)(u = d)) {
		*--p = '\n';
		do {
			*--p = '0' + u % 10;
			u /= 10;
		} while (u);
		*--p = ' ';
		buf_append(b, p, tmp + sizeof(tmp) - p);
		return;
	}
	buf_printf(b, " %.15g\n", d);
}

static void family(struct mvx_buf *b, const char *name, const char *type,
		   const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ------------------------------------------------------------------ */
/* What one scrape read                                                */
/* ------------------------------------------------------------------ */

struct mvx_gpu {
	struct mvgpu_gpu_info info;
	struct mvgpu_meter_totals totals;
	int have_totals;
};

struct mvx_vgpu {
	struct mvgpu_vgpu_info info;
	const struct mvgpu_vgpu_stats *stats;	/* NULL: not read */
	uint32_t share_permille;	/* its type's */
};

struct mvx_scrape {
	int ngpus, nvgpus;
	struct mvx_gpu *gpus;
	struct mvx_vgpu *vgpus;
	struct mvgpu_vgpu_stats *stats;	/* by vGPU index, for the totals */
};

static void scrape_free(struct mvx_scrape *s)
{
	free(s->gpus);
	free(s->vgpus);
	free(s->stats);
}

static int scrape_read(struct mvx_exporter *x, struct mvx_scrape *s)
{
	struct mvgpu_type_info t;
	int i, ret;

	s->ngpus = mvgpu_admin_gpu_count(x->admin);
	s->nvgpus = mvgpu_admin_vgpu_count(x->admin);
	s->gpus = calloc(s->ngpus + 1, sizeof(*s->gpus));
	s->vgpus = calloc(s->nvgpus + 1, sizeof(*s->vgpus));
	s->stats = calloc(s->nvgpus + 1, sizeof(*s->stats));
	if (!s->gpus || !s->vgpus || !s->stats)
		return -ENOMEM;
	for (i = 0; i < s->nvgpus; i++)	/* timestamp_ns 0: not read */
		s->stats[i].size = sizeof(s->stats[i]);
	for (i = 0; i < s->nvgpus; i++) {
		struct mvx_vgpu *v = &s->vgpus[i];
		int gi;

		v->info.size = sizeof(v->info);
		if (mvgpu_admin_vgpu(x->admin, i, &v->info))
			continue;
		ret = mvgpu_admin_stats(x->admin, v->info.uuid, &s->stats[i]);
		if (!ret)
			v->stats = &s->stats[i];
		else	/* unread, for mvgpu_admin_totals() */
			s->stats[i].timestamp_ns = 0;
		if (ret && ret != -ENOENT)	/* -ENOENT: removed meanwhile */
			x->scrape_errors++;
		gi = mvgpu_admin_find_gpu(x->admin, v->info.gpu, NULL);
		t.size = sizeof(t);
		if (gi >= 0 &&
		    mvgpu_admin_find_type(x->admin, gi, v->info.type, &t) >= 0)
			v->share_permille = t.share_permille;
	}
	for (i = 0; i < s->ngpus; i++) {
		struct mvx_gpu *g = &s->gpus[i];

		g->info.size = sizeof(g->info);
		if (mvgpu_admin_gpu(x->admin, i, &g->info))
			continue;
		g->totals.size = sizeof(g->totals);
		g->have_totals = !mvgpu_admin_totals(x->admin, g->info.name,
						     s->nvgpus ? s->stats : NULL,
						     &g->totals);
		if (!g->have_totals)
			x->scrape_errors++;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* GPU families                                                        */
/* ------------------------------------------------------------------ */

static void gpu_labels(struct mvx_buf *b, const struct mvx_gpu *g)
{
	buf_label(b, "gpu", g->info.name, 1);
}

#define GPU_GAUGE(b, s, name, help, expr)				\
	do {								\
		int _i;							\
		family(b, name, "gauge", help);				\
		for (_i = 0; _i < (s)->ngpus; _i++) {			\
			const struct mvx_gpu *g = &(s)->gpus[_i];	\
			buf_puts(b, name);				\
			buf_append(b, "{", 1);				\
			gpu_labels(b, g);				\
			buf_append(b, "}", 1);				\
			buf_value(b, (double)(expr));			\
		}							\
	} while (0)

#define GPU_TOTAL(b, s, name, help, expr)				\
	do {								\
		int _i;							\
		family(b, name, "counter", help);			\
		for (_i = 0; _i < (s)->ngpus; _i++) {			\
			const struct mvx_gpu *g = &(s)->gpus[_i];	\
			if (!g->have_totals)				\
				continue;				\
			buf_puts(b, name);				\
			buf_append(b, "{", 1);				\
			gpu_labels(b, g);				\
			buf_append(b, "}", 1);				\
			buf_value(b, (double)(expr));			\
		}							\
	} while (0)

static void write_gpus(struct mvx_buf *b, const struct mvx_scrape *s,
		       struct mvx_exporter *x)
{
	int i, e, t;
	unsigned int k;

	family(b, "mvgpu_gpu_info", "gauge",
	       "A GPU: its backend and scheduling policy (always 1).");
	for (i = 0; i < s->ngpus; i++) {
		buf_printf(b, "mvgpu_gpu_info{");
		gpu_labels(b, &s->gpus[i]);
		buf_label(b, "backend", s->gpus[i].info.backend, 0);
		buf_label(b, "policy", s->gpus[i].info.scheduler, 0);
		buf_printf(b, "} 1\n");
	}
	GPU_GAUGE(b, s, "mvgpu_gpu_engines", "Engines of the GPU.",
		  g->info.engines);
	GPU_GAUGE(b, s, "mvgpu_gpu_timeslice_seconds",
		  "Scheduler time slice.", g->info.timeslice_us / 1e6);
	GPU_GAUGE(b, s, "mvgpu_gpu_vram_bytes", "VRAM of the GPU.",
		  g->info.vram_size);
	GPU_GAUGE(b, s, "mvgpu_gpu_vram_free_bytes",
		  "VRAM not given to any vGPU.", g->info.vram_free);
	GPU_GAUGE(b, s, "mvgpu_gpu_vram_releasing_bytes",
		  "VRAM held by vGPUs being removed.", g->info.vram_releasing);
	GPU_GAUGE(b, s, "mvgpu_gpu_vram_used_bytes",
		  "VRAM in use by its vGPUs: the sum of mvgpu_vgpu_vram_used_bytes.",
		  g->info.vram_used);
	GPU_GAUGE(b, s, "mvgpu_gpu_vgpus", "vGPUs on the GPU.",
		  g->info.nvgpus);
	GPU_GAUGE(b, s, "mvgpu_gpu_usage_records",
		  "Usage records of removed vGPUs not yet acknowledged.",
		  g->info.usage_records);
	family(b, "mvgpu_gpu_usage_records_dropped_total", "counter",
	       "Usage records lost before anyone acknowledged them.");
	for (i = 0; i < s->ngpus; i++) {
		buf_puts(b, "mvgpu_gpu_usage_records_dropped_total{");
		gpu_labels(b, &s->gpus[i]);
		buf_append(b, "}", 1);
		buf_value(b, s->gpus[i].info.usage_dropped);
	}

	family(b, "mvgpu_gpu_engine_busy_seconds_total", "counter",
	       "Time each engine of the GPU spent running commands.");
	for (i = 0; i < s->ngpus; i++)
		for (e = 0; e < (int)s->gpus[i].info.nengines_read &&
		     e < MVGPU_ADMIN_MAX_ENGINES; e++) {
			buf_printf(b, "mvgpu_gpu_engine_busy_seconds_total{");
			gpu_labels(b, &s->gpus[i]);
			buf_printf(b, ",engine=\"%d\"} %.15g\n", e,
				   s->gpus[i].info.engine_busy_ns[e] / NS_PER_S);
		}

	family(b, "mvgpu_type_available_instances", "gauge",
	       "vGPUs of the type that can still be created on the GPU.");
	for (i = 0; i < s->ngpus; i++)
		for (t = 0; t < (int)s->gpus[i].info.ntypes; t++) {
			struct mvgpu_type_info ti = { .size = sizeof(ti) };

			if (mvgpu_admin_type(x->admin, i, t, &ti))
				continue;
			buf_printf(b, "mvgpu_type_available_instances{");
			gpu_labels(b, &s->gpus[i]);
			buf_label(b, "type", ti.name, 0);
			buf_printf(b, "} %u\n", ti.available);
		}

	/* meters of every vGPU the GPU has had: monotonic across removal */
	GPU_TOTAL(b, s, "mvgpu_gpu_meter_engine_seconds_total",
		  "Engine time of every vGPU the GPU has had, removed ones included.",
		  g->totals.engine_ns / NS_PER_S);
	GPU_TOTAL(b, s, "mvgpu_gpu_meter_dma_seconds_total",
		  "DMA time of every vGPU the GPU has had, removed ones included.",
		  g->totals.dma_ns / NS_PER_S);
	GPU_TOTAL(b, s, "mvgpu_gpu_meter_dma_bytes_total",
		  "DMA bytes of every vGPU the GPU has had, removed ones included.",
		  g->totals.dma_bytes);
	GPU_TOTAL(b, s, "mvgpu_gpu_meter_commands_total",
		  "Commands of every vGPU the GPU has had, removed ones included.",
		  g->totals.commands);
	GPU_TOTAL(b, s, "mvgpu_gpu_meter_faults_total",
		  "Faults of every vGPU the GPU has had, removed ones included.",
		  g->totals.faults);
	family(b, "mvgpu_gpu_faults_total", "counter",
	       "Faults of every vGPU the GPU has had, removed ones included, by kind as the kernel counted them.");
	for (i = 0; i < s->ngpus; i++) {
		const struct mvx_gpu *g = &s->gpus[i];

		if (!g->have_totals)
			continue;
		for (k = MVGPU_FAULT_UNMAPPED; k < MVGPU_NUM_FAULT_CODES; k++) {
			buf_puts(b, "mvgpu_gpu_faults_total{");
			gpu_labels(b, g);
			buf_label(b, "kind", mvgpu_fault_kind_name(k), 0);
			buf_puts(b, "}");
			buf_value(b, g->totals.faults_by_kind[k]);
		}
	}
	GPU_TOTAL(b, s, "mvgpu_gpu_meter_vram_byte_seconds_total",
		  "VRAM bytes times seconds held by every vGPU the GPU has had.",
		  g->totals.vram_byte_s);
	/* the removed vGPUs alone, from their usage records */
	GPU_TOTAL(b, s, "mvgpu_removed_vgpus_total",
		  "Removed vGPUs whose usage record the exporter has read.",
		  g->totals.removed_vgpus);
	GPU_TOTAL(b, s, "mvgpu_removed_engine_seconds_total",
		  "Engine time of removed vGPUs (their usage records).",
		  g->totals.removed_engine_ns / NS_PER_S);
	GPU_TOTAL(b, s, "mvgpu_removed_dma_seconds_total",
		  "DMA time of removed vGPUs (their usage records).",
		  g->totals.removed_dma_ns / NS_PER_S);
	GPU_TOTAL(b, s, "mvgpu_removed_dma_bytes_total",
		  "DMA bytes of removed vGPUs (their usage records).",
		  g->totals.removed_dma_bytes);
	GPU_TOTAL(b, s, "mvgpu_removed_commands_total",
		  "Commands of removed vGPUs (their usage records).",
		  g->totals.removed_commands);
	GPU_TOTAL(b, s, "mvgpu_removed_faults_total",
		  "Faults of removed vGPUs (their usage records).",
		  g->totals.removed_faults);
	GPU_TOTAL(b, s, "mvgpu_removed_vram_byte_seconds_total",
		  "VRAM byte-seconds of removed vGPUs (their usage records).",
		  g->totals.removed_vram_byte_s);
}

/* ------------------------------------------------------------------ */
/* vGPU families                                                       */
/* ------------------------------------------------------------------ */

static void vgpu_labels(struct mvx_buf *b, const struct mvx_vgpu *v)
{
	buf_label(b, "gpu", v->info.gpu, 1);
	buf_label(b, "vgpu", v->info.uuid, 0);
	buf_label(b, "type", v->info.type, 0);
}

#define VGPU_METRIC(b, s, name, type, help, need_stats, expr)		\
	do {								\
		int _i;							\
		family(b, name, type, help);				\
		for (_i = 0; _i < (s)->nvgpus; _i++) {			\
			const struct mvx_vgpu *v = &(s)->vgpus[_i];	\
			if ((need_stats) && !v->stats)			\
				continue;				\
			buf_puts(b, name);				\
			buf_append(b, "{", 1);				\
			vgpu_labels(b, v);				\
			buf_append(b, "}", 1);				\
			buf_value(b, (double)(expr));			\
		}							\
	} while (0)

#define VGPU_GAUGE(b, s, name, help, expr) \
	VGPU_METRIC(b, s, name, "gauge", help, 0, expr)
#define VGPU_COUNTER(b, s, name, help, expr) \
	VGPU_METRIC(b, s, name, "counter", help, 1, expr)

static const char *const mvx_states[] = { "closed", "open", "faulted" };

static void write_vgpus(struct mvx_buf *b, const struct mvx_scrape *s)
{
	unsigned int k;
	int i;

	family(b, "mvgpu_vgpu_info", "gauge",
	       "A vGPU: its owner's command and VM name (always 1).");
	for (i = 0; i < s->nvgpus; i++) {
		buf_puts(b, "mvgpu_vgpu_info{");
		vgpu_labels(b, &s->vgpus[i]);
		buf_label(b, "owner_comm", s->vgpus[i].info.owner_comm, 0);
		buf_label(b, "owner_vm", s->vgpus[i].info.owner_vm, 0);
		buf_puts(b, "} 1\n");
	}
	family(b, "mvgpu_vgpu_state", "gauge",
	       "1 for the state the vGPU is in (closed, open, faulted), else 0.");
	for (i = 0; i < s->nvgpus; i++)
		for (k = 0; k < sizeof(mvx_states) / sizeof(mvx_states[0]); k++) {
			buf_puts(b, "mvgpu_vgpu_state{");
			vgpu_labels(b, &s->vgpus[i]);
			buf_label(b, "state", mvx_states[k], 0);
			buf_puts(b, strcmp(s->vgpus[i].info.state,
					   mvx_states[k]) ? "} 0\n" : "} 1\n");
		}
	VGPU_GAUGE(b, s, "mvgpu_vgpu_owner_pid",
		   "Process that has the vGPU open (0: nobody).",
		   v->info.owner_pid);
	VGPU_GAUGE(b, s, "mvgpu_vgpu_engine_share_ratio",
		   "Engine share of the vGPU's type (0.25 for 1/4).",
		   v->share_permille / 1000.0);
	VGPU_GAUGE(b, s, "mvgpu_vgpu_weight", "Scheduling weight.",
		   v->info.weight);
	VGPU_GAUGE(b, s, "mvgpu_vgpu_cap_ratio",
		   "Cap on engine time (0: no cap).", v->info.cap_pct / 100.0);
	VGPU_GAUGE(b, s, "mvgpu_vgpu_priority_high",
		   "1 when the vGPU has high priority.",
		   !strcmp(v->info.priority, "high"));
	VGPU_GAUGE(b, s, "mvgpu_vgpu_vram_bytes", "VRAM of the vGPU.",
		   v->info.vram_size);

	VGPU_COUNTER(b, s, "mvgpu_vgpu_busy_seconds_total",
		     "Engine time the vGPU used (DMA included).",
		     v->stats->stats.busy_ns / NS_PER_S);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_wait_seconds_total",
		     "Time the vGPU was runnable but waiting for an engine.",
		     v->stats->stats.wait_ns / NS_PER_S);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_slices_total", "Time slices run.",
		     v->stats->stats.slices);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_preemptions_total",
		     "Slices cut short for a high-priority neighbour or one that woke up behind it.",
		     v->stats->stats.preemptions);
	VGPU_METRIC(b, s, "mvgpu_vgpu_max_wait_slices", "gauge",
		    "Longest wait for an engine, in slices.", 1,
		    v->stats->stats.max_wait_slices);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_commands_total", "Commands completed.",
		     v->stats->stats.commands);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_processed_bytes_total",
		     "Bytes processed by commands.", v->stats->stats.bytes);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_interrupts_total",
		     "Interrupts delivered.", v->stats->stats.interrupts);
	family(b, "mvgpu_vgpu_faults_total", "counter",
	       "Faults that stopped the vGPU's context, by kind as the kernel counted them: unmapped, out_of_range, bad_opcode, bad_command, dma, bus_master, read_only.");
	for (i = 0; i < s->nvgpus; i++) {
		const struct mvx_vgpu *v = &s->vgpus[i];

		if (!v->stats)
			continue;
		for (k = MVGPU_FAULT_UNMAPPED; k < MVGPU_NUM_FAULT_CODES; k++) {
			buf_puts(b, "mvgpu_vgpu_faults_total{");
			vgpu_labels(b, v);
			buf_label(b, "kind", mvgpu_fault_kind_name(k), 0);
			buf_puts(b, "}");
			buf_value(b, v->stats->faults_by_kind[k]);
		}
	}
	VGPU_COUNTER(b, s, "mvgpu_vgpu_vram_page_faults_total",
		     "First touches of mapped VRAM pages (host page faults, not GPU faults).",
		     v->stats->stats.vram_faults);
	VGPU_GAUGE(b, s, "mvgpu_vgpu_vram_used_bytes",
		   "VRAM written or mapped writable since the vGPU was last scrubbed (created or closed), in 64 KiB granules.",
		   v->stats->vram_used);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_meter_engine_seconds_total",
		     "Metered engine time.", v->stats->engine_ns / NS_PER_S);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_dma_seconds_total", "Metered DMA time.",
		     v->stats->dma_ns / NS_PER_S);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_dma_bytes_total", "Metered DMA bytes.",
		     v->stats->dma_bytes);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_meter_commands_total",
		     "Metered commands.", v->stats->commands);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_meter_faults_total", "Metered faults.",
		     v->stats->faults);
	VGPU_COUNTER(b, s, "mvgpu_vgpu_vram_byte_seconds_total",
		     "VRAM bytes times seconds held.", v->stats->vram_byte_s);
}

/* ------------------------------------------------------------------ */
/* A scrape                                                            */
/* ------------------------------------------------------------------ */

static int mvx_connect(struct mvx_exporter *x)
{
	int ret;

	if (x->admin) {
		ret = mvgpu_admin_refresh(x->admin);
		if (ret != -ENODEV)	/* else keep the handle: its totals */
			return ret;
		/* the module went away: its counters did too; start over */
		mvgpu_admin_close(&x->admin);
	}
	return mvgpu_admin_open(x->sysfs_root, &x->admin);
}

int mvx_scrape(struct mvx_exporter *x, struct mvx_buf *out)
{
	struct mvx_scrape s = { 0 };
	int up, ret = 0;

	out->len = 0;
	out->err = 0;
	x->scrapes++;
	up = !mvx_connect(x);
	if (up) {
		ret = scrape_read(x, &s);
		if (!ret) {
			write_gpus(out, &s, x);
			write_vgpus(out, &s);
		}
	}
	scrape_free(&s);
	family(out, "mvgpu_up", "gauge",
	       "1 when the mvgpu module is loaded and its sysfs could be read.");
	buf_printf(out, "mvgpu_up %d\n", up);
	family(out, "mvgpu_exporter_scrape_errors_total", "counter",
	       "Reads of a GPU or vGPU that failed (other than a vGPU removed meanwhile).");
	buf_printf(out, "mvgpu_exporter_scrape_errors_total %llu\n",
		   x->scrape_errors);
	if (!ret)
		ret = out->err;
	return ret;
}

void mvx_exporter_close(struct mvx_exporter *x)
{
	mvgpu_admin_close(&x->admin);
}
