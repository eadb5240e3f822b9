// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON converters of dax-admin: report_to_json() and value helpers. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxpolicy/libdaxpolicy.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing beyond U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

struct json_object *json_path(const char *path)
{
	const unsigned char *s = (const unsigned char *)path;
	bool valid = true;
	struct json_object *obj;
	char *buf, *p;

	for (size_t i = 0, n; s[i]; i += n)
		if (!(n = utf8_seq_len(s + i))) {
			valid = false;
			break;
		}
	if (valid)
		return json_object_new_string(path);
	buf = malloc(strlen(path) * 4 + 1);
	if (!buf)
		return NULL;
	p = buf;
	for (size_t i = 0, n; s[i]; i += n) {
		n = utf8_seq_len(s + i);
		if (!n) {
			p += sprintf(p, "\\x%02x", s[i]);
			n = 1;
		} else if (s[i] == '\\') {
			*p++ = '\\';
			*p++ = '\\';
		} else {
			memcpy(p, s + i, n);
			p += n;
		}
	}
	*p = '\0';
	obj = json_object_new_string(buf);
	free(buf);
	return obj;
}

/* Must a script get the exact bytes of @path? When it is not valid UTF-8
 * (its readable form has \xHH in it), or when it holds a backslash (so
 * that a name spelled "\xff" and the byte 0xff never look alike). */
static bool needs_bytes(const char *path)
{
	const unsigned char *s = (const unsigned char *)path;

	for (size_t i = 0, n; s[i]; i += n)
		if (s[i] == '\\' || !(n = utf8_seq_len(s + i)))
			return true;
	return false;
}

static struct json_object *hex_bytes(const char *path)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = strlen(path);
	char *buf = malloc(len * 2 + 1);
	struct json_object *obj;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = digits[(unsigned char)path[i] >> 4];
		buf[2 * i + 1] = digits[(unsigned char)path[i] & 15];
	}
	buf[2 * len] = '\0';
	obj = json_object_new_string(buf);
	free(buf);
	return obj;
}

void json_add_path(struct json_object *o, const char *key, const char *path)
{
	char bytes_key[64];

	if (!path) {
		json_object_object_add(o, key, NULL);
		return;
	}
	json_object_object_add(o, key, json_path(path));
	if (needs_bytes(path)) {
		snprintf(bytes_key, sizeof(bytes_key), "%s_bytes", key);
		json_object_object_add(o, bytes_key, hex_bytes(path));
	}
}

struct json_object *json_path_item(const char *path)
{
	struct json_object *o;

	if (!needs_bytes(path))
		return json_object_new_string(path);
	o = json_object_new_object();
	json_add_path(o, "path", path);
	return o;
}

static int human_size_serializer(struct json_object *obj, struct printbuf *pb,
				 int level, int flags)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)json_object_get_uint64(obj);
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		return sprintbuf(pb, "\"%llu B\"", (unsigned long long)json_object_get_uint64(obj));
	return sprintbuf(pb, "\"%.2f %s\"", v, units[u]);
}

struct json_object *json_size(unsigned long long bytes, unsigned int flags)
{
	struct json_object *obj = json_object_new_uint64(bytes);

	if (obj && (flags & JSON_HUMAN))
		json_object_set_serializer(obj, human_size_serializer, NULL, NULL);
	return obj;
}

static int hex_offset_serializer(struct json_object *obj, struct printbuf *pb,
				 int level, int flags)
{
	return sprintbuf(pb, "\"0x%llx\"", (unsigned long long)json_object_get_uint64(obj));
}

struct json_object *json_offset(unsigned long long bytes, unsigned int flags)
{
	struct json_object *obj = json_object_new_uint64(bytes);

	if (obj && (flags & JSON_HUMAN))
		json_object_set_serializer(obj, hex_offset_serializer, NULL, NULL);
	return obj;
}

struct json_object *json_failure(const char *path, int err, const char *error)
{
	struct json_object *o = json_object_new_object();

	json_add_path(o, "path", path);
	json_object_object_add(o, "errno", json_object_new_int(err));
	json_object_object_add(o, "error", json_object_new_string(error));
	return o;
}

static void add(struct json_object *o, const char *key, struct json_object *val)
{
	json_object_object_add(o, key, val);
}

static void add_str_if(struct json_object *o, const char *key, const char *val)
{
	if (val && val[0])
		add(o, key, json_object_new_string(val));
}

static struct json_object *mount_to_json(struct daxpolicy_report *r, unsigned int flags)
{
	struct json_object *m = json_object_new_object();

	json_add_path(m, "target", daxpolicy_report_get_mount_target(r));
	add(m, "fstype", json_object_new_string(daxpolicy_report_get_mount_fstype(r)));
	json_add_path(m, "source", daxpolicy_report_get_mount_source(r));
	add(m, "dax_mode", json_object_new_string(
		daxpolicy_dax_mode_name(daxpolicy_report_get_mount_dax_mode(r))));
	add(m, "dax_mode_explicit", json_object_new_boolean(daxpolicy_report_get_mount_dax_mode_explicit(r)));
	add(m, "block_size", json_size(daxpolicy_report_get_block_size(r), flags));
	add(m, "page_size", json_size(daxpolicy_report_get_page_size(r), flags));
	return m;
}

static struct json_object *device_to_json(struct daxpolicy_report *r, unsigned int flags)
{
	struct json_object *d = json_object_new_object();
	int dax = daxpolicy_report_get_device_dax(r);

