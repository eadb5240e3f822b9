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
};

/* Apply w->on below the directory open at @dirfd, named @path, and remove
 * the policy records of the directories below (they inherit the top's).
 * Returns 0, or -ENOMEM; per-entry failures go to w->failed. */
int tree_walk(struct tree_walk *w, int dirfd, const char *path);
void tree_walk_release(struct tree_walk *w);

#endif
