// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "cxl" object of a device in a verdict: the CXL region under a pmem
 * device and, per interleave position, the endpoint decoder and memdev
 * with its health (or why the health could not be read).
 */
#include "config.h"

#include <json-c/json.h>

#include <daxpolicy/libdaxpolicy.h>

#include "json.h"

static void add(struct json_object *o, const char *key, struct json_object *val)
{
	json_object_object_add(o, key, val);
}

/* A count the device may not give: null when unknown (negative). */
static struct json_object *count_or_null(long long v)
{
	return v < 0 ? NULL : json_object_new_int64(v);
}

static struct json_object *health_to_json(struct daxpolicy_cxl *c, unsigned int pos)
{
	struct json_object *h = json_object_new_object();
	unsigned int flags = daxpolicy_cxl_get_health_flags(c, pos);
	const char *media = daxpolicy_cxl_get_media_status(c, pos);
	int temp = daxpolicy_cxl_get_temperature(c, pos);

	add(h, "media_status", media[0] ? json_object_new_string(media) : NULL);
	add(h, "maintenance_needed",
	    json_object_new_boolean(flags & DAXPOLICY_CXL_HEALTH_MAINTENANCE_NEEDED));
	add(h, "performance_degraded",
	    json_object_new_boolean(flags & DAXPOLICY_CXL_HEALTH_PERFORMANCE_DEGRADED));
	add(h, "hw_replacement_needed",
	    json_object_new_boolean(flags & DAXPOLICY_CXL_HEALTH_HW_REPLACEMENT_NEEDED));
	add(h, "loss_imminent", json_object_new_boolean(flags & DAXPOLICY_CXL_HEALTH_LOSS_IMMINENT));
	add(h, "life_used_percent", count_or_null(daxpolicy_cxl_get_life_used(c, pos)));
	add(h, "temperature", temp == DAXPOLICY_CXL_NO_TEMPERATURE ? NULL : json_object_new_int(temp));
	add(h, "dirty_shutdowns", count_or_null(daxpolicy_cxl_get_dirty_shutdowns(c, pos)));
	add(h, "pmem_errors", count_or_null(daxpolicy_cxl_get_pmem_errors(c, pos)));
	return h;
}

struct json_object *cxl_to_json(struct daxpolicy_cxl *c, unsigned int flags)
{
	struct json_object *o = json_object_new_object(), *maps = json_object_new_array();
	const char *uuid = daxpolicy_cxl_get_uuid(c);

	add(o, "region", json_object_new_string(daxpolicy_cxl_get_region(c)));
	add(o, "uuid", uuid[0] ? json_object_new_string(uuid) : NULL);
	add(o, "mode", json_object_new_string(daxpolicy_cxl_get_mode(c)));
	add(o, "resource", json_offset(daxpolicy_cxl_get_resource(c), flags));
	add(o, "size", json_size(daxpolicy_cxl_get_size(c), flags));
	add(o, "interleave_ways", json_object_new_int64(daxpolicy_cxl_get_ways(c)));
	add(o, "interleave_granularity", json_object_new_int64(daxpolicy_cxl_get_granularity(c)));
	add(o, "persistence_domain", json_object_new_string(daxpolicy_cxl_get_persistence_domain(c)));
	for (unsigned int pos = 0; pos < daxpolicy_cxl_get_ways(c); pos++) {
		struct json_object *m = json_object_new_object();
		const char *s;

		add(m, "position", json_object_new_int64(pos));
		add(m, "decoder", json_object_new_string(daxpolicy_cxl_get_decoder(c, pos)));
		add(m, "memdev", json_object_new_string(daxpolicy_cxl_get_memdev(c, pos)));
		s = daxpolicy_cxl_get_host(c, pos);
		add(m, "host", s[0] ? json_object_new_string(s) : NULL);
		add(m, "serial", json_object_new_uint64(daxpolicy_cxl_get_serial(c, pos)));
		s = daxpolicy_cxl_get_firmware(c, pos);
		add(m, "firmware", s[0] ? json_object_new_string(s) : NULL);
		add(m, "dpa_resource", json_offset(daxpolicy_cxl_get_dpa_resource(c, pos), flags));
		add(m, "dpa_size", json_size(daxpolicy_cxl_get_dpa_size(c, pos), flags));
		if (daxpolicy_cxl_get_health_errno(c, pos) == 0) {
			add(m, "health", health_to_json(c, pos));
		} else {
			add(m, "health", NULL);
			add(m, "health_error", json_object_new_string(daxpolicy_cxl_get_health_error(c, pos)));
		}
		json_object_array_add(maps, m);
	}
	add(o, "mappings", maps);
	return o;
}
