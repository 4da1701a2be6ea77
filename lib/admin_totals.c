// SPDX-License-Identifier: MIT
/*
 * A GPU's meter totals as counters that only grow: the meters of its
 * listed vGPUs plus the usage records of its removed ones, read without
 * acknowledging them (an exporter must not take them from the operator's
 * accounting).  The handle remembers, per GPU, the newest record counted.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"

#define MVGPU_TOTALS_PAGE	256	/* records read per call */

static struct mvgpu_admin_totals_state *
mvgpu_totals_state(struct mvgpu_admin *a, const char *gpu)
{
	struct mvgpu_admin_totals_state *t;
	unsigned int i;

	for (i = 0; i < a->ntotals; i++)
		if (!strcmp(a->totals[i].gpu, gpu))
			return &a->totals[i];
	t = realloc(a->totals, (a->ntotals + 1) * sizeof(*t));
	if (!t)
		return NULL;
	a->totals = t;
	t = &a->totals[a->ntotals++];
	memset(t, 0, sizeof(*t));
	mvgpu__strlcpy(t->gpu, gpu, sizeof(t->gpu));
	return t;
}

static void mvgpu_totals_add_record(struct mvgpu_meter_totals *m,
				    const struct mvgpu_usage_record *r)
{
	unsigned int k;

	m->removed_vgpus++;
	m->removed_engine_ns += r->engine_ns;
	m->removed_dma_ns += r->dma_ns;
	m->removed_dma_bytes += r->dma_bytes;
	m->removed_commands += r->commands;
	m->removed_faults += r->faults;
	m->removed_vram_byte_s += r->vram_byte_s;
	for (k = 0; k < MVGPU_NUM_FAULT_CODES; k++)
		m->removed_faults_by_kind[k] += r->faults_by_kind[k];
}

static void mvgpu_totals_add_live(struct mvgpu_meter_totals *m,
				  const struct mvgpu_vgpu_stats *s)
{
	unsigned int k;

	m->engine_ns += s->engine_ns;
	m->dma_ns += s->dma_ns;
	m->dma_bytes += s->dma_bytes;
	m->commands += s->commands;
	m->faults += s->faults;
	m->vram_byte_s += s->vram_byte_s;
	for (k = 0; k < MVGPU_NUM_FAULT_CODES; k++)
		m->faults_by_kind[k] += s->faults_by_kind[k];
}

static uint64_t mvgpu_max_u64(uint64_t x, uint64_t y)
{
	return x > y ? x : y;
}

/* each field of *m at least what was reported before; then remember it */
static void mvgpu_totals_hold(struct mvgpu_meter_totals *m,
			      struct mvgpu_meter_totals *prev)
{
	uint64_t *dst = &m->engine_ns, *old = &prev->engine_ns;
	size_t i, n = (sizeof(*m) - offsetof(struct mvgpu_meter_totals,
					     engine_ns)) / sizeof(uint64_t);

	for (i = 0; i < n; i++)
		dst[i] = mvgpu_max_u64(dst[i], old[i]);
	*prev = *m;
}

/* was this UUID removed with a record new in this call? */
static int mvgpu_in_new_records(const struct mvgpu_usage_record *recs,
				int first, int n, const char *uuid)
{
	int i;

	for (i = first; i < n; i++)
		if (!strcmp(recs[i].uuid, uuid))
			return 1;
	return 0;
}

/* the caller's samples (stride live[0].size) into ours: 0 or -EINVAL */
static int mvgpu_totals_take(struct mvgpu_admin *a,
			     const struct mvgpu_vgpu_stats *live,
			     struct mvgpu_vgpu_stats *own)
{
	size_t stride = live[0].size;
	unsigned int v;

