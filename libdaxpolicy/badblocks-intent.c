// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The repair's intent records and the directory that holds them with the
 * quarantine files (DAXPOLICY_QUARANTINE_DIR at the filesystem's root).
 *
 * Before a repair changes a block of a file, it writes what it is about to
 * do and the block's saved good contents to a record, and makes the record
 * durable (fsync of the file, then of the directory). Once the block is
 * rewritten and verified, the record is removed. A record found later means
 * a repair was interrupted: its contents are put back (badblocks-repair.c).
 * A record that does not check out (torn by a crash while it was written)
 * was never complete, so no destructive step had started: it is dropped.
 *
 * The directory is created 0700 and opened with O_NOFOLLOW; one that is not
 * a directory, not owned by root (or the caller), or writable by others is
 * refused, since whoever may write there could delete a quarantine file
 * (putting a bad block back into free space) or forge a record.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"
#include "private.h"

#define INTENT_MAGIC "DAXRPR01"

/* On disk: this header (checksum over it, with the checksum field zero,
 * and the block after it), then block_size bytes of saved contents. */
struct intent_disk {
	char magic[8];
	uint32_t header_size;
	uint32_t handle_type;
	uint32_t handle_bytes;
	uint32_t have_generation;
	uint64_t dev, ino, generation;
	uint64_t file_offset, length, block_size, old_sector;
	uint64_t file_size;
	uint8_t bad[BB_INTENT_MAX_SECTORS / 8];
	uint8_t handle[BB_INTENT_MAX_HANDLE];
	char path[BB_INTENT_MAX_PATH];
	uint64_t checksum;
};

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t checksum(const struct intent_disk *d, const unsigned char *data)
{
	struct intent_disk z = *d;

	z.checksum = 0;
	return fnv1a(fnv1a(0xcbf29ce484222325ull, &z, sizeof(z)), data, d->block_size);
}

bool bb_intent_is_record(const char *name)
{
	size_t n = strlen(name);

	return n > 7 && !strcmp(name + n - 7, ".intent") && name[0] != '.';
}

/* @ctx NULL: no message. */
int bb_qdir_open(struct daxpolicy_ctx *ctx, int rootfd, dev_t dev, bool create, int *dirfd)
{
	const char *q = DAXPOLICY_QUARANTINE_DIR;
	struct stat st;
	int fd;

	*dirfd = -1;
	if (create && mkdirat(rootfd, q, 0700) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(rootfd, q, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return -ENOENT;
		if (e == ENOTDIR || e == ELOOP) {
			if (ctx)
				err(ctx, "%s is not a directory (a symlink, FIFO or file is there): refused; "
			    "remove it, a repair creates it anew", q);
			return -EPERM;
		}
		return -e;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_dev != dev) {
		if (ctx)
			err(ctx, "%s is not a directory of this filesystem: refused", q);
		close(fd);
		return -EPERM;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		if (ctx)
			err(ctx, "%s is owned by uid %u with mode %04o: refused, since others could remove its "
		    "quarantine files or forge repair records; check its contents, then "
		    "chown %u and chmod 0700 it", q, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		    (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	*dirfd = fd;
	return 0;
}

int bb_intent_write(int dirfd, const struct bb_intent *in, char *name, size_t size)
{
	struct intent_disk *d = calloc(1, sizeof(*d));
	int fd = -1, rc = 0;
	ssize_t n;

	if (!d)
		return -ENOMEM;
	if (in->block_size > BB_INTENT_MAX_SECTORS * 512 || in->handle_bytes > sizeof(d->handle)) {
		free(d);
		return -EOVERFLOW;
	}
	memcpy(d->magic, INTENT_MAGIC, 8);
	d->header_size = sizeof(*d);
	d->handle_type = in->handle_type;
	d->handle_bytes = in->handle_bytes;
	d->have_generation = in->have_generation;
	d->dev = in->dev;
	d->ino = in->ino;
	d->generation = in->generation;
	d->file_offset = in->file_offset;
	d->length = in->length;
	d->block_size = in->block_size;
	d->old_sector = in->old_sector;
	d->file_size = in->file_size;
	memcpy(d->bad, in->bad, sizeof(d->bad));
	memcpy(d->handle, in->handle, in->handle_bytes);
	snprintf(d->path, sizeof(d->path), "%s", in->path);
	d->checksum = checksum(d, in->data);

	if (dp_snprintf(name, size, "repair-%llu-%llu.intent", (unsigned long long)in->ino,
			(unsigned long long)in->file_offset) < 0) {
		free(d);
		return -ENAMETOOLONG;
	}
	/* A record left by an interrupted repair of this block is finished
	 * before a new repair starts, so the name is free. */
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		rc = -errno;
	if (rc == 0) {
		n = write(fd, d, sizeof(*d));
		rc = n == (ssize_t)sizeof(*d) ? 0 : n < 0 ? -errno : -EIO;
	}
	if (rc == 0) {
		n = write(fd, in->data, in->block_size);
		rc = n == (ssize_t)in->block_size ? 0 : n < 0 ? -errno : -EIO;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc == 0 && fsync(dirfd) < 0)
		rc = -errno;
	if (rc < 0 && fd >= 0)
		unlinkat(dirfd, name, 0);
	free(d);
	return rc;
}

int bb_intent_read(int dirfd, const char *name, struct bb_intent *in)
{
	struct intent_disk *d = calloc(1, sizeof(*d));
	struct stat st;
	int fd, rc = 0;
	ssize_t n;

	memset(in, 0, sizeof(*in));
	if (!d)
		return -ENOMEM;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		free(d);
		return -errno;
	}
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
		 (st.st_mode & (S_IWGRP | S_IWOTH)))
		rc = -EPERM;
	if (rc == 0) {
		n = read(fd, d, sizeof(*d));
		if (n != (ssize_t)sizeof(*d) || memcmp(d->magic, INTENT_MAGIC, 8) ||
		    d->header_size != sizeof(*d) || !d->block_size || d->block_size % 512 ||
		    d->block_size > BB_INTENT_MAX_SECTORS * 512 || d->handle_bytes > sizeof(d->handle) ||
		    d->length > d->block_size || (uint64_t)st.st_size != sizeof(*d) + d->block_size)
			rc = -EBADMSG;
	}
	if (rc == 0 && !(in->data = malloc(d->block_size)))
		rc = -ENOMEM;
	if (rc == 0) {
		n = read(fd, in->data, d->block_size);
		if (n != (ssize_t)d->block_size || checksum(d, in->data) != d->checksum)
			rc = -EBADMSG;
	}
	close(fd);
	if (rc == 0) {
		in->handle_type = d->handle_type;
		in->handle_bytes = d->handle_bytes;
		in->have_generation = d->have_generation;
		in->dev = d->dev;
		in->ino = d->ino;
		in->generation = d->generation;
		in->file_offset = d->file_offset;
		in->length = d->length;
		in->block_size = d->block_size;
		in->old_sector = d->old_sector;
		in->file_size = d->file_size;
		memcpy(in->bad, d->bad, sizeof(in->bad));
		memcpy(in->handle, d->handle, d->handle_bytes);
		d->path[sizeof(d->path) - 1] = '\0';
		memcpy(in->path, d->path, sizeof(in->path));
	} else {
		free(in->data);
		in->data = NULL;
	}
	free(d);
	return rc;
}

int bb_intent_remove(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return fsync(dirfd) < 0 ? -errno : 0;
}
