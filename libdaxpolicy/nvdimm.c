// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The nvdimm namespace behind a pmem block device, through libndctl.
 * libndctl has no lookup from a block device to its namespace, so walk
 * buses, regions and namespaces and compare the block device names of the
 * namespace itself (raw), its pfn (fsdax) and its btt (sector).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "private.h"

static const char *mode_name(enum ndctl_namespace_mode mode)
{
	switch (mode) {
	case NDCTL_NS_MODE_FSDAX: return "fsdax";
	case NDCTL_NS_MODE_SECTOR: return "sector";
	case NDCTL_NS_MODE_RAW: return "raw";
	case NDCTL_NS_MODE_DEVDAX: return "devdax";
	default: return "unknown";
	}
}

static const char *domain_name(enum ndctl_persistence_domain domain)
{
	switch (domain) {
	case PERSISTENCE_CPU_CACHE: return "cpu_cache";
	case PERSISTENCE_MEM_CTRL: return "memory_controller";
	case PERSISTENCE_NONE: return "none";
	default: return "unknown";
	}
}

static bool same_name(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static void fill(struct dp_device *dev, struct ndctl_bus *bus,
		 struct ndctl_region *region, struct ndctl_namespace *ndns)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ndns);
	const char *provider = ndctl_bus_get_provider(bus);

	dp_snprintf(dev->ns_name, sizeof(dev->ns_name), "%s", ndctl_namespace_get_devname(ndns));
	dp_snprintf(dev->ns_mode, sizeof(dev->ns_mode), "%s",
		    mode_name(ndctl_namespace_get_mode(ndns)));
	dp_snprintf(dev->region, sizeof(dev->region), "%s", ndctl_region_get_devname(region));
	dp_snprintf(dev->persistence_domain, sizeof(dev->persistence_domain), "%s",
		    domain_name(ndctl_region_get_persistence_domain(region)));
	/* Like 'ndctl list': the usable size, after the fsdax page map. */
	dev->ns_size = pfn ? ndctl_pfn_get_size(pfn) : ndctl_namespace_get_size(ndns);
	if (pfn) {
		dev->ns_align = ndctl_pfn_get_align(pfn);
		dp_snprintf(dev->ns_map, sizeof(dev->ns_map), "%s",
			    ndctl_pfn_get_location(pfn) == NDCTL_PFN_LOC_RAM ? "mem" : "dev");
	}
	else if (!dax && strcmp(dev->ns_mode, "fsdax") == 0)
		strcpy(dev->ns_map, "mem");   /* no pfn device: page map in RAM */
	if (dax) {
		struct daxctl_region *dregion = ndctl_dax_get_daxctl_region(dax);
		struct daxctl_dev *ddev = dregion ? daxctl_dev_get_first(dregion) : NULL;

		dev->ns_align = ndctl_dax_get_align(dax);
		dp_snprintf(dev->ns_map, sizeof(dev->ns_map), "%s",
			    ndctl_dax_get_location(dax) == NDCTL_PFN_LOC_RAM ? "mem" : "dev");
		dev->ns_size = ndctl_dax_get_size(dax);
		if (ddev)
			dp_snprintf(dev->dax_dev, sizeof(dev->dax_dev), "%s", daxctl_dev_get_devname(ddev));
	}
	/* virtio-pmem regions are asynchronous: DAX without MAP_SYNC. */
	dev->virtio_pmem = provider && strstr(provider, "virtio") != NULL;
}

/* A namespace found by find_namespace(), with its bus and region; all owned
 * by @nctx. */
struct found_namespace {
	struct ndctl_ctx *nctx;
	struct ndctl_bus *bus;
	struct ndctl_region *region;
	struct ndctl_namespace *ndns;
};

/* Walk every bus, region and namespace for the first namespace that
 * @match() accepts with @key: 1 with @f filled (release it with
 * ndctl_unref(f->nctx)), 0 when there is none, or the -errno of creating
 * the libndctl context. */
static int find_namespace(bool (*match)(struct ndctl_namespace *ndns, const char *key),
			  const char *key, struct found_namespace *f)
{
	int rc = ndctl_new(&f->nctx);

	if (rc < 0)
		return rc;
	ndctl_set_log_priority(f->nctx, 0);
	ndctl_bus_foreach(f->nctx, f->bus)
		ndctl_region_foreach(f->bus, f->region)
			ndctl_namespace_foreach(f->region, f->ndns)
				if (match(f->ndns, key))
					return 1;
	ndctl_unref(f->nctx);
	return 0;
}

/* The namespace itself (raw), its pfn (fsdax) or its btt (sector) has the
 * block device @disk. */
static bool has_block_device(struct ndctl_namespace *ndns, const char *disk)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);

	return same_name(ndctl_namespace_get_block_device(ndns), disk) ||
	       (pfn && same_name(ndctl_pfn_get_block_device(pfn), disk)) ||
	       (btt && same_name(ndctl_btt_get_block_device(btt), disk));
}

int dp_nvdimm_lookup(struct daxpolicy_ctx *ctx, const char *disk, struct dp_device *dev)
{
	struct found_namespace f;
	int rc = find_namespace(has_block_device, disk, &f);

	if (rc < 0) {
		err(ctx, "cannot create a libndctl context: %s", strerror(-rc));
		return rc;
	}
	if (rc == 0) {
		dbg(ctx, "%s: no nvdimm namespace has this block device", disk);
		return -ENOENT;
	}
	fill(dev, f.bus, f.region, f.ndns);
	ndctl_unref(f.nctx);
	return 0;
}

