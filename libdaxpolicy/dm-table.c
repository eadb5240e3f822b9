// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The table of a device-mapper device: its targets, each a run of the
 * device's sectors and, for a linear target, the device and offset it maps
 * to. Read with the DM_TABLE_STATUS ioctl on /dev/mapper/control (as
 * 'dmsetup table' does), which needs CAP_SYS_ADMIN.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "private.h"

/* The kernel's "huge" device number encoding, used by struct dm_ioctl. */
static uint64_t dm_encode_dev(dev_t dev)
{
	uint64_t maj = major(dev), min = minor(dev);

	return (min & 0xff) | (maj << 8) | ((min & ~0xffull) << 12);
}

static const char *needs_admin(int rc)
{
	return rc == -EACCES || rc == -EPERM ? " (reading it needs CAP_SYS_ADMIN: run as root)" : "";
}

/*
 * The answer is read as bytes: its header and each target spec are copied
 * into local structures (the buffer need not be aligned, and a spec's
 * offset comes from the answer), every offset is checked against the bytes
 * the answer says it holds before it is followed, and the number of
 * targets is bounded by what those bytes can hold before anything is
 * allocated for them.
 */
int dp_dm_parse_table(const void *buf, size_t size, struct dp_dm_target **targets, size_t *count)
{
	struct dm_ioctl dmi;
	const char *data;
	struct dp_dm_target *v;
	size_t next = 0, avail;

	*targets = NULL;
	*count = 0;
	if (!buf || size < sizeof(dmi))
		return -EPROTO;
	memcpy(&dmi, buf, sizeof(dmi));
	if (dmi.data_start < sizeof(dmi) || dmi.data_size > size || dmi.data_start > dmi.data_size)
		return -EPROTO;
	data = (const char *)buf + dmi.data_start;
	avail = dmi.data_size - dmi.data_start;
	/* Each target is at least a spec and the NUL of its parameters. */
	if (dmi.target_count > avail / (sizeof(struct dm_target_spec) + 1))
		return -EPROTO;
	v = calloc(dmi.target_count ? dmi.target_count : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < dmi.target_count; i++) {
		struct dm_target_spec spec;
		struct dp_dm_target *t = &v[i];
		const char *params;
		unsigned int maj, min;
		unsigned long long off;
		int used = 0;

		if (next > avail || avail - next < sizeof(spec) + 1)
			goto malformed;
		memcpy(&spec, data + next, sizeof(spec));
		params = data + next + sizeof(spec);
		if (!memchr(params, '\0', avail - next - sizeof(spec)))
			goto malformed;
		/* The next spec (counted from the first) lies after this
		 * one's parameters, 8-byte aligned. */
		if (i + 1 < dmi.target_count &&
		    (spec.next <= next + sizeof(spec) + strlen(params) || spec.next % 8))
			goto malformed;
		t->start = spec.sector_start;
		t->length = spec.length;
		dp_snprintf(t->type, sizeof(t->type), "%.*s", (int)sizeof(spec.target_type),
			    spec.target_type);
		/* "MAJ:MIN OFFSET" */
		if (!strcmp(t->type, "linear")) {
			if (sscanf(params, "%u:%u %llu%n", &maj, &min, &off, &used) != 3 || params[used])
				goto malformed;
			t->dev = makedev(maj, min);
			t->offset = off;
		}
		next = spec.next;
	}
	*targets = v;
	*count = dmi.target_count;
	return 0;
malformed:
	free(v);
	return -EPROTO;
}

int dp_dm_table(struct daxpolicy_ctx *ctx, dev_t dev, struct dp_dm_target **targets, size_t *count)
{
	size_t size = 16384;
	struct dm_ioctl *dmi = NULL;
	int fd, rc;

	*targets = NULL;
	*count = 0;
	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		err(ctx, "cannot open /dev/mapper/control to read the table of %u:%u: %s%s",
		    major(dev), minor(dev), strerror(-rc), needs_admin(rc));
		return rc;
	}
	for (;;) {
		struct dm_ioctl *bigger = realloc(dmi, size);

		if (!bigger) {
			rc = -ENOMEM;
			break;
		}
		dmi = bigger;
		memset(dmi, 0, sizeof(*dmi));
		dmi->version[0] = DM_VERSION_MAJOR;
		dmi->data_size = (uint32_t)size;
		dmi->data_start = sizeof(*dmi);
		dmi->flags = DM_STATUS_TABLE_FLAG;
		dmi->dev = dm_encode_dev(dev);
		if (ioctl(fd, DM_TABLE_STATUS, dmi) < 0) {
			rc = -errno;
			err(ctx, "cannot read the device-mapper table of %u:%u: %s%s", major(dev), minor(dev),
			    strerror(-rc), needs_admin(rc));
			break;
		}
		if (!(dmi->flags & DM_BUFFER_FULL_FLAG)) {
			rc = dp_dm_parse_table(dmi, size, targets, count);
			if (rc == -EPROTO)
				err(ctx, "the device-mapper table of %u:%u is malformed", major(dev), minor(dev));
			break;
		}
		if (size >= (1u << 24)) {
			rc = -E2BIG;
			break;
		}
		size *= 4;
	}
	free(dmi);
	close(fd);
	return rc;
}
