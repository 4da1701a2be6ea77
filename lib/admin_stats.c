// SPDX-License-Identifier: MIT
/*
 * Watching: statistics and meters of any vGPU by UUID (sysfs, no need to
 * open it), rates and utilisation from two samples, and the usage
 * records of removed vGPUs with their acknowledgement.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin_int.h"

static uint64_t mvgpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int mvgpu_admin_stats(struct mvgpu_admin *a, const char *uuid,
		      struct mvgpu_vgpu_stats *out)
{
	char id[MVGPU_UUID_LEN], dir[PATH_MAX];
	struct mvgpu_vgpu_stats s;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_stats: the handle is NULL");
	if (mvgpu_uuid_parse(uuid, id))
		return mvgpu__err(-EINVAL, "mvgpu_admin_stats: '%s' is not a UUID",
				  uuid ? uuid : "(null)");
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	mvgpu__vgpu_dir(a, dir, id);
	s.timestamp_ns = mvgpu_now_ns();
	ret = mvgpu__read_stats(dir, &s.stats, "mvgpu_admin_stats");
	if (!ret)
		ret = mvgpu__read_meter(dir, &s, "mvgpu_admin_stats");
	if (ret == -ENOENT)
		return mvgpu__err(-ENOENT, "mvgpu_admin_stats: no vGPU with UUID %s (removed?)",
				  id);
	if (ret)
		return ret;
	return mvgpu__copy_out(out, &s, sizeof(s), "mvgpu_admin_stats");
}

/* after - before; a counter that went back started over */
static uint64_t mvgpu_delta(uint64_t after, uint64_t before)
{
	return after >= before ? after - before : after;
}

int mvgpu_admin_rates(const struct mvgpu_vgpu_stats *before,
		      const struct mvgpu_vgpu_stats *after, uint32_t engines,
		      struct mvgpu_rates *out)
{
	struct mvgpu_vgpu_stats b, x;
	struct mvgpu_rates r;
	double dt;
	int ret;

	ret = mvgpu__copy_in(&b, sizeof(b), before, "mvgpu_admin_rates");
	if (!ret)
		ret = mvgpu__copy_in(&x, sizeof(x), after, "mvgpu_admin_rates");
	if (ret)
		return ret;
	if (x.timestamp_ns <= b.timestamp_ns)
		return mvgpu__err(-EINVAL, "mvgpu_admin_rates: the second sample is not later than the first");
	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.interval_ns = x.timestamp_ns - b.timestamp_ns;
	dt = (double)r.interval_ns;
	r.busy_ns = mvgpu_delta(x.stats.busy_ns, b.stats.busy_ns);
	r.wait_ns = mvgpu_delta(x.stats.wait_ns, b.stats.wait_ns);
	r.commands = mvgpu_delta(x.stats.commands, b.stats.commands);
	r.bytes = mvgpu_delta(x.stats.bytes, b.stats.bytes);
	r.faults = mvgpu_delta(x.stats.faults, b.stats.faults);
	if (engines)
		r.busy_pct = 100.0 * r.busy_ns / (dt * engines);
	r.wait_pct = 100.0 * r.wait_ns / dt;
	r.commands_per_s = r.commands * 1e9 / dt;
	r.bytes_per_s = r.bytes * 1e9 / dt;
	r.dma_bytes_per_s = mvgpu_delta(x.dma_bytes, b.dma_bytes) * 1e9 / dt;
	return mvgpu__copy_out(out, &r, sizeof(r), "mvgpu_admin_rates");
}

int mvgpu_admin_gpu_util(const struct mvgpu_gpu_info *before,
			 const struct mvgpu_gpu_info *after,
			 uint64_t interval_ns,
			 double util_pct[MVGPU_ADMIN_MAX_ENGINES])
{
	unsigned int i, n;

	if (!after || !util_pct)
		return mvgpu__err(-EINVAL, "mvgpu_admin_gpu_util: NULL argument");
	n = after->nengines_read;
	if (n > MVGPU_ADMIN_MAX_ENGINES)
		n = MVGPU_ADMIN_MAX_ENGINES;
	for (i = 0; i < n; i++) {
		uint64_t d = mvgpu_delta(after->engine_busy_ns[i],
					 before && i < before->nengines_read ?
					 before->engine_busy_ns[i] : 0);

		util_pct[i] = interval_ns ? 100.0 * d / interval_ns : 0;
		if (util_pct[i] > 100)
			util_pct[i] = 100;
	}
	return (int)n;
}

/* ------------------------------------------------------------------ */
/* Usage records                                                       */
/* ------------------------------------------------------------------ */

