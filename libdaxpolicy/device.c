// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The block device under a filesystem: partition, device-mapper, loop,
 * virtio, nvme or pmem, and whether it can do DAX. Facts come from
 * /sys/dev/block/MAJ:MIN (re-rootable) and, for pmem, from libndctl; they are
 * cached per context until the mount table changes.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "private.h"
#include "cxl-region.h"

struct dp_device_cache {
	size_t count;
	struct dp_device *devices[];
};

struct dp_device dp_device_unknown = { .placeholder = true, .kind = "none", .dax = -1 };

void dp_device_cache_free(struct dp_device_cache *cache)
{
	for (size_t i = 0; cache && i < cache->count; i++)
		dp_device_unref(cache->devices[i]);
	free(cache);
}

struct dp_device *dp_device_new(void)
{
	struct dp_device *d = calloc(1, sizeof(*d));

	if (d) {
		d->refcount = 1;
		d->dax = -1;
	}
	return d;
}

struct dp_device *dp_device_ref(struct dp_device *d)
{
	if (!d->placeholder)
		__atomic_add_fetch(&d->refcount, 1, __ATOMIC_RELAXED);
	return d;
}

void dp_device_unref(struct dp_device *d)
{
	if (!d || d->placeholder || __atomic_sub_fetch(&d->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(d->cxl);
	free(d);
}

static const char *kind_of(const char *disk)
{
	static const struct { const char *prefix, *kind; } kinds[] = {
		{ "pmem", "pmem" }, { "dm-", "dm" }, { "loop", "loop" },
		{ "vd", "virtio-blk" }, { "nvme", "nvme" }, { "sd", "scsi" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strncmp(disk, kinds[i].prefix, strlen(kinds[i].prefix)) == 0)
			return kinds[i].kind;
	return "other";
}

static void note_damage(struct dp_device *dev, const char *what, int rc)
{
	if (dev->damaged)
		return;
	dev->damaged = true;
	dp_snprintf(dev->damage, sizeof(dev->damage), "%s: %s", what, strerror(-rc));
}

/* The names of the devices under a device-mapper device. */
static void read_slaves(struct daxpolicy_ctx *ctx, struct dp_device *dev)
{
	char path[PATH_MAX];
	struct dirent *de;
	size_t used = 0;
	DIR *dir;

	if (dp_sys_path(ctx, path, sizeof(path), "/sys/block/%s/slaves", dev->disk) < 0)
		return;
	dir = opendir(path);
	if (!dir) {
		note_damage(dev, "slaves", -errno);
		return;
	}
	while ((de = readdir(dir))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = dp_snprintf(dev->slaves + used, sizeof(dev->slaves) - used, "%s%s",
				used ? " " : "", de->d_name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	closedir(dir);
}

void dp_device_read(struct daxpolicy_ctx *ctx, dev_t devno, struct dp_device *dev)
{
	unsigned int maj = major(devno), min = minor(devno);
	int refcount = dev->refcount;
	bool placeholder = dev->placeholder;
	uint64_t val;
	int rc;

	free(dev->cxl);
	memset(dev, 0, sizeof(*dev));
	dev->refcount = refcount;
	dev->placeholder = placeholder;
	dev->devno = devno;
	dev->dax = 0;
	if (maj == 0) {
		/* Anonymous device: tmpfs, overlayfs, nfs, btrfs ... */
		strcpy(dev->kind, "none");
		return;
	}
	rc = dp_read_link_name(ctx, dev->name, sizeof(dev->name), "/sys/dev/block/%u:%u", maj, min);
	if (rc < 0) {
		dp_snprintf(dev->name, sizeof(dev->name), "%u:%u", maj, min);
		strcpy(dev->kind, "other");
		dev->dax = -1;
		note_damage(dev, "block device link", rc);
		return;
	}
	/* A partition has "partition" and "start"; its disk is the parent. */
	if (dp_read_u64(ctx, &val, "/sys/dev/block/%u:%u/partition", maj, min) == 0) {
		rc = dp_read_u64(ctx, &val, "/sys/dev/block/%u:%u/start", maj, min);
		if (rc < 0)
			note_damage(dev, "partition start", rc);
		else
			dev->start = val * 512;
		/* ".../block/pmem0/pmem0p1": the disk is the parent. */
		char target[PATH_MAX], *slash;

		rc = dp_read_link(ctx, target, sizeof(target), "/sys/dev/block/%u:%u", maj, min);
		if (rc >= 0 && (slash = strrchr(target, '/'))) {
			*slash = '\0';
			slash = strrchr(target, '/');
			dp_snprintf(dev->disk, sizeof(dev->disk), "%s", slash ? slash + 1 : target);
		}
	}
	strcpy(dev->kind, kind_of(dev->disk[0] ? dev->disk : dev->name));
	if (!dev->disk[0])
		dp_snprintf(dev->disk, sizeof(dev->disk), "%s", dev->name);

	rc = dp_read_u64(ctx, &val, "/sys/block/%s/queue/dax", dev->disk);
	if (rc < 0) {
		dev->dax = -1;
		note_damage(dev, "queue/dax", rc);
	} else {
		dev->dax = val == 1;
	}
	dev->sync = dev->dax == 1;
	if (strcmp(dev->kind, "dm") == 0)
		read_slaves(ctx, dev);
	if (strcmp(dev->kind, "pmem") == 0) {
		rc = dp_nvdimm_lookup(ctx, dev->disk, dev);
		if (rc < 0 && rc != -ENOENT)
			note_damage(dev, "nvdimm namespace", rc);
		if (rc == 0)
			dp_device_read_cxl(ctx, dev);
		if (dev->virtio_pmem)
			dev->sync = false;
	}
	if (strcmp(dev->disk, dev->name) == 0)
		dev->disk[0] = '\0';
}

void dp_device_read_cxl(struct daxpolicy_ctx *ctx, struct dp_device *dev)
{
	int rc;

	free(dev->cxl);
	dev->cxl = NULL;
	if (!dev->region[0])
		return;
	rc = dp_cxl_chain_read(ctx, dev->region, dev->persistence_domain, &dev->cxl);
	if (rc < 0 && rc != -ENOENT)
		note_damage(dev, "CXL region", rc);
}

int dp_device_lookup(struct daxpolicy_ctx *ctx, dev_t devno, struct dp_device **out)
{
	struct dp_device_cache *cache, *bigger;
	struct dp_device *dev;
	int rc = 0;

	pthread_mutex_lock(&ctx->lock);
	cache = ctx->devices;
	for (size_t i = 0; cache && i < cache->count; i++) {
		if (cache->devices[i]->devno == devno) {
			*out = dp_device_ref(cache->devices[i]);
			goto out;
		}
	}
	dev = dp_device_new();
	if (!dev) {
		rc = -ENOMEM;
		goto out;
	}
	/* Sysfs reads and libndctl happen with the lock held: rare (once per
	 * device per mount-table generation) and keeps the cache simple. */
	dp_device_read(ctx, devno, dev);
	bigger = realloc(cache, sizeof(*cache) +
			 ((cache ? cache->count : 0) + 1) * sizeof(cache->devices[0]));
	if (!bigger) {
		dp_device_unref(dev);
		rc = -ENOMEM;
		goto out;
	}
	if (!cache)
		bigger->count = 0;
	bigger->devices[bigger->count++] = dev;
	ctx->devices = bigger;
	*out = dp_device_ref(dev);
out:
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}
