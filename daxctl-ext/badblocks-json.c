// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON of one badblocks scan, shared by 'badblocks' and 'monitor':
 * dev, mount, badblock_count, badblocks[] (offset, length in sectors,
 * source; for CXL poison, poison[]: memdev, dpa, dpa_length, and the disk
 * bytes byte_offset, bytes), files[] (path, inode, ranges[]), metadata[], unallocated[],
 * unattributed[], quarantined[] (blocks a repair took out of use),
 * reasons[] (an interrupted repair, an unsafe quarantine directory).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-json.h"
#include "json.h"

/* Where hits go: per kind, the lists of the JSON. */
struct hit_lists {
	struct json_object *files, *metadata, *unallocated, *unattributed, *quarantined;
	struct json_object *by_inode;   /* index of files: inode -> entry */
};

/* Files: one entry per inode, with its ranges. */
static struct json_object *file_entry(const struct hit_lists *l, struct daxpolicy_badhit *h)
{
	struct json_object *o;
	char key[24];

	snprintf(key, sizeof(key), "%" PRIu64, daxpolicy_badhit_get_inode(h));
	if (json_object_object_get_ex(l->by_inode, key, &o))
		return o;
	o = json_object_new_object();
	json_add_path(o, "path", daxpolicy_badhit_get_path(h)[0] ? daxpolicy_badhit_get_path(h) : NULL);
	json_object_object_add(o, "inode", json_object_new_uint64(daxpolicy_badhit_get_inode(h)));
	json_object_object_add(o, "ranges", json_object_new_array());
	json_object_array_add(l->files, o);
	json_object_object_add(l->by_inode, key, json_object_get(o));
	return o;
}

static void lists_new(struct hit_lists *l)
{
	l->files = json_object_new_array();
	l->metadata = json_object_new_array();
	l->unallocated = json_object_new_array();
	l->unattributed = json_object_new_array();
	l->quarantined = json_object_new_array();
	l->by_inode = json_object_new_object();
}

static void lists_add_to(struct json_object *o, const struct hit_lists *l)
{
	json_object_object_add(o, "files", l->files);
	json_object_object_add(o, "metadata", l->metadata);
	json_object_object_add(o, "unallocated", l->unallocated);
	json_object_object_add(o, "unattributed", l->unattributed);
	json_object_object_add(o, "quarantined", l->quarantined);
	json_object_put(l->by_inode);
}

/* One hit: file_offset and length in bytes (files), sector, sectors,
 * unwritten and shared (files), path (quarantined blocks). True for a
 * file's bytes. */
static bool add_hit(const struct hit_lists *l, struct daxpolicy_badhit *h, unsigned int flags)
{
	enum daxpolicy_hit_kind kind = daxpolicy_badhit_get_kind(h);
	struct json_object *ho = json_object_new_object(), *list = l->unattributed;
	bool file = kind == DAXPOLICY_HIT_FILE;

	if (file) {
		json_object_object_add(ho, "file_offset", json_offset(daxpolicy_badhit_get_file_offset(h), flags));
		json_object_object_add(ho, "length", json_size(daxpolicy_badhit_get_length(h), flags));
	}
	if (kind == DAXPOLICY_HIT_QUARANTINED)
		json_add_path(ho, "path", daxpolicy_badhit_get_path(h));
	json_object_object_add(ho, "sector", json_object_new_uint64(daxpolicy_badhit_get_sector(h)));
	json_object_object_add(ho, "sectors", json_object_new_uint64(daxpolicy_badhit_get_count(h)));
	switch (kind) {
	case DAXPOLICY_HIT_FILE:
		json_object_object_add(ho, "unwritten", json_object_new_boolean(daxpolicy_badhit_get_unwritten(h)));
		json_object_object_add(ho, "shared", json_object_new_boolean(daxpolicy_badhit_get_shared(h)));
		json_object_object_get_ex(file_entry(l, h), "ranges", &list);
		break;
	case DAXPOLICY_HIT_METADATA: list = l->metadata; break;
	case DAXPOLICY_HIT_UNALLOCATED: list = l->unallocated; break;
	case DAXPOLICY_HIT_QUARANTINED: list = l->quarantined; break;
	default: break;
	}
	json_object_array_add(list, ho);
	return file;
}

