/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a DAX flag to an existing tree, safely: from directory file
 * descriptors (openat, O_NOFOLLOW), never following a symlink, never
 * leaving the filesystem it started on, so that a concurrent rename or
 * symlink swap cannot redirect it.
 */
#ifndef DAX_ADMIN_TREE_WALK_H
#define DAX_ADMIN_TREE_WALK_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

struct daxpolicy_ctx;

struct changed_file {
	char *path;
	dev_t dev;
	ino_t ino;
};

struct tree_walk {
	struct daxpolicy_ctx *ctx;
	bool on;                  /* the DAX flag every entry should get */
	bool dry_run;             /* only say what would change */
	dev_t dev;                /* the filesystem of the top directory */
	/* JSON arrays of paths (or objects for skipped and failed). */
	struct json_object *changed, *unchanged, *skipped, *failed;
	/* Regular files whose flag changed, to look for pending ones. */
	struct changed_file *files;
	size_t nfiles, cap;
	/* Mount points below the top, in the walk's own spelling (private):
	 * regular files are not opened, so a file mounted over is found here. */
	char **mount_points;
	size_t nmount_points;
	bool no_file_attr;        /* the kernel lacks file_getattr/setattr */
	/* Directories waiting for a worker thread (private). */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct walk_item *queue;
	size_t queued;
	int busy;
	int error;
};

/* Apply w->on below the directory open at @dirfd, named @path, and remove
 * the policy records of the directories below (they inherit the top's).
 * Directories are shared out between worker threads. Returns 0, or
 * -ENOMEM; per-entry failures go to w->failed. */
int tree_walk(struct tree_walk *w, int dirfd, const char *path);
void tree_walk_release(struct tree_walk *w);

#endif
