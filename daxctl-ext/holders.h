/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which processes hold a file open or mapped (from /proc). */
#ifndef DAX_ADMIN_HOLDERS_H
#define DAX_ADMIN_HOLDERS_H

#include <json-c/json.h>
#include <stddef.h>
#include <sys/types.h>

/* A JSON array of the pids that have the inode (@dev, @ino) open or mapped,
 * as far as /proc shows (other users' processes need root). */
struct json_object *holders_of(dev_t dev, ino_t ino);

/* The holders other than this process as "pid N (COMMAND), ..." in @buf
 * (truncated to @size); returns how many there are. */
int holders_describe(dev_t dev, ino_t ino, char *buf, size_t size);

#endif
