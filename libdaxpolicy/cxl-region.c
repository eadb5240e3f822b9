// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CXL region behind an nvdimm region, through libcxl.
 *
 * The kernel presents a CXL pmem region as an nvdimm bus of its own: the nd
 * region's device sits under the CXL region
 * (.../root0/decoder0.0/region0/pmem_region0/ndbus1/region1), so its sysfs
 * path names the CXL region. libcxl then gives the region's geometry and,
 * at each interleave position, the endpoint decoder and its memdev.
 */
#include "config.h"

#include <cxl/libcxl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "cxl-region.h"

/* Does @s read "<prefix><decimal id>"? */
static bool is_named(const char *s, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix), i;

	if (len <= plen || strncmp(s, prefix, plen) != 0)
		return false;
	for (i = plen; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int dp_cxl_region_from_path(const char *path, char *buf, size_t len)
{
	const char *prev = NULL, *cur = path;
	size_t prev_len = 0;

	/* Look for the components "regionY/pmem_regionY". */
	while (cur && *cur) {
		const char *slash = strchr(cur, '/');
		size_t clen = slash ? (size_t)(slash - cur) : strlen(cur);

		if (prev && is_named(cur, clen, "pmem_region") &&
		    is_named(prev, prev_len, "region") &&
		    clen - strlen("pmem_") == prev_len &&
		    strncmp(cur + strlen("pmem_"), prev, prev_len) == 0) {
			if (prev_len >= len)
				return -ENAMETOOLONG;
			memcpy(buf, prev, prev_len);
			buf[prev_len] = '\0';
			return 0;
		}
		prev = cur;
		prev_len = clen;
		cur = slash ? slash + 1 : NULL;
	}
	return -ENOENT;
}

/* The CXL region named @name: regions hang from the root decoders. */
static struct cxl_region *find_region(struct cxl_ctx *cctx, const char *name)
{
	struct cxl_bus *bus;

	cxl_bus_foreach(cctx, bus) {
		struct cxl_port *port = cxl_bus_get_port(bus);
		struct cxl_decoder *decoder;

		cxl_decoder_foreach(port, decoder) {
			struct cxl_region *region;

			cxl_region_foreach(decoder, region)
				if (strcmp(cxl_region_get_devname(region), name) == 0)
					return region;
		}
	}
	return NULL;
}

static int fill_target(struct daxpolicy_ctx *ctx, struct cxl_region *region,
		       unsigned int pos, struct dp_cxl_target *t)
{
	const char *rname = cxl_region_get_devname(region);
	struct cxl_decoder *decoder = cxl_region_get_target_decoder(region, (int)pos);
	struct cxl_memdev *memdev;
	const char *s;

	if (!decoder) {
		err(ctx, "CXL %s: no endpoint decoder at interleave position %u "
		    "(is the region committed? see 'cxl list -R -T -d %s')", rname, pos, rname);
		return -ENXIO;
	}
	memdev = cxl_decoder_get_memdev(decoder);
	if (!memdev) {
		err(ctx, "CXL %s: endpoint decoder %s at position %u has no memdev "
		    "(is the cxl_mem driver bound?)", rname, cxl_decoder_get_devname(decoder), pos);
		return -ENXIO;
	}
	t->position = pos;
	dp_snprintf(t->decoder, sizeof(t->decoder), "%s", cxl_decoder_get_devname(decoder));
	dp_snprintf(t->memdev, sizeof(t->memdev), "%s", cxl_memdev_get_devname(memdev));
	s = cxl_memdev_get_host(memdev);
	dp_snprintf(t->host, sizeof(t->host), "%s", s ? s : "");
	s = cxl_memdev_get_firmware_version(memdev);
	dp_snprintf(t->firmware, sizeof(t->firmware), "%s", s ? s : "");
	t->serial = cxl_memdev_get_serial(memdev);
	t->dpa_resource = cxl_decoder_get_dpa_resource(decoder);
	t->dpa_size = cxl_decoder_get_dpa_size(decoder);
	return 0;
}

static int fill(struct daxpolicy_ctx *ctx, struct cxl_region *region, struct dp_cxl_region *out)
{
	const char *rname = cxl_region_get_devname(region);
	uuid_t uu;
	unsigned int pos;
	int rc;

	memset(out, 0, sizeof(*out));
	dp_snprintf(out->region, sizeof(out->region), "%s", rname);
	cxl_region_get_uuid(region, uu);
	if (!uuid_is_null(uu))
		uuid_unparse_lower(uu, out->uuid);
	out->hpa_resource = cxl_region_get_resource(region);
	out->hpa_size = cxl_region_get_size(region);
	out->ways = cxl_region_get_interleave_ways(region);
	out->granularity = cxl_region_get_interleave_granularity(region);
	if (out->ways == 0 || out->ways == UINT_MAX) {
		err(ctx, "CXL %s: interleave ways unreadable", rname);
		return -EIO;
	}
	if (out->ways > DP_CXL_MAX_TARGETS) {
		err(ctx, "CXL %s: %u interleave ways, more than the %d this library handles",
		    rname, out->ways, DP_CXL_MAX_TARGETS);
		return -EOVERFLOW;
	}
	for (pos = 0; pos < out->ways; pos++) {
		rc = fill_target(ctx, region, pos, &out->targets[pos]);
		if (rc < 0)
			return rc;
	}
	out->ntargets = out->ways;
	/* libcxl 76 has no region mode: the endpoint decoders carry it. */
	{
		struct cxl_decoder *d = cxl_region_get_target_decoder(region, 0);

		dp_snprintf(out->mode, sizeof(out->mode), "%s",
			    cxl_decoder_mode_name(cxl_decoder_get_mode(d)));
	}
	return 0;
}

int dp_cxl_region_of_nd(struct daxpolicy_ctx *ctx, const char *nd_region, struct dp_cxl_region *out)
{
	char link[PATH_MAX], name[32];
	struct cxl_region *region;
	struct cxl_ctx *cctx;
	int rc;

	rc = dp_read_link(ctx, link, sizeof(link), "/sys/bus/nd/devices/%s", nd_region);
	if (rc < 0) {
		err(ctx, "nvdimm %s: cannot read /sys/bus/nd/devices/%s: %s",
		    nd_region, nd_region, strerror(-rc));
		return rc == -ENOENT ? -ENODEV : rc;
	}
	if (dp_cxl_region_from_path(link, name, sizeof(name)) < 0) {
		dbg(ctx, "nvdimm %s: not under a CXL region (%s)", nd_region, link);
		return -ENOENT;
	}
	rc = cxl_new(&cctx);
	if (rc < 0) {
		err(ctx, "cannot create a libcxl context: %s", strerror(-rc));
		return rc;
	}
	cxl_set_log_priority(cctx, 0);
	region = find_region(cctx, name);
	if (!region) {
		err(ctx, "nvdimm %s sits under CXL %s, which libcxl does not list "
		    "(is the cxl_acpi module loaded? see 'cxl list -R')", nd_region, name);
		cxl_unref(cctx);
		return -ENODEV;
	}
	rc = fill(ctx, region, out);
	cxl_unref(cctx);
	return rc;
}
