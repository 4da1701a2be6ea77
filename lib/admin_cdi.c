// SPDX-License-Identifier: MIT
/*
 * Containers: a Container Device Interface spec naming every vGPU of the
 * snapshot, with the VFIO device nodes a container needs to open it and
 * MVGPU_UUID, which libmvgpu's mvgpu_open(NULL) reads inside.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"

struct mvgpu_strbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void mvgpu_sb_printf(struct mvgpu_strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void mvgpu_sb_printf(struct mvgpu_strbuf *b, const char *fmt, ...)
{
	va_list ap;
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
		char *s = realloc(b->s, b->cap * 2 + n);

		if (!s) {
			b->err = -ENOMEM;
			return;
		}
		b->s = s;
		b->cap = b->cap * 2 + n;
	}
	b->len += n;
}

int mvgpu_admin_cdi_spec(struct mvgpu_admin *a, char **json)
{
	struct mvgpu_strbuf b = { 0 };
	char dir[PATH_MAX], group[32];
	unsigned int i;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_cdi_spec: the handle is NULL");
	if (!json)
		return mvgpu__err(-EINVAL, "mvgpu_admin_cdi_spec: json is NULL");
	b.cap = 1024;
	b.s = malloc(b.cap);
	if (!b.s)
		return mvgpu__err(-ENOMEM, "mvgpu_admin_cdi_spec: out of memory");
	/* UUIDs and group numbers need no JSON escaping */
	mvgpu_sb_printf(&b, "{\n  \"cdiVersion\": \"%s\",\n  \"kind\": \"%s\",\n"
			"  \"containerEdits\": {\n    \"deviceNodes\": [\n"
			"      { \"path\": \"%s\" }\n    ]\n  },\n"
			"  \"devices\": [", MVGPU_CDI_VERSION, MVGPU_CDI_KIND,
			MVGPU_VFIO_DEV);
	for (i = 0; i < a->nvgpus; i++) {
		const struct mvgpu_vgpu_info *v = &a->vgpus[i];

		mvgpu__vgpu_dir(a, dir, v->uuid);
		ret = mvgpu__link_basename(dir, "iommu_group", group,
					   sizeof(group));
		if (ret) {
			free(b.s);
			return mvgpu__err(ret, "mvgpu_admin_cdi_spec: vGPU %s has no IOMMU group (%s): is vfio_iommu_type1 loaded?",
					  v->uuid, strerror(-ret));
		}
		mvgpu_sb_printf(&b, "%s\n    {\n      \"name\": \"%s\",\n"
				"      \"containerEdits\": {\n"
				"        \"env\": [ \"%s=%s\" ],\n"
				"        \"deviceNodes\": [\n"
				"          { \"path\": \"/dev/vfio/%s\" }\n"
				"        ]\n      }\n    }",
				i ? "," : "", v->uuid, MVGPU_UUID_ENV, v->uuid,
				group);
	}
	mvgpu_sb_printf(&b, "\n  ]\n}\n");
	if (b.err) {
		free(b.s);
		return mvgpu__err(b.err, "mvgpu_admin_cdi_spec: out of memory");
	}
	*json = b.s;
	return 0;
}
