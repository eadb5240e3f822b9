/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files dax-admin creates or appends to as root (the monitor's log and
 * state), opened so that a user who can write somewhere on the way cannot
 * make root write elsewhere: the directory and the file are opened with
 * O_NOFOLLOW, a file is created with O_EXCL, and before an existing file is
 * opened for writing its type, owner, mode and link count are checked on an
 * O_PATH descriptor (so a FIFO, a device such as /dev/null or a symbolic
 * link is refused without ever being opened read-write). The directory must
 * be owned by the user running dax-admin and not writable by others (or
 * sticky, as /tmp); a missing one is created with mode 0700.
 */
#ifndef DAX_ADMIN_SAFE_FILE_H
#define DAX_ADMIN_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Open (creating it 0600 when missing) the file @path for appending:
 * O_RDWR | O_APPEND | O_CLOEXEC. The descriptor, or -1 with the reason in
 * @why (size @n). *@created tells whether it was created. */
int safe_file_open(const char *path, bool *created, char *why, size_t n);

#endif
