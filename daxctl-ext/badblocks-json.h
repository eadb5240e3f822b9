/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef DAX_ADMIN_BADBLOCKS_JSON_H
#define DAX_ADMIN_BADBLOCKS_JSON_H

#include <stdbool.h>

#include <json-c/json.h>

struct daxpolicy_badblocks;

/* One scan as a JSON object; @files_hit is set when a file lost bytes or
 * the scan has reasons (an interrupted repair, say).
 * @flags: JSON_HUMAN for sizes with units. */
struct json_object *badblocks_to_json(struct daxpolicy_badblocks *bb, unsigned int flags, bool *files_hit);

struct daxpolicy_badrange;
/* Add to @o what one bad range @r of @bb hits, with the fields and
 * conventions of badblocks_to_json(): offset, length (sectors), source
 * (@source, or the scan's when NULL), files[] (path, inode, ranges[]),
 * metadata[], unallocated[], unattributed[]. */
void badrange_to_json(struct json_object *o, struct daxpolicy_badblocks *bb,
		      struct daxpolicy_badrange *r, const char *source, unsigned int flags);

#endif