/* One line "seq=N uuid=U type=T name=V ..." into r; 0 or -EPROTO */
static int mvgpu_parse_record(char *line, struct mvgpu_usage_record *r)
{
	unsigned int have = 0, i;
	char *tok, *save = NULL;

	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *val = strchr(tok, '=');
		uint64_t v;

		if (!val)
			return -EPROTO;
		*val++ = '\0';
		if (!strcmp(tok, "uuid")) {
			mvgpu__strlcpy(r->uuid, val, sizeof(r->uuid));
			continue;
		}
		if (!strcmp(tok, "type")) {
			mvgpu__strlcpy(r->type, val, sizeof(r->type));
			continue;
		}
		if (mvgpu__parse_u64(val, &v))
			return -EPROTO;
		if (!strcmp(tok, "seq")) {
			r->seq = v;
			have |= 1;
			continue;
		}
		for (i = 0; mvgpu__meter_name(i); i++) {
			if (strcmp(tok, mvgpu__meter_name(i)))
				continue;
			switch (i) {
			case MVGPU_METER_ENGINE_NS:
				r->engine_ns = v;
				break;
			case MVGPU_METER_DMA_NS:
				r->dma_ns = v;
				break;
			case MVGPU_METER_DMA_BYTES:
				r->dma_bytes = v;
				break;
			case MVGPU_METER_COMMANDS:
				r->commands = v;
				break;
			case MVGPU_METER_FAULTS:
				r->faults = v;
				break;
			case MVGPU_METER_VRAM_BYTE_S:
				r->vram_byte_s = v;
				break;
			default:	/* faults_KIND, only when not 0 */
				r->faults_by_kind[i - MVGPU_METER_FAULTS_UNMAPPED +
						  MVGPU_FAULT_UNMAPPED] = v;
				break;
			}
		}
		/* a name this library does not know is a newer meter */
	}
	return (have & 1) && r->uuid[0] ? 0 : -EPROTO;
}

int mvgpu_admin_usage(struct mvgpu_admin *a, const char *gpu,
		      struct mvgpu_usage_record *recs, unsigned int max,
		      uint64_t *dropped)
{
	struct mvgpu_admin_gpu *g;
	char dir[PATH_MAX], *buf, *line, *save = NULL;
	size_t stride;
	unsigned int n = 0;
	uint32_t size;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_usage: the handle is NULL");
	if (max && !recs)
		return mvgpu__err(-EINVAL, "mvgpu_admin_usage: recs is NULL");
	size = max ? recs[0].size : sizeof(*recs);
	if (size < MVGPU_ADMIN_MIN_SIZE)
		return mvgpu__err(-EINVAL, "mvgpu_admin_usage: recs[0].size is %u: set it to sizeof the struct",
				  size);
	stride = size;
	ret = mvgpu__lookup_gpu(a, gpu, &g, "mvgpu_admin_usage");
	if (ret)
		return ret;
	mvgpu__apath(a, dir, "/%s/%s", MVGPU_SYSFS_CLASS_REL, g->info.name);
	if (dropped) {
		ret = mvgpu__sysfs_u64(dir, MVGPU_ATTR_USAGE_DROPPED, dropped);
		if (ret)
			return mvgpu__err(ret, "cannot read %s/%s: %s", dir,
					  MVGPU_ATTR_USAGE_DROPPED,
					  strerror(-ret));
	}
	buf = malloc(8192);
	if (!buf)
		return mvgpu__err(-ENOMEM, "mvgpu_admin_usage: out of memory");
	ret = mvgpu__sysfs_read(dir, MVGPU_ATTR_USAGE, buf, 8192);
	if (ret) {
		free(buf);
		return mvgpu__err(ret, "cannot read %s/%s: %s", dir,
				  MVGPU_ATTR_USAGE, strerror(-ret));
	}
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		struct mvgpu_usage_record r;
		struct mvgpu_usage_record *dst =
			(void *)((char *)recs + n * stride);

		memset(&r, 0, sizeof(r));
		r.size = sizeof(r);
		mvgpu__strlcpy(r.gpu, g->info.name, sizeof(r.gpu));
		if (mvgpu_parse_record(line, &r)) {
			free(buf);
			return mvgpu__err(-EPROTO, "%s/%s: cannot parse a record",
					  dir, MVGPU_ATTR_USAGE);
		}
		dst->size = size;
		mvgpu__copy_out(dst, &r, sizeof(r), "mvgpu_admin_usage");
		n++;
	}
	free(buf);
	return (int)n;
}

int mvgpu_admin_usage_ack(struct mvgpu_admin *a, const char *gpu,
			  uint64_t seq)
{
	struct mvgpu_admin_gpu *g;
	char path[PATH_MAX], num[32];
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_usage_ack: the handle is NULL");
	ret = mvgpu__lookup_gpu(a, gpu, &g, "mvgpu_admin_usage_ack");
	if (ret)
		return ret;
	mvgpu__apath(a, path, "/%s/%s/%s", MVGPU_SYSFS_CLASS_REL,
		     g->info.name, MVGPU_ATTR_USAGE_ACK);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	ret = mvgpu__write_file(path, num);
	if (ret)
		return mvgpu__err(ret, "cannot write %s: %s", path,
				  strerror(-ret));
	return 0;
}
