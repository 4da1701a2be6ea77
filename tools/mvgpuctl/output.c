// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output: aligned text tables for people, JSON for programs, and the
 * human units both share (binary byte units, time scaled from ns).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

/* ------------------------------- tables ------------------------------- */

#define MVCTL_TABLE_MAX_COLS	16

struct mvctl_table {
	unsigned int ncols;
	char align[MVCTL_TABLE_MAX_COLS];
	unsigned int ncells;	/* headers included */
	unsigned int cap;
	char **cells;
};

static void mvctl_table_push(struct mvctl_table *t, char *s)
{
	if (t->ncells == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->cells, cap * sizeof(*p));

		if (!p) {
			mvctl_fail(MVCTL_EXIT_FAIL, "out of memory");
			exit(MVCTL_EXIT_FAIL);
		}
		t->cells = p;
		t->cap = cap;
	}
	t->cells[t->ncells++] = s;
}

struct mvctl_table *mvctl_table_new(const char *align, ...)
{
	struct mvctl_table *t = calloc(1, sizeof(*t));
	unsigned int i;
	va_list ap;

	if (!t) {
		mvctl_fail(MVCTL_EXIT_FAIL, "out of memory");
		exit(MVCTL_EXIT_FAIL);
	}
	t->ncols = strlen(align);
	if (t->ncols > MVCTL_TABLE_MAX_COLS)
		t->ncols = MVCTL_TABLE_MAX_COLS;
	memcpy(t->align, align, t->ncols);
	va_start(ap, align);
	for (i = 0; i < t->ncols; i++)
		mvctl_table_cell(t, "%s", va_arg(ap, const char *));
	va_end(ap);
	return t;
}

void mvctl_table_cell(struct mvctl_table *t, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		mvctl_fail(MVCTL_EXIT_FAIL, "out of memory");
		exit(MVCTL_EXIT_FAIL);
	}
	mvctl_table_push(t, s);
}

void mvctl_table_print(struct mvctl_table *t, FILE *f)
{
	size_t width[MVCTL_TABLE_MAX_COLS] = { 0 };
	unsigned int i;

	for (i = 0; i < t->ncells; i++) {
		size_t n = strlen(t->cells[i]);

		if (n > width[i % t->ncols])
			width[i % t->ncols] = n;
	}
	for (i = 0; i < t->ncells; i++) {
		unsigned int col = i % t->ncols;
		bool last = col == t->ncols - 1 || i == t->ncells - 1;
		int w = (int)width[col];

		if (t->align[col] == 'r')
			fprintf(f, "%*s", w, t->cells[i]);
		else if (last)
			fputs(t->cells[i], f);	/* no trailing blanks */
		else
			fprintf(f, "%-*s", w, t->cells[i]);
		fputs(last ? "\n" : "  ", f);
	}
}

