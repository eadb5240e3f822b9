/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CXL chain behind one nvdimm region (cxl-region.c, through libcxl).
 */
#ifndef LIBDAXPOLICY_CXL_REGION_H
#define LIBDAXPOLICY_CXL_REGION_H

#include "private.h"

/* The CXL chain behind one nvdimm region: which CXL region backs it, its
 * geometry, and the endpoint decoder + memdev at each interleave position. */
#define DP_CXL_MAX_TARGETS 16
struct dp_cxl_target {
	unsigned int position;            /* position in the interleave set */
	char memdev[32];                  /* "mem0" */
	char decoder[32];                 /* endpoint decoder, "decoder2.0" */
	char host[64];                    /* the device's PCI address, "" if unknown */
	unsigned long long serial;
	char firmware[64];                /* "" when the kernel does not give it */
	unsigned long long dpa_resource;  /* first DPA the endpoint decoder maps */
	unsigned long long dpa_size;
};
struct dp_cxl_region {
	char region[32];                  /* the CXL region, "region0" under /sys/bus/cxl */
	char uuid[37];
	char mode[16];                    /* "pmem" */
	unsigned long long hpa_resource;  /* host physical base of the region */
	unsigned long long hpa_size;
	unsigned int ways;                /* interleave ways */
	unsigned int granularity;         /* interleave granularity, bytes */
	unsigned int ntargets;
	struct dp_cxl_target targets[DP_CXL_MAX_TARGETS]; /* indexed by position */
};
/* nd_region is the nvdimm region's name under /sys/bus/nd/devices ("region0").
 * 0 and *out filled; -ENOENT when that region is not backed by CXL (no reason
 * set); another negative errno with a reason through the context. */
int dp_cxl_region_of_nd(struct daxpolicy_ctx *ctx, const char *nd_region, struct dp_cxl_region *out);

#endif