	add(d, "name", json_object_new_string(daxpolicy_report_get_device_name(r)));
	add(d, "kind", json_object_new_string(daxpolicy_report_get_device_kind(r)));
	add(d, "dax_capable", dax < 0 ? NULL : json_object_new_boolean(dax));
	add(d, "synchronous", json_object_new_boolean(daxpolicy_report_get_device_sync(r)));
	if (daxpolicy_report_get_device_disk(r)[0]) {
		add(d, "disk", json_object_new_string(daxpolicy_report_get_device_disk(r)));
		add(d, "start", json_offset(daxpolicy_report_get_device_start(r), flags));
	}
	add_str_if(d, "slaves", daxpolicy_report_get_device_slaves(r));
	add_str_if(d, "dax_dev", daxpolicy_report_get_device_dax_dev(r));
	if (daxpolicy_report_get_namespace(r)[0]) {
		add(d, "namespace", json_object_new_string(daxpolicy_report_get_namespace(r)));
		add(d, "mode", json_object_new_string(daxpolicy_report_get_namespace_mode(r)));
		if (daxpolicy_report_get_namespace_align(r))
			add(d, "align", json_size(daxpolicy_report_get_namespace_align(r), flags));
		add_str_if(d, "map", daxpolicy_report_get_namespace_map(r));
		add(d, "size", json_size(daxpolicy_report_get_namespace_size(r), flags));
		add(d, "region", json_object_new_string(daxpolicy_report_get_region(r)));
		add(d, "persistence_domain", json_object_new_string(daxpolicy_report_get_persistence_domain(r)));
	}
	/* Only on a CXL region: no "cxl" key elsewhere. */
	if (daxpolicy_report_get_cxl(r))
		add(d, "cxl", cxl_to_json(daxpolicy_report_get_cxl(r), flags));
	return d;
}

struct json_object *reasons_to_json(struct daxpolicy_report *r)
{
	struct json_object *list = json_object_new_array();
	struct daxpolicy_reason *reason;

	daxpolicy_reason_foreach(r, reason) {
		struct json_object *o = json_object_new_object();

		add(o, "code", json_object_new_string(daxpolicy_reason_get_code(reason)));
		add(o, "severity", json_object_new_string(
			daxpolicy_severity_name(daxpolicy_reason_get_severity(reason))));
		add(o, "message", json_path(daxpolicy_reason_get_message(reason)));
		add(o, "hint", json_object_new_string(daxpolicy_reason_get_hint(reason)));
		json_object_array_add(list, o);
	}
	return list;
}

struct json_object *report_to_json(struct daxpolicy_report *r, unsigned int flags)
{
	struct json_object *o = json_object_new_object(), *kernel;
	enum daxpolicy_dax_mode mode = daxpolicy_report_get_mount_dax_mode(r);
	int flag = daxpolicy_report_get_flag(r);
	const char *requested_by = NULL;

	if (mode == DAXPOLICY_DAX_MODE_ALWAYS)
		requested_by = "mount";
	else if (mode == DAXPOLICY_DAX_MODE_INODE && flag == 1)
		requested_by = "flag";
	json_add_path(o, "path", daxpolicy_report_get_path(r));
	add(o, "type", json_object_new_string(daxpolicy_object_type_name(daxpolicy_report_get_type(r))));
	add(o, "dax", json_object_new_boolean(daxpolicy_report_get_dax(r)));
	add(o, "map_sync", json_object_new_boolean(daxpolicy_report_get_map_sync(r)));
	add(o, "map_sync_evidence", json_object_new_string(
		daxpolicy_report_get_map_sync_evidence(r) == DAXPOLICY_EVIDENCE_PROBED ? "probed" : "derived"));
	add(o, "huge", json_object_new_boolean(daxpolicy_report_get_huge(r)));
	add(o, "state", json_object_new_string(daxpolicy_state_name(daxpolicy_report_get_state(r))));
	if (daxpolicy_report_get_type(r) != DAXPOLICY_OBJECT_DEVICE) {
		const char *source = daxpolicy_report_get_policy_source(r);

		add(o, "policy", json_object_new_string(daxpolicy_policy_name(daxpolicy_report_get_policy(r))));
		json_add_path(o, "policy_source", source[0] ? source : NULL);
	}
	add(o, "flag", flag < 0 ? NULL : json_object_new_boolean(flag));
	add(o, "requested_by", requested_by ? json_object_new_string(requested_by) : NULL);
	if (daxpolicy_report_get_type(r) != DAXPOLICY_OBJECT_DEVICE)
		add(o, "mount", mount_to_json(r, flags));
	add(o, "device", device_to_json(r, flags));
	kernel = json_object_new_object();
	add(kernel, "statx_dax", json_object_new_boolean(daxpolicy_report_get_statx_dax_attr(r) != 0));
	add(kernel, "statx_dax_attr", json_object_new_int64(daxpolicy_report_get_statx_dax_attr(r)));
	add(o, "kernel", kernel);
	if (strcmp(daxpolicy_report_get_mount_fstype(r), "xfs") == 0) {
		struct json_object *xfs = json_object_new_object();

		add(xfs, "reflink", json_object_new_boolean(daxpolicy_report_get_xfs_reflink(r)));
		add(xfs, "rmapbt", json_object_new_boolean(daxpolicy_report_get_xfs_rmapbt(r)));
		add(xfs, "realtime", json_object_new_boolean(daxpolicy_report_get_realtime(r)));
		add(o, "xfs", xfs);
	}
	add(o, "reasons", reasons_to_json(r));
	return o;
}

int json_print(FILE *out, struct json_object *obj)
{
	const char *text = json_object_to_json_string_ext(obj,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
		return -1;
	return 0;
}

int json_print_results(FILE *out, struct json_object *list, bool single)
{
	size_t n = json_object_array_length(list);

	if (n == 0)
		return 0;
	return json_print(out, single && n == 1 ? json_object_array_get_idx(list, 0) : list);
}