void mvctl_table_free(struct mvctl_table *t)
{
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/* -------------------------------- JSON -------------------------------- */

void mvctl_json_init(struct mvctl_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void mvctl_json_indent(struct mvctl_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Length of the valid UTF-8 sequence at s, or 0 */
static size_t mvctl_utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void mvctl_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			n = mvctl_utf8_len(p);
			if (!n) {
				fputs("\\ufffd", f);	/* not UTF-8 */
				break;
			}
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', f);
}

/* Comma, newline, indentation and "key": before a value */
static void mvctl_json_prefix(struct mvctl_json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->need_comma[j->depth])
			fputc(',', j->f);
		mvctl_json_indent(j);
	}
	j->need_comma[j->depth] = true;
	if (key && j->depth > 0 && j->in_object[j->depth]) {
		mvctl_json_string(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void mvctl_json_open(struct mvctl_json *j, const char *key, char c,
			    bool object)
{
	mvctl_json_prefix(j, key);
	fputc(c, j->f);
	if (j->depth < (int)sizeof(j->need_comma) - 1)
		j->depth++;
	j->need_comma[j->depth] = false;
	j->in_object[j->depth] = object;
}

static void mvctl_json_close(struct mvctl_json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had)
		mvctl_json_indent(j);
	fputc(c, j->f);
}

void mvctl_json_obj_begin(struct mvctl_json *j, const char *key)
{
	mvctl_json_open(j, key, '{', true);
}

void mvctl_json_obj_end(struct mvctl_json *j)
{
	mvctl_json_close(j, '}');
}

void mvctl_json_arr_begin(struct mvctl_json *j, const char *key)
{
	mvctl_json_open(j, key, '[', false);
}

void mvctl_json_arr_end(struct mvctl_json *j)
{
	mvctl_json_close(j, ']');
}

void mvctl_json_str(struct mvctl_json *j, const char *key, const char *v)
{
	mvctl_json_prefix(j, key);
	mvctl_json_string(j->f, v);
}

void mvctl_json_u64(struct mvctl_json *j, const char *key, uint64_t v)
{
	mvctl_json_prefix(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void mvctl_json_i64(struct mvctl_json *j, const char *key, int64_t v)
{
	mvctl_json_prefix(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void mvctl_json_double(struct mvctl_json *j, const char *key, double v,
		       int decimals)
{
	mvctl_json_prefix(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", decimals, v);
	else
		fputs("null", j->f);
}

void mvctl_json_bool(struct mvctl_json *j, const char *key, bool v)
{
	mvctl_json_prefix(j, key);
	fputs(v ? "true" : "false", j->f);
}

void mvctl_json_null(struct mvctl_json *j, const char *key)
{
	mvctl_json_prefix(j, key);
	fputs("null", j->f);
}

void mvctl_json_end(struct mvctl_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

/* -------------------------------- units ------------------------------- */

/* v / 2^(10 * exp) with 3 significant digits, trailing ".0" dropped */
static char *mvctl_fmt_scaled(char *buf, size_t len, double v,
			      const char *unit)
{
	if (v == floor(v) || v >= 100)
		snprintf(buf, len, "%.0f %s", v, unit);
	else if (v >= 10)
		snprintf(buf, len, "%.1f %s", v, unit);
	else
		snprintf(buf, len, "%.2f %s", v, unit);
	return buf;
}

char *mvctl_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	double v = (double)bytes;
	unsigned int i = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	return mvctl_fmt_scaled(buf, len, v, units[i]);
}

char *mvctl_fmt_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000) {
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
		return buf;
	}
	if (ns < 1000000)
		return mvctl_fmt_scaled(buf, len, ns / 1e3, "us");
	if (ns < 1000000000)
		return mvctl_fmt_scaled(buf, len, ns / 1e6, "ms");
	return mvctl_fmt_scaled(buf, len, ns / 1e9, "s");
}

char *mvctl_fmt_rate(char *buf, size_t len, double per_s)
{
	if (per_s < 1000)
		snprintf(buf, len, "%.0f/s", per_s);
	else if (per_s < 1e6)
		snprintf(buf, len, "%.1fk/s", per_s / 1e3);
	else if (per_s < 1e9)
		snprintf(buf, len, "%.1fM/s", per_s / 1e6);
	else
		snprintf(buf, len, "%.1fG/s", per_s / 1e9);
	return buf;
}

char *mvctl_fmt_byte_rate(char *buf, size_t len, double bytes_per_s)
{
	char b[32];

	if (bytes_per_s < 0)
		bytes_per_s = 0;
	mvctl_fmt_bytes(b, sizeof(b), (uint64_t)llround(bytes_per_s));
	snprintf(buf, len, "%s/s", b);
	return buf;
}

char *mvctl_fmt_stat(char *buf, size_t len, const struct mvctl_stat_info *si,
		     uint64_t v)
{
	switch (si->unit) {
	case MVCTL_UNIT_NS:
		return mvctl_fmt_ns(buf, len, v);
	case MVCTL_UNIT_BYTES:
		if (v < 1024)
			return mvctl_fmt_bytes(buf, len, v);
		{
			char b[32];

			mvctl_fmt_bytes(b, sizeof(b), v);
			snprintf(buf, len, "%s (%llu B)", b,
				 (unsigned long long)v);
		}
		return buf;
	case MVCTL_UNIT_COUNT:
	default:
		if (si->suffix)
			snprintf(buf, len, "%llu %s", (unsigned long long)v,
				 si->suffix);
		else
			snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
}

char *mvctl_fmt_owner(char *buf, size_t len, const struct mvctl_vgpu *v)
{
	if (v->i.owner_pid > 0 && v->i.owner_vm[0])
		snprintf(buf, len, "%d %s (VM %s)", v->i.owner_pid,
			 v->i.owner_comm, v->i.owner_vm);
	else if (v->i.owner_pid > 0)
		snprintf(buf, len, "%d %s", v->i.owner_pid, v->i.owner_comm);
	else
		snprintf(buf, len, "-");
	return buf;
}

void mvctl_json_vgpu(struct mvctl_json *j, const struct mvctl_vgpu *v)
{
	int i;

	mvctl_json_obj_begin(j, NULL);
	mvctl_json_str(j, "uuid", v->i.uuid);
	mvctl_json_str(j, "type", v->i.type);
	mvctl_json_str(j, "gpu", v->i.gpu);
	mvctl_json_str(j, "parent", v->i.parent);
	mvctl_json_str(j, "state", v->i.state);
	if (v->i.owner_pid > 0) {
		mvctl_json_obj_begin(j, "owner");
		mvctl_json_i64(j, "pid", v->i.owner_pid);
		mvctl_json_str(j, "comm", v->i.owner_comm);
		if (v->i.owner_vm[0])
			mvctl_json_str(j, "vm", v->i.owner_vm);
		mvctl_json_obj_end(j);
	} else {
		mvctl_json_null(j, "owner");
	}
	mvctl_json_u64(j, "weight", v->i.weight);
	mvctl_json_str(j, "priority", v->i.priority);
	mvctl_json_u64(j, "cap", v->i.cap_pct);
	mvctl_json_u64(j, "vram_size", v->i.vram_size);
	if (v->have_stats) {
		mvctl_json_obj_begin(j, "stats");
		for (i = 0; i < MVGPU_NUM_STATS; i++)
			mvctl_json_u64(j, mvctl_stat_names[i], mvctl_stat(v, i));
		mvctl_json_obj_end(j);
		mvctl_json_obj_begin(j, "meter");
		for (i = 0; i < MVGPU_NUM_METERS; i++)
			mvctl_json_u64(j, mvctl_meter_names[i],
				       mvctl_meter(v, i));
		mvctl_json_obj_end(j);
	}
	mvctl_json_obj_end(j);
}

void mvctl_json_ok(const char *cmd, const char *key, const char *val)
{
	struct mvctl_json j;

	if (!mvctl_opts.json)
		return;
	mvctl_json_init(&j, stdout, true);
	mvctl_json_obj_begin(&j, NULL);
	mvctl_json_str(&j, "command", cmd);
	mvctl_json_bool(&j, "ok", true);
	if (key)
		mvctl_json_str(&j, key, val);
	mvctl_json_obj_end(&j);
	mvctl_json_end(&j);
}
