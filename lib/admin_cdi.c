// SPDX-License-Identifier: MIT
/*
 * Containers: a Container Device Interface spec naming every vGPU of the
 * snapshot, with the VFIO device nodes a container needs to open it and
 * MVGPU_UUID, which libmvgpu's mvgpu_open(NULL) reads inside.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"

int mvgpu_admin_cdi_spec(struct mvgpu_admin *a, char **json)
{
	char dir[PATH_MAX], group[32], *buf = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;
	int ret;

	if (!a)
		return mvgpu__err(-EBADF, "mvgpu_admin_cdi_spec: the handle is NULL");
	if (!json)
		return mvgpu__err(-EINVAL, "mvgpu_admin_cdi_spec: json is NULL");
	/* a stdio stream that grows a buffer: no length to work out here */
	f = open_memstream(&buf, &len);
	if (!f)
		return mvgpu__err(-errno, "mvgpu_admin_cdi_spec: %s",
				  strerror(errno));
	/* UUIDs and group numbers need no JSON escaping */
	fprintf(f, "{\n  \"cdiVersion\": \"%s\",\n  \"kind\": \"%s\",\n"
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
			fclose(f);
			free(buf);
			return mvgpu__err(ret, "mvgpu_admin_cdi_spec: vGPU %s has no IOMMU group (%s): is vfio_iommu_type1 loaded?",
					  v->uuid, strerror(-ret));
		}
		fprintf(f, "%s\n    {\n      \"name\": \"%s\",\n"
			"      \"containerEdits\": {\n"
			"        \"env\": [ \"%s=%s\" ],\n"
			"        \"deviceNodes\": [\n"
			"          { \"path\": \"/dev/vfio/%s\" }\n"
			"        ]\n      }\n    }",
			i ? "," : "", v->uuid, MVGPU_UUID_ENV, v->uuid,
			group);
	}
	fprintf(f, "\n  ]\n}\n");
	/* a failed write leaves the stream's error flag set */
	ret = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) || ret) {
		free(buf);
		return mvgpu__err(-ENOMEM, "mvgpu_admin_cdi_spec: out of memory");
	}
	*json = buf;
	return 0;
}
