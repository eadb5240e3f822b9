/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's one tree walk, used by the recursive policy change
 * (policy-tree.c) and the badblocks FIEMAP walk (badblocks-walk.c).
 *
 * What it guarantees, whatever the owner of the tree does meanwhile
 * (renames, symlink swaps, bind mounts made by root beforehand):
 *  - it never follows a symlink, and opens only what the directory lists
 *    as a regular file (O_NONBLOCK | O_NOCTTY): a FIFO or device renamed
 *    into its place meanwhile is opened, seen on the descriptor by the
 *    caller and closed untouched, before any ioctl;
 *  - every directory is opened from its parent's descriptor, or from the
 *    top's with openat2(RESOLVE_BENEATH | RESOLVE_NO_XDEV |
 *    RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) where the kernel has it
 *    (O_NOFOLLOW | O_DIRECTORY otherwise), and entered only when its mount
 *    id (statx STATX_MNT_ID_UNIQUE or STATX_MNT_ID, else /proc fdinfo) is
 *    the top's: no rename can take the walk into a bind mount or another
 *    filesystem, since a mount id belongs to the mount, not to a path;
 *  - where mounts hang off the top's mount, each file's mount is checked
 *    on its descriptor too (dp_walk_open_file), so a file mounted over is
 *    not changed either.
 * A directory is read a large chunk at a time, each chunk in inode order.
 * Directories are shared out to a few threads; where openat2 works each
 * thread has an fd table of its own and queued directories travel as
 * paths, opened again beneath the top (see badblocks-walk.c for why).
 */
#ifndef LIBDAXPOLICY_WALK_H
#define LIBDAXPOLICY_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct daxpolicy_ctx;
struct dp_walk;
struct dp_fd_run;

/* A regular file found by the walk. */
struct dp_walk_file {
	struct dp_walk *w;
	struct dp_fd_run *later;   /* the thread's run of fds to close */
	int dirfd;                 /* its directory, in the thread's fd table */
	const char *name;          /* its name there */
	const char *path;          /* its path, for reports */
	uint64_t ino;              /* from the directory entry */
};

struct dp_walk_ops {
	/* A directory entered (never the top), open at @fd (O_RDONLY), on
	 * the top's mount: 0 to walk it, 1 to leave it, negative errno to
	 * stop the walk. May be NULL. */
	int (*dir)(void *arg, int fd, const char *path);
	/* A regular file: 0, or a negative errno to stop the walk. */
	int (*file)(void *arg, struct dp_walk_file *f);
	/* An entry left out, and why (a mount point). May be NULL. */
	void (*skip)(void *arg, const char *path, const char *why);
	/* An entry that could not be read or opened (errno @err). May be NULL. */
	void (*fail)(void *arg, const char *path, int err);
	/* Threads: at most @max_threads (1 when 0, 8 at most), and at most
	 * @threads_per_cpu per online CPU when not 0. */
	unsigned int max_threads, threads_per_cpu;
};

/*
 * Walk the tree below the directory open at @topfd, whose entries are
 * named @top "/" NAME... in reports (just NAME... when @top is NULL).
 * The callbacks run on several threads at once. Returns 0, the first
 * negative errno a callback returned, or -ENOMEM.
 */
int dp_walk_tree(struct daxpolicy_ctx *ctx, int topfd, const char *top,
		 const struct dp_walk_ops *ops, void *arg);

/* Open the file @f (O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC added
 * to @flags), a regular file on the top's mount: the descriptor, or a
 * negative errno (-EXDEV: a mount point, already reported as skipped;
 * -ENOENT: gone meanwhile). The caller checks the type on the descriptor
 * (something else may have been renamed in since the directory was read).
 * Give the descriptor to dp_walk_close_later(). */
int dp_walk_open_file(struct dp_walk_file *f, int flags);
/* Close @fd soon: descriptors are closed in runs. */
void dp_walk_close_later(struct dp_walk_file *f, int fd);

/* The mount id of @fd (unique where the kernel has it): 0 or -errno. */
int dp_mount_id(int fd, uint64_t *id, bool *unique);

#endif
