// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The CXL region behind an nvdimm region, through libcxl.
 *
 * The kernel presents a CXL pmem region as an nd region on the nvdimm bus
 * of the CXL nvdimm bridge (.../root0/nvdimm-bridge0/ndbus0/region0): its
 * path does not name the CXL region. Its mappings do: mappingN reads
 * "nmemK,start,size,position", where nmemK is the nvdimm of a memdev
 * (nmemK/cxl/provider names the cxl_nvdimm device "pmemJ" under "memI") and
 * start is the first DPA of that memdev's endpoint decoder in the region.
 * The CXL region is the one whose endpoint decoder at each position has
 * that memdev and that DPA. (Should a kernel place the nd region under the
 * CXL region, ".../regionY/pmem_regionY/ndbusN/regionX", the path is used.)
 * libcxl then gives the region's geometry and, at each interleave
 * position, the endpoint decoder and its memdev.
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

/* One mapping of an nd region on CXL: which memdev, from which DPA. */
struct nd_mapping {
	char memdev[32];
	unsigned long long start;
	unsigned int position;
};

/* Does @region match @key: the name @key->name, or else the mappings? */
struct region_key {
	const char *name;                     /* or NULL */
	const struct nd_mapping *maps;
	unsigned int n;
};

static bool region_matches(struct cxl_region *region, const struct region_key *key)
{
	if (key->name)
		return strcmp(cxl_region_get_devname(region), key->name) == 0;
	if (cxl_region_get_interleave_ways(region) != key->n)
		return false;
	for (unsigned int i = 0; i < key->n; i++) {
		struct cxl_decoder *d =
			cxl_region_get_target_decoder(region, (int)key->maps[i].position);
		struct cxl_memdev *md = d ? cxl_decoder_get_memdev(d) : NULL;

		if (!md || strcmp(cxl_memdev_get_devname(md), key->maps[i].memdev) != 0 ||
		    cxl_decoder_get_dpa_resource(d) != key->maps[i].start)
			return false;
	}
	return true;
}

/* The CXL region @key names: regions hang from the root decoders. */
static struct cxl_region *find_region(struct cxl_ctx *cctx, const struct region_key *key)
{
	struct cxl_bus *bus;

	cxl_bus_foreach(cctx, bus) {
		struct cxl_port *port = cxl_bus_get_port(bus);
		struct cxl_decoder *decoder;

		cxl_decoder_foreach(port, decoder) {
			struct cxl_region *region;

			cxl_region_foreach(decoder, region)
				if (region_matches(region, key))
					return region;
		}
	}
	return NULL;
}

/* The mappings of nd region @nd: their count, -ENOENT when one is not on a
 * CXL memdev (an NFIT or a virtio region), another -errno with a reason. */
static int read_nd_mappings(struct daxpolicy_ctx *ctx, const char *nd,
			    struct nd_mapping *maps, unsigned int max)
{
	char text[128], nmem[32], provider[32], link[PATH_MAX];
	uint64_t n;
	int rc;

	rc = dp_read_u64(ctx, &n, "/sys/bus/nd/devices/%s/mappings", nd);
	if (rc < 0) {
		err(ctx, "nvdimm %s: cannot read its mappings: %s", nd, strerror(-rc));
		return rc;
	}
	if (n == 0)
		return -ENOENT;
	if (n > max) {
		err(ctx, "nvdimm %s: %llu mappings, more than the %u this library handles",
		    nd, (unsigned long long)n, max);
		return -EOVERFLOW;
	}
	for (unsigned int i = 0; i < n; i++) {
		const char *slash;

		rc = dp_read_attr(ctx, text, sizeof(text), "/sys/bus/nd/devices/%s/mapping%u", nd, i);
		if (rc < 0) {
			err(ctx, "nvdimm %s: cannot read mapping%u: %s", nd, i, strerror(-rc));
			return rc;
		}
		if (sscanf(text, "%31[^,],%llu,%*u,%u", nmem, &maps[i].start, &maps[i].position) != 3 ||
		    maps[i].position >= n) {
			err(ctx, "nvdimm %s: mapping%u reads '%s', not 'nmem,start,size,position'",
			    nd, i, text);
			return -EINVAL;
		}
		/* Only a CXL nvdimm has cxl/provider. */
		rc = dp_read_attr(ctx, provider, sizeof(provider),
				  "/sys/bus/nd/devices/%s/cxl/provider", nmem);
		if (rc == -ENOENT)
			return -ENOENT;
		if (rc < 0) {
			err(ctx, "nvdimm %s: cannot read %s/cxl/provider: %s", nd, nmem, strerror(-rc));
			return rc;
		}
		/* /sys/bus/cxl/devices/pmemJ -> .../memI/pmemJ */
		rc = dp_read_link(ctx, link, sizeof(link), "/sys/bus/cxl/devices/%s", provider);
		if (rc < 0) {
			err(ctx, "nvdimm %s: %s is on CXL %s, which /sys/bus/cxl does not list: %s",
			    nd, nmem, provider, strerror(-rc));
			return rc == -ENOENT ? -ENODEV : rc;
		}
		slash = strrchr(link, '/');
		if (slash)
			link[slash - link] = '\0';
		slash = strrchr(link, '/');
		dp_snprintf(maps[i].memdev, sizeof(maps[i].memdev), "%s", slash ? slash + 1 : link);
	}
	return (int)n;
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
	struct nd_mapping maps[DP_CXL_MAX_TARGETS];
	struct region_key key = { NULL, maps, 0 };
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
	if (dp_cxl_region_from_path(link, name, sizeof(name)) == 0) {
		key.name = name;
	} else {
		rc = read_nd_mappings(ctx, nd_region, maps, DP_CXL_MAX_TARGETS);
		if (rc == -ENOENT) {
			dbg(ctx, "nvdimm %s: not on CXL", nd_region);
			return -ENOENT;
		}
		if (rc < 0)
			return rc;
		key.n = (unsigned int)rc;
	}
	rc = cxl_new(&cctx);
	if (rc < 0) {
		err(ctx, "cannot create a libcxl context: %s", strerror(-rc));
		return rc;
	}
	cxl_set_log_priority(cctx, 0);
	region = find_region(cctx, &key);
	if (!region) {
		if (key.name)
			err(ctx, "nvdimm %s sits under CXL %s, which libcxl does not list "
			    "(is the cxl_acpi module loaded? see 'cxl list -R')", nd_region, key.name);
		else
			err(ctx, "nvdimm %s is on CXL memdev %s (DPA %#llx at position %u), but no CXL "
			    "region libcxl lists maps it there (see 'cxl list -R -T')", nd_region,
			    maps[0].memdev, maps[0].start, maps[0].position);
		cxl_unref(cctx);
		return -ENODEV;
	}
	rc = fill(ctx, region, out);
	cxl_unref(cctx);
	return rc;
}