/* The block device of a namespace: its pfn's (fsdax), btt's (sector) or its
 * own (raw); NULL for devdax or when the driver is not bound. */
static const char *namespace_block_device(struct ndctl_namespace *ndns)
{
	struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
	struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);
	const char *name = pfn ? ndctl_pfn_get_block_device(pfn) :
			   btt ? ndctl_btt_get_block_device(btt) :
			   ndctl_namespace_get_block_device(ndns);

	return name && name[0] ? name : NULL;
}

static bool is_named(struct ndctl_namespace *ndns, const char *ns)
{
	return strcmp(ndctl_namespace_get_devname(ndns), ns) == 0;
}

int dp_nvdimm_namespace(struct daxpolicy_ctx *ctx, const char *ns, struct dp_device *dev)
{
	struct found_namespace f;
	char blk[64] = "", text[32];
	unsigned int maj, min;
	const char *name;
	int rc = find_namespace(is_named, ns, &f);

	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	fill(dev, f.bus, f.region, f.ndns);
	name = namespace_block_device(f.ndns);
	if (name)
		dp_snprintf(blk, sizeof(blk), "%s", name);
	else if (strcmp(dev->ns_mode, "fsdax") == 0 || strcmp(dev->ns_mode, "raw") == 0)
		strcpy(dev->needs_module, "nd_pmem");
	else if (strcmp(dev->ns_mode, "sector") == 0)
		strcpy(dev->needs_module, "nd_btt");
	else if (strcmp(dev->ns_mode, "devdax") == 0 && !dev->dax_dev[0])
		strcpy(dev->needs_module, "device_dax");
	ndctl_unref(f.nctx);
	if (dev->needs_module[0]) {
		enum dp_module_state st = dp_module_state(ctx, dev->needs_module);

		if (st == DP_MODULE_LOADED || st == DP_MODULE_BUILTIN)
			dev->needs_module[0] = '\0';   /* loaded, just not bound */
	}
	if (strcmp(dev->ns_mode, "devdax") == 0) {
		dp_device_read_cxl(ctx, dev);
		strcpy(dev->kind, "devdax");
		dp_snprintf(dev->name, sizeof(dev->name), "%s", dev->dax_dev);
		dev->dax = dev->dax_dev[0] ? 1 : 0;
		dev->sync = dev->dax == 1 && !dev->virtio_pmem;
		return 0;
	}
	if (!blk[0]) {
		dp_device_read_cxl(ctx, dev);
		strcpy(dev->kind, "none");
		dev->dax = 0;
		return 0;
	}
	/* The block device's own facts (queue/dax, partitions ...). */
	if (dp_read_attr(ctx, text, sizeof(text), "/sys/block/%s/dev", blk) > 0 &&
	    sscanf(text, "%u:%u", &maj, &min) == 2) {
		dp_device_read(ctx, makedev(maj, min), dev);
	} else {
		dp_snprintf(dev->name, sizeof(dev->name), "%s", blk);
		strcpy(dev->kind, "pmem");
		dev->dax = -1;
		dp_device_read_cxl(ctx, dev);
	}
	return 0;
}

/*
 * The bad ranges of the namespace behind pmem disk @disk, numbered like the
 * disk: first the namespace's own list ('ndctl list -M'), then the region's
 * ('ndctl list -RM', region sectors) moved by the disk's data offset in the
 * region. Region ranges outside the disk's data (another namespace, or
 * this one's info block and page map) do not belong to the disk; those in
 * this namespace's reserved part are logged.
 */
/* The namespace has the pmem disk @disk (not through a btt). */
static bool has_pmem_disk(struct ndctl_namespace *ndns, const char *disk)
{
	return same_name(namespace_block_device(ndns), disk) && !ndctl_namespace_get_btt(ndns);
}

int dp_nvdimm_badblocks(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn add, void *arg)
{
	struct found_namespace f;
	struct ndctl_pfn *pfn;
	unsigned long long ns_start, data_start, region_start;
	uint64_t size = 0;
	struct badblock *b;
	int rc = find_namespace(has_pmem_disk, disk, &f);

	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	rc = 0;
	pfn = ndctl_namespace_get_pfn(f.ndns);
	ndctl_namespace_badblock_foreach(f.ndns, b)
		if (rc == 0)
			rc = add(arg, b->offset, b->len, "namespace");
	ns_start = ndctl_namespace_get_resource(f.ndns);
	data_start = pfn ? ndctl_pfn_get_resource(pfn) : ns_start;
	region_start = ndctl_region_get_resource(f.region);
	dp_read_u64(ctx, &size, "/sys/block/%s/size", disk);
	if (data_start == ULLONG_MAX || region_start == ULLONG_MAX || data_start < region_start)
		goto out;   /* no resource to translate with (not root?) */
	ndctl_region_badblock_foreach(f.region, b) {
		uint64_t first = (data_start - region_start) / 512, end = b->offset + b->len;
		uint64_t ns_first = (ns_start - region_start) / 512;

		if (rc < 0)
			break;
		if (end > ns_first && b->offset < first)
			info(ctx, "%s: bad sectors %llu+%u (region numbering) lie in %s's reserved "
			     "space (info block and page map), outside the data of %s",
			     ndctl_region_get_devname(f.region), b->offset, b->len,
			     ndctl_namespace_get_devname(f.ndns), disk);
		if (end <= first || b->offset >= first + size)
			continue;
		{
			uint64_t a = b->offset > first ? b->offset - first : 0;
			uint64_t z = end - first < size ? end - first : size;

			rc = add(arg, a, z - a, "region");
		}
	}
out:
	ndctl_unref(f.nctx);
	return rc;
}
