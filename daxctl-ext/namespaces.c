// SPDX-License-Identifier: GPL-2.0-or-later
/* The nvdimm namespaces, through libndctl (namespaces.h). */
#include "config.h"

#include <ndctl/libndctl.h>

#include "namespaces.h"

void foreach_namespace(struct daxpolicy_ctx *ctx, unsigned int probe_flags, namespace_fn *fn, void *arg)
{
	struct ndctl_namespace *ndns;
	struct ndctl_region *region;
	struct ndctl_ctx *nctx;
	struct ndctl_bus *bus;

	if (ndctl_new(&nctx) < 0)
		return;
	ndctl_set_log_priority(nctx, 0);
	ndctl_bus_foreach(nctx, bus) ndctl_region_foreach(bus, region)
	ndctl_namespace_foreach(region, ndns) {
		struct daxpolicy_report *r;

		if (ndctl_namespace_get_size(ndns) == 0)
			continue;   /* an idle seed namespace */
		if (daxpolicy_probe_device(ctx, ndctl_namespace_get_devname(ndns), probe_flags, &r) < 0)
			continue;
		fn(arg, r, ndctl_namespace_get_devname(ndns), ndctl_region_get_devname(region),
		   ndctl_namespace_get_size(ndns));
		daxpolicy_report_free(r);
	}
	ndctl_unref(nctx);
}
