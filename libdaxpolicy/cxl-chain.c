// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CXL chain a report shows for a pmem device on a CXL region: the
 * region (cxl-region.c), each memdev's health (cxl-health.c) and the
 * public accessors of struct daxpolicy_cxl.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cxl-region.h"

int dp_cxl_chain_read(struct daxpolicy_ctx *ctx, const char *nd_region,
		      const char *persistence_domain, struct daxpolicy_cxl **out)
{
	struct daxpolicy_cxl *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	rc = dp_cxl_region_of_nd(ctx, nd_region, &c->region);
	if (rc < 0) {
		free(c);
		return rc;
	}
	dp_snprintf(c->persistence_domain, sizeof(c->persistence_domain), "%s",
		    persistence_domain ? persistence_domain : "");
	for (unsigned int i = 0; i < c->region.ntargets; i++)
		dp_cxl_health_read(ctx, c->region.targets[i].memdev, &c->health[i]);
	*out = c;
	return 0;
}

DAXPOLICY_EXPORT struct daxpolicy_cxl *daxpolicy_report_get_cxl(struct daxpolicy_report *r)
{
	return r ? r->device->cxl : NULL;
}

#define REGION_GETTER(type, name, expr)                                       \
	DAXPOLICY_EXPORT type daxpolicy_cxl_get_##name(struct daxpolicy_cxl *c) \
	{                                                                     \
		return expr;                                                  \
	}
REGION_GETTER(const char *, region, c->region.region)
REGION_GETTER(const char *, uuid, c->region.uuid)
REGION_GETTER(const char *, mode, c->region.mode)
REGION_GETTER(unsigned long long, resource, c->region.hpa_resource)
REGION_GETTER(unsigned long long, size, c->region.hpa_size)
REGION_GETTER(unsigned int, ways, c->region.ways)
REGION_GETTER(unsigned int, granularity, c->region.granularity)
REGION_GETTER(const char *, persistence_domain, c->persistence_domain)

/* Per interleave position; out of range gives the "unknown" value. */
#define TARGET_GETTER(type, name, none, expr)                                 \
	DAXPOLICY_EXPORT type daxpolicy_cxl_get_##name(struct daxpolicy_cxl *c,  \
						       unsigned int pos)      \
	{                                                                     \
		if (pos >= c->region.ntargets)                                \
			return none;                                          \
		return expr;                                                  \
	}
TARGET_GETTER(const char *, memdev, "", c->region.targets[pos].memdev)
TARGET_GETTER(const char *, decoder, "", c->region.targets[pos].decoder)
TARGET_GETTER(const char *, host, "", c->region.targets[pos].host)
TARGET_GETTER(const char *, firmware, "", c->region.targets[pos].firmware)
TARGET_GETTER(unsigned long long, serial, 0, c->region.targets[pos].serial)
TARGET_GETTER(unsigned long long, dpa_resource, 0, c->region.targets[pos].dpa_resource)
TARGET_GETTER(unsigned long long, dpa_size, 0, c->region.targets[pos].dpa_size)
TARGET_GETTER(int, health_errno, -ENXIO, c->health[pos].rc)
TARGET_GETTER(const char *, health_error, "no such position", c->health[pos].error)
TARGET_GETTER(const char *, media_status, "", c->health[pos].media)
TARGET_GETTER(unsigned int, health_flags, 0, c->health[pos].flags)
TARGET_GETTER(int, life_used, -1, c->health[pos].life_used)
TARGET_GETTER(int, temperature, DAXPOLICY_CXL_NO_TEMPERATURE, c->health[pos].temperature)
TARGET_GETTER(long long, dirty_shutdowns, -1, c->health[pos].dirty_shutdowns)
TARGET_GETTER(long long, pmem_errors, -1, c->health[pos].pmem_errors)
