// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON of one badblocks scan, shared by 'badblocks' and 'monitor':
 * dev, mount, badblock_count, badblocks[] (offset, length in sectors,
 * source), files[] (path, inode, ranges[]), metadata[], unallocated[],
 * unattributed[].
 */
#include "config.h"

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-json.h"
#include "json.h"

/* Files: one entry per inode, with its ranges. */
static struct json_object *file_entry(struct json_object *files, struct daxpolicy_badhit *h)
{
	size_t n = json_object_array_length(files);
	struct json_object *o, *ino;

	for (size_t i = 0; i < n; i++) {
		o = json_object_array_get_idx(files, i);
		if (json_object_object_get_ex(o, "inode", &ino) &&
		    json_object_get_uint64(ino) == daxpolicy_badhit_get_inode(h))
			return o;
	}
	o = json_object_new_object();
	json_object_object_add(o, "path", daxpolicy_badhit_get_path(h)[0] ?
			       json_path(daxpolicy_badhit_get_path(h)) : NULL);
	json_object_object_add(o, "inode", json_object_new_uint64(daxpolicy_badhit_get_inode(h)));
	json_object_object_add(o, "ranges", json_object_new_array());
	json_object_array_add(files, o);
	return o;
}

struct json_object *badblocks_to_json(struct daxpolicy_badblocks *bb, unsigned int flags, bool *files_hit)
{
	struct json_object *o = json_object_new_object(), *ranges = json_object_new_array(),
			   *files = json_object_new_array(), *meta = json_object_new_array(),
			   *free_list = json_object_new_array(), *unknown = json_object_new_array();
	size_t count = 0;

	for (struct daxpolicy_badrange *r = daxpolicy_badblocks_get_first(bb); r;
	     r = daxpolicy_badrange_get_next(r), count++) {
		struct json_object *ro = json_object_new_object();

		json_object_object_add(ro, "offset", json_object_new_uint64(daxpolicy_badrange_get_sector(r)));
		json_object_object_add(ro, "length", json_object_new_uint64(daxpolicy_badrange_get_count(r)));
		json_object_object_add(ro, "source", json_object_new_string(daxpolicy_badrange_get_source(r)));
		json_object_array_add(ranges, ro);
		for (struct daxpolicy_badhit *h = daxpolicy_badrange_get_first_hit(r); h;
		     h = daxpolicy_badhit_get_next(h)) {
			struct json_object *ho = json_object_new_object(), *list;

			if (daxpolicy_badhit_get_kind(h) == DAXPOLICY_HIT_FILE) {
				json_object_object_add(ho, "file_offset",
						       json_size(daxpolicy_badhit_get_file_offset(h), flags));
				json_object_object_add(ho, "length", json_size(daxpolicy_badhit_get_length(h), flags));
			}
			json_object_object_add(ho, "sector", json_object_new_uint64(daxpolicy_badhit_get_sector(h)));
			json_object_object_add(ho, "sectors", json_object_new_uint64(daxpolicy_badhit_get_count(h)));
			switch (daxpolicy_badhit_get_kind(h)) {
			case DAXPOLICY_HIT_FILE:
				json_object_object_add(ho, "unwritten",
						       json_object_new_boolean(daxpolicy_badhit_get_unwritten(h)));
				json_object_object_add(ho, "shared",
						       json_object_new_boolean(daxpolicy_badhit_get_shared(h)));
				json_object_object_get_ex(file_entry(files, h), "ranges", &list);
				*files_hit = true;
				break;
			case DAXPOLICY_HIT_METADATA: list = meta; break;
			case DAXPOLICY_HIT_UNALLOCATED: list = free_list; break;
			default: list = unknown; break;
			}
			json_object_array_add(list, ho);
		}
	}
	json_object_object_add(o, "dev", json_object_new_string(daxpolicy_badblocks_get_disk(bb)));
	json_object_object_add(o, "mount", json_path(daxpolicy_badblocks_get_mount(bb)));
	json_object_object_add(o, "badblock_count", json_object_new_uint64(count));
	json_object_object_add(o, "badblocks", ranges);
	json_object_object_add(o, "files", files);
	json_object_object_add(o, "metadata", meta);
	json_object_object_add(o, "unallocated", free_list);
	json_object_object_add(o, "unattributed", unknown);
	return o;
}

/* One hit as in badblocks_to_json(): file_offset and length in bytes (files
 * only), sector, sectors, unwritten and shared (files only). */
static struct json_object *hit_to_json(struct daxpolicy_badhit *h, unsigned int flags)
{
	struct json_object *ho = json_object_new_object();
	bool file = daxpolicy_badhit_get_kind(h) == DAXPOLICY_HIT_FILE;

	if (file) {
		json_object_object_add(ho, "file_offset", json_size(daxpolicy_badhit_get_file_offset(h), flags));
		json_object_object_add(ho, "length", json_size(daxpolicy_badhit_get_length(h), flags));
	}
	json_object_object_add(ho, "sector", json_object_new_uint64(daxpolicy_badhit_get_sector(h)));
	json_object_object_add(ho, "sectors", json_object_new_uint64(daxpolicy_badhit_get_count(h)));
	if (file) {
		json_object_object_add(ho, "unwritten", json_object_new_boolean(daxpolicy_badhit_get_unwritten(h)));
		json_object_object_add(ho, "shared", json_object_new_boolean(daxpolicy_badhit_get_shared(h)));
	}
	return ho;
}

void badrange_to_json(struct json_object *o, struct daxpolicy_badblocks *bb,
		      struct daxpolicy_badrange *r, const char *source, unsigned int flags)
{
	struct json_object *files = json_object_new_array(), *meta = json_object_new_array(),
			   *free_list = json_object_new_array(), *unknown = json_object_new_array();

	json_object_object_add(o, "offset", json_object_new_uint64(daxpolicy_badrange_get_sector(r)));
	json_object_object_add(o, "length", json_object_new_uint64(daxpolicy_badrange_get_count(r)));
	json_object_object_add(o, "source", json_object_new_string(source ? source :
						daxpolicy_badblocks_get_source(bb)));
	for (struct daxpolicy_badhit *h = daxpolicy_badrange_get_first_hit(r); h;
	     h = daxpolicy_badhit_get_next(h)) {
		struct json_object *list;

		switch (daxpolicy_badhit_get_kind(h)) {
		case DAXPOLICY_HIT_FILE:
			json_object_object_get_ex(file_entry(files, h), "ranges", &list);
			break;
		case DAXPOLICY_HIT_METADATA: list = meta; break;
		case DAXPOLICY_HIT_UNALLOCATED: list = free_list; break;
		default: list = unknown; break;
		}
		json_object_array_add(list, hit_to_json(h, flags));
	}
	json_object_object_add(o, "files", files);
	json_object_object_add(o, "metadata", meta);
	json_object_object_add(o, "unallocated", free_list);
	json_object_object_add(o, "unattributed", unknown);
}