	if (stride < MVGPU_ADMIN_MIN_SIZE)
		return mvgpu__err(-EINVAL, "mvgpu_admin_totals: live[0].size is %zu: set it to sizeof the struct",
				  stride);
	for (v = 0; v < a->nvgpus; v++) {
		const struct mvgpu_vgpu_stats *src =
			(const void *)((const char *)live + v * stride);

		if (mvgpu__copy_in(&own[v], sizeof(own[v]), src,
				   "mvgpu_admin_totals"))
			return -EINVAL;
		own[v].size = own[v].timestamp_ns ? sizeof(own[v]) : 0;
	}
	return 0;
}

int mvgpu_admin_totals(struct mvgpu_admin *a, const char *gpu,
		       const struct mvgpu_vgpu_stats *live_in,
		       struct mvgpu_meter_totals *out)
{
	struct mvgpu_usage_record *recs;
	struct mvgpu_vgpu_stats *live;
	struct mvgpu_admin_totals_state *t;
	struct mvgpu_admin_gpu *g;
	struct mvgpu_meter_totals m;
	int ret, nrec, first, i;
	unsigned int v, nlive = 0;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_totals: the handle is NULL");
	ret = mvgpu__lookup_gpu(a, gpu, &g, "mvgpu_admin_totals");
	if (ret)
		return ret;
	t = mvgpu_totals_state(a, g->info.name);
	live = calloc(a->nvgpus ? a->nvgpus : 1, sizeof(*live));
	recs = calloc(MVGPU_TOTALS_PAGE, sizeof(*recs));
	if (!t || !live || !recs) {
		ret = mvgpu__err(-ENOMEM, "mvgpu_admin_totals: out of memory");
		goto free_bufs;
	}

	if (live_in) {
		ret = mvgpu_totals_take(a, live_in, live);
		if (ret)
			goto free_bufs;
	}
	/* the listed vGPUs first, their records after: see the header */
	for (v = 0; v < a->nvgpus; v++) {
		if (strcmp(a->vgpus[v].gpu, g->info.name))
			continue;
		if (live_in) {
			if (live[v].size)
				nlive++;
			continue;
		}
		live[v].size = sizeof(live[v]);
		ret = mvgpu_admin_stats(a, a->vgpus[v].uuid, &live[v]);
		if (ret == -ENOENT) {	/* removed since the snapshot */
			live[v].size = 0;
			continue;
		}
		if (ret)
			goto free_bufs;
		nlive++;
	}
	recs[0].size = sizeof(recs[0]);
	nrec = mvgpu_admin_usage(a, g->info.name, recs, MVGPU_TOTALS_PAGE,
				 NULL);
	if (nrec < 0) {
		ret = nrec;
		goto free_bufs;
	}

	/* records are oldest first; count those newer than the last counted */
	for (first = 0; first < nrec && recs[first].seq <= t->last_seq; first++)
		;
	for (i = first; i < nrec; i++) {
		mvgpu_totals_add_record(&t->removed, &recs[i]);
		t->last_seq = recs[i].seq;
	}

	m = t->removed;
	m.size = sizeof(m);
	m.engine_ns = m.removed_engine_ns;
	m.dma_ns = m.removed_dma_ns;
	m.dma_bytes = m.removed_dma_bytes;
	m.commands = m.removed_commands;
	m.faults = m.removed_faults;
	m.vram_byte_s = m.removed_vram_byte_s;
	memcpy(m.faults_by_kind, m.removed_faults_by_kind,
	       sizeof(m.faults_by_kind));
	for (v = 0; v < a->nvgpus && nlive; v++)
		if (live[v].size && !strcmp(a->vgpus[v].gpu, g->info.name) &&
		    !mvgpu_in_new_records(recs, first, nrec, a->vgpus[v].uuid))
			mvgpu_totals_add_live(&m, &live[v]);
	mvgpu_totals_hold(&m, &t->reported);
	ret = mvgpu__copy_out(out, &m, sizeof(m), "mvgpu_admin_totals");

free_bufs:
	free(recs);
	free(live);
	return ret;
}