static void range_fields(struct json_object *o, struct daxpolicy_badrange *r, const char *source)
{
	json_object_object_add(o, "offset", json_object_new_uint64(daxpolicy_badrange_get_sector(r)));
	json_object_object_add(o, "length", json_object_new_uint64(daxpolicy_badrange_get_count(r)));
	json_object_object_add(o, "source", json_object_new_string(source ? source :
								   daxpolicy_badrange_get_source(r)));
	if (daxpolicy_badrange_get_first_poison(r)) {
		struct json_object *a = json_object_new_array();

		for (struct daxpolicy_poison *p = daxpolicy_badrange_get_first_poison(r); p;
		     p = daxpolicy_poison_get_next(p)) {
			struct json_object *po = json_object_new_object();

			json_object_object_add(po, "memdev", json_object_new_string(daxpolicy_poison_get_memdev(p)));
			json_object_object_add(po, "dpa", json_object_new_uint64(daxpolicy_poison_get_dpa(p)));
			json_object_object_add(po, "dpa_length",
					       json_object_new_uint64(daxpolicy_poison_get_dpa_length(p)));
			json_object_object_add(po, "byte_offset", json_object_new_uint64(daxpolicy_poison_get_offset(p)));
			json_object_object_add(po, "bytes", json_object_new_uint64(daxpolicy_poison_get_length(p)));
			json_object_array_add(a, po);
		}
		json_object_object_add(o, "poison", a);
	}
}

/* The scan's reasons (an interrupted repair, an unsafe quarantine
 * directory) as {code, severity, message, hint}; each needs the admin. */
static struct json_object *badblocks_reasons_to_json(struct daxpolicy_badblocks *bb, bool *attention)
{
	struct json_object *a = json_object_new_array();

	for (struct daxpolicy_reason *r = daxpolicy_badblocks_get_first_reason(bb); r;
	     r = daxpolicy_reason_get_next(r)) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "code", json_object_new_string(daxpolicy_reason_get_code(r)));
		json_object_object_add(o, "severity", json_object_new_string(
			daxpolicy_severity_name(daxpolicy_reason_get_severity(r))));
		json_object_object_add(o, "message", json_path(daxpolicy_reason_get_message(r)));
		json_object_object_add(o, "hint", json_object_new_string(daxpolicy_reason_get_hint(r)));
		json_object_array_add(a, o);
		*attention = true;
	}
	return a;
}

struct json_object *badblocks_to_json(struct daxpolicy_badblocks *bb, unsigned int flags, bool *files_hit)
{
	struct json_object *o = json_object_new_object(), *ranges = json_object_new_array();
	struct hit_lists l;
	size_t count = 0;

	lists_new(&l);
	for (struct daxpolicy_badrange *r = daxpolicy_badblocks_get_first(bb); r;
	     r = daxpolicy_badrange_get_next(r), count++) {
		struct json_object *ro = json_object_new_object();

		range_fields(ro, r, NULL);
		json_object_array_add(ranges, ro);
		for (struct daxpolicy_badhit *h = daxpolicy_badrange_get_first_hit(r); h;
		     h = daxpolicy_badhit_get_next(h))
			if (add_hit(&l, h, flags))
				*files_hit = true;
	}
	json_object_object_add(o, "dev", json_object_new_string(daxpolicy_badblocks_get_disk(bb)));
	json_add_path(o, "mount", daxpolicy_badblocks_get_mount(bb));
	json_object_object_add(o, "badblock_count", json_object_new_uint64(count));
	json_object_object_add(o, "badblocks", ranges);
	lists_add_to(o, &l);
	json_object_object_add(o, "reasons", badblocks_reasons_to_json(bb, files_hit));
	return o;
}

void badrange_to_json(struct json_object *o, struct daxpolicy_badblocks *bb,
		      struct daxpolicy_badrange *r, const char *source, unsigned int flags)
{
	struct hit_lists l;

	(void)bb;
	lists_new(&l);
	range_fields(o, r, source);
	for (struct daxpolicy_badhit *h = daxpolicy_badrange_get_first_hit(r); h;
	     h = daxpolicy_badhit_get_next(h))
		add_hit(&l, h, flags);
	lists_add_to(o, &l);
}
