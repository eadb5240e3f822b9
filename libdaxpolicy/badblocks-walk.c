// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The FIEMAP walk: every regular file of the filesystem, from its mount
 * root, mapped with bb_fiemap_map(), over the library's tree walk
 * (walk.h: directory descriptors, never a symlink, never another mount,
 * in inode order on a few threads with fd tables of their own).
 *
 * A file costs open, FIEMAP and a share of a close_range(): its type and
 * inode come from the directory entry. A FIFO or device renamed into its
 * place meanwhile is harmless: the VFS answers FS_IOC_FIEMAP itself, never
 * the device's driver, and it maps to nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "badblocks.h"
#include "private.h"
#include "walk.h"

enum { MAX_THREADS = 4 };

struct fiemap_walk {
	struct bb_scan *s;
	pthread_mutex_t lock;   /* the hits of the ranges */
};

static int map_file(void *arg, struct dp_walk_file *f)
{
	struct fiemap_walk *fw = arg;
	int fd = dp_walk_open_file(f, O_RDONLY), rc;

	if (fd < 0)
		return fd == -ENOMEM ? fd : 0;   /* gone, a mount point: not this filesystem's */
	rc = bb_fiemap_map(fw->s, &fw->lock, fd, f->path, f->ino);
	dp_walk_close_later(f, fd);
	return rc < 0 ? rc : 0;
}

/* The same file reached by several names is mapped once per name: keep
 * the first name's hits. */
static void drop_duplicate_hits(struct daxpolicy_badblocks *bb)
{
	for (size_t i = 0; i < bb->count; i++) {
		for (struct daxpolicy_badhit *h = bb->ranges[i].hits; h; h = h->next) {
			struct daxpolicy_badhit **o = &h->next;

			while (*o && (*o)->sector == h->sector) {
				if ((*o)->kind == h->kind && (*o)->inode == h->inode) {
					struct daxpolicy_badhit *dup = *o;

					*o = dup->next;
					dup->next = NULL;
					bb_free_hits(dup);
				} else {
					o = &(*o)->next;
				}
			}
		}
	}
}

int bb_fiemap_walk(struct daxpolicy_ctx *ctx, struct bb_scan *s)
{
	static const struct dp_walk_ops ops = {
		.file = map_file,
		.max_threads = MAX_THREADS,
		.threads_per_cpu = 1,
	};
	struct fiemap_walk fw = { .s = s };
	int rc;

	pthread_mutex_init(&fw.lock, NULL);
	rc = dp_walk_tree(ctx, s->rootfd, s->root, &ops, &fw);
	pthread_mutex_destroy(&fw.lock);
	if (rc == 0)
		drop_duplicate_hits(s->bb);
	return rc;
}
