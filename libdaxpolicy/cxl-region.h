/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CXL region behind an nvdimm region, through libcxl (private). */
#ifndef DAXPOLICY_CXL_REGION_H
#define DAXPOLICY_CXL_REGION_H

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

/* The CXL region named in the sysfs path of an nvdimm region
 * (".../decoder0.0/region3/pmem_region3/ndbus1/region1" -> "region3"):
 * 0, or -ENOENT when the path has no CXL region in it. */
int dp_cxl_region_from_path(const char *path, char *buf, size_t len);

/* ---- cxl-chain.c: the chain a report shows (struct daxpolicy_cxl) ---- */

/* One memdev's answer to the mailbox command Get Health Info. */
struct dp_cxl_health {
	int rc;                     /* 0 read, else the negative errno */
	char error[160];            /* why it was not read; "" when it was */
	char media[32];             /* "normal", "not_ready", "persistence_lost",
				       "data_lost" or "" */
	unsigned int flags;         /* DAXPOLICY_CXL_HEALTH_* */
	int life_used;              /* percent, -1 unknown */
	int temperature;            /* degrees Celsius, DP_CXL_NO_TEMPERATURE unknown */
	long long dirty_shutdowns;  /* -1 unknown */
	long long pmem_errors;      /* corrected persistent errors, -1 unknown */
};
#define DP_CXL_NO_TEMPERATURE DAXPOLICY_CXL_NO_TEMPERATURE

struct daxpolicy_cxl {
	struct dp_cxl_region region;
	char persistence_domain[32];          /* the nd region's */
	struct dp_cxl_health health[DP_CXL_MAX_TARGETS]; /* by position */
};

/* The chain behind nvdimm region @nd_region, each memdev's health
 * included: 0 and *out allocated (free()), -ENOENT when the region is not
 * on CXL, another negative errno with the reason logged. */
int dp_cxl_chain_read(struct daxpolicy_ctx *ctx, const char *nd_region,
		      const char *persistence_domain, struct daxpolicy_cxl **out);
/* Get Health Info from memdev @memdev ("mem0") into @h; never fails: a
 * device that does not answer leaves h->rc and h->error set. */
void dp_cxl_health_read(struct daxpolicy_ctx *ctx, const char *memdev, struct dp_cxl_health *h);

#endif
