// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The nvdimm namespace behind a pmem block device, through libndctl.
 * libndctl has no lookup from a block device to its namespace, so walk
 * buses, regions and namespaces and compare the block device names of the
 * namespace itself (raw), its pfn (fsdax) and its btt (sector).
 */
#include "config.h"

#include <errno.h>
#include <ndctl/libndctl.h>
#include <string.h>

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
	const char *provider = ndctl_bus_get_provider(bus);

	dp_snprintf(dev->ns_name, sizeof(dev->ns_name), "%s", ndctl_namespace_get_devname(ndns));
	dp_snprintf(dev->ns_mode, sizeof(dev->ns_mode), "%s",
		    mode_name(ndctl_namespace_get_mode(ndns)));
	dp_snprintf(dev->region, sizeof(dev->region), "%s", ndctl_region_get_devname(region));
	dp_snprintf(dev->persistence_domain, sizeof(dev->persistence_domain), "%s",
		    domain_name(ndctl_region_get_persistence_domain(region)));
	dev->ns_size = ndctl_namespace_get_size(ndns);
	if (pfn) {
		dev->ns_align = ndctl_pfn_get_align(pfn);
		dp_snprintf(dev->ns_map, sizeof(dev->ns_map), "%s",
			    ndctl_pfn_get_location(pfn) == NDCTL_PFN_LOC_RAM ? "mem" : "dev");
		if (!dev->ns_size)
			dev->ns_size = ndctl_pfn_get_size(pfn);
	}
	/* virtio-pmem regions are asynchronous: DAX without MAP_SYNC. */
	dev->virtio_pmem = provider && strstr(provider, "virtio") != NULL;
}

int dp_nvdimm_lookup(struct daxpolicy_ctx *ctx, const char *disk, struct dp_device *dev)
{
	struct ndctl_namespace *ndns;
	struct ndctl_region *region;
	struct ndctl_ctx *nctx;
	struct ndctl_bus *bus;
	int rc;

	rc = ndctl_new(&nctx);
	if (rc < 0) {
		err(ctx, "cannot create a libndctl context: %s", strerror(-rc));
		return rc;
	}
	ndctl_set_log_priority(nctx, 0);
	rc = -ENOENT;
	ndctl_bus_foreach(nctx, bus) {
		ndctl_region_foreach(bus, region) {
			ndctl_namespace_foreach(region, ndns) {
				struct ndctl_pfn *pfn = ndctl_namespace_get_pfn(ndns);
				struct ndctl_btt *btt = ndctl_namespace_get_btt(ndns);

				if (same_name(ndctl_namespace_get_block_device(ndns), disk) ||
				    (pfn && same_name(ndctl_pfn_get_block_device(pfn), disk)) ||
				    (btt && same_name(ndctl_btt_get_block_device(btt), disk))) {
					fill(dev, bus, region, ndns);
					rc = 0;
					goto out;
				}
			}
		}
	}
out:
	ndctl_unref(nctx);
	if (rc == -ENOENT)
		dbg(ctx, "%s: no nvdimm namespace has this block device", disk);
	return rc;
}
