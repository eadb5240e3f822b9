// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daxpolicy_dir_set_policy_ex(): a directory's policy, proved with a probe
 * of a new file and put back exactly as it was found when it does not take
 * effect, and applied to the existing tree below over the library's walk
 * (walk.h). Regular files with several links are left alone unless asked:
 * another name, maybe outside the tree, reaches them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "private.h"
#include "walk.h"

#define POLICY_XATTR "user.daxpolicy"
#define HARDLINKED "a regular file with more than one link: another name, maybe outside the tree, " \
	"reaches it (--hardlinks changes it anyway)"

struct daxpolicy_set_entry {
	struct daxpolicy_set_entry *next;
	enum daxpolicy_set_outcome outcome;
	bool dir, pending;
	int err;
	uint64_t ino;
	const char *reason;   /* static */
	char path[];
};

/* The walk's threads make entries at once, so each thread keeps a list of
 * its own, its entries carved from blocks it alone uses: no lock and no
 * malloc per file. The lists are joined, in the order the threads first
 * added to them, when the walk is over (join_lists). */
#define ENTRY_BLOCK_SIZE (64 * 1024)

struct entry_block {
	struct entry_block *next;
	size_t used, size;
	_Alignas(struct daxpolicy_set_entry) char data[];
};

struct entry_list {
	struct entry_list *next;   /* the result's lists */
	struct daxpolicy_set_entry *first, **tail;
	size_t counts[DAXPOLICY_SET_FAILED + 1];
	struct entry_block *blocks;
};

struct daxpolicy_set_result {
	enum daxpolicy_policy previous;
	bool effective, flag;
	struct daxpolicy_report *report;
	uint64_t id;   /* tells the thread's list of this result from an earlier one's */
	struct entry_list *lists, **lists_tail;
	struct daxpolicy_set_entry *first;   /* after join_lists */
	size_t counts[DAXPOLICY_SET_FAILED + 1];
	pthread_mutex_t lock;   /* lists */
};

/* This thread's list, and the result it belongs to. */
static _Thread_local struct {
	uint64_t id;
	struct entry_list *list;
} mine;
static uint64_t next_result_id = 1;

/* What the walk needs. */
struct set_walk {
	struct daxpolicy_set_result *r;
	unsigned int flags;
	bool on, pending;   /* the flag to give; whether to look for pending files */
};

static const char *const outcome_names[] = {
	[DAXPOLICY_SET_CHANGED] = "changed",
	[DAXPOLICY_SET_UNCHANGED] = "unchanged",
	[DAXPOLICY_SET_SKIPPED] = "skipped",
	[DAXPOLICY_SET_FAILED] = "failed",
};

DAXPOLICY_EXPORT const char *daxpolicy_set_outcome_name(enum daxpolicy_set_outcome outcome)
{
	return (unsigned int)outcome < sizeof(outcome_names) / sizeof(outcome_names[0]) ?
	       outcome_names[outcome] : "unknown";
}

/* The calling thread's list of @r, made on its first entry. */
static struct entry_list *my_list(struct daxpolicy_set_result *r)
{
	struct entry_list *l;

	if (mine.id == r->id)
		return mine.list;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->tail = &l->first;
	pthread_mutex_lock(&r->lock);
	*r->lists_tail = l;
	r->lists_tail = &l->next;
	pthread_mutex_unlock(&r->lock);
	mine.id = r->id;
	mine.list = l;
	return l;
}

/* @size bytes for an entry, from the list's newest block or a new one. */
static void *carve(struct entry_list *l, size_t size)
{
	struct entry_block *b = l->blocks;

	size = (size + _Alignof(struct daxpolicy_set_entry) - 1) & ~(_Alignof(struct daxpolicy_set_entry) - 1);
	if (!b || b->size - b->used < size) {
		size_t room = size > ENTRY_BLOCK_SIZE - sizeof(*b) ? size : ENTRY_BLOCK_SIZE - sizeof(*b);

		b = malloc(sizeof(*b) + room);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = room;
		b->next = l->blocks;
		l->blocks = b;
	}
	b->used += size;
	return b->data + b->used - size;
}

static int add_file_entry(struct daxpolicy_set_result *r, enum daxpolicy_set_outcome outcome, const char *path,
			  bool dir, bool pending, uint64_t ino, int err, const char *reason)
{
	size_t len = strlen(path);
	struct entry_list *l = my_list(r);
	struct daxpolicy_set_entry *e = l ? carve(l, sizeof(*e) + len + 1) : NULL;

	if (!e)
		return -ENOMEM;
	*e = (struct daxpolicy_set_entry){ .outcome = outcome, .dir = dir, .pending = pending, .err = err,
					   .ino = ino, .reason = reason };
	memcpy(e->path, path, len + 1);
	*l->tail = e;
	l->tail = &e->next;
	l->counts[outcome]++;
	return 0;
}

/* One list of every entry, and the counts, once no thread adds to them. */
static void join_lists(struct daxpolicy_set_result *r)
{
	struct daxpolicy_set_entry **tail = &r->first;

	for (struct entry_list *l = r->lists; l; l = l->next) {
		if (!l->first)
			continue;
		*tail = l->first;
		tail = l->tail;
		for (size_t i = 0; i <= DAXPOLICY_SET_FAILED; i++)
			r->counts[i] += l->counts[i];
	}
	*tail = NULL;
}

static int add_entry(struct daxpolicy_set_result *r, enum daxpolicy_set_outcome outcome, const char *path,
		     bool dir, uint64_t ino, int err, const char *reason)
{
	return add_file_entry(r, outcome, path, dir, false, ino, err, reason);
}

/* FS_XFLAG_DAX of @fd to w->on (or only looked at, in a dry run). */
static int apply_flag(const struct set_walk *w, int fd, bool *changed)
{
	struct fsxattr fsx;

	*changed = false;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	if (!!(fsx.fsx_xflags & FS_XFLAG_DAX) == w->on)
		return 0;
	*changed = true;
	if (w->flags & DAXPOLICY_SET_DRY_RUN)
		return 0;
	fsx.fsx_xflags = w->on ? fsx.fsx_xflags | FS_XFLAG_DAX : fsx.fsx_xflags & ~FS_XFLAG_DAX;
	return ioctl(fd, FS_IOC_FSSETXATTR, &fsx) < 0 ? -errno : 0;
}

/* A directory below the top: its flag, and its record goes (the tree
 * follows the top's). */
static int set_dir(void *arg, int fd, const char *path)
{
	struct set_walk *w = arg;
	struct stat st;
	bool changed;
	int rc = apply_flag(w, fd, &changed);

	if (rc == 0) {
		char value[32];

		if (w->flags & DAXPOLICY_SET_DRY_RUN)
			changed |= fgetxattr(fd, POLICY_XATTR, value, sizeof(value)) >= 0;
		else if (fremovexattr(fd, POLICY_XATTR) == 0)
			changed = true;
		else if (errno != ENODATA && errno != ENOTSUP)
			rc = -errno;
	}
	if (rc < 0)
		return add_entry(w->r, DAXPOLICY_SET_FAILED, path, true, 0, -rc, NULL);
	if (fstat(fd, &st) < 0)
		st.st_ino = 0;
	rc = add_entry(w->r, changed ? DAXPOLICY_SET_CHANGED : DAXPOLICY_SET_UNCHANGED, path, true,
		       st.st_ino, 0, NULL);
	return rc < 0 ? rc : 0;
}

/* After the flag of @f (@st) changed and the walk let go of it: did its
 * state stay as it was? The kernel switches a file's DAX state when the
 * inode is next loaded, so one that another process holds open or mapped
 * keeps the old state until the last holder lets go. Looked at by name
 * from the directory, as the flag was: a file renamed away meanwhile
 * (another inode) is not pending. */
static bool still_as_before(const struct dp_walk_file *f, const struct stat *st, bool on)
{
	struct statx stx;

	if (statx(f->dirfd, f->name, AT_SYMLINK_NOFOLLOW, STATX_INO, &stx) < 0 ||
	    stx.stx_ino != (uint64_t)st->st_ino || !(stx.stx_attributes_mask & STATX_ATTR_DAX))
		return false;
	return !!(stx.stx_attributes & STATX_ATTR_DAX) != on;
}

static int set_file(void *arg, struct dp_walk_file *f)
{
	struct set_walk *w = arg;
	enum daxpolicy_set_outcome outcome;
	struct stat st;
	bool changed, pending = false;
	int fd = dp_walk_open_file(f, O_RDONLY), rc;

	if (fd < 0) {
		if (fd == -ENOENT || fd == -EXDEV || fd == -ELOOP)
			return 0;   /* gone; a mount point (told); a symlink renamed in */
		return add_entry(w->r, DAXPOLICY_SET_FAILED, f->path, false, f->ino, -fd, NULL);
	}
	/* The type and link count of what was opened, whatever the directory
	 * entry said. */
	if (fstat(fd, &st) < 0) {
		rc = add_entry(w->r, DAXPOLICY_SET_FAILED, f->path, false, f->ino, errno, NULL);
	} else if (!S_ISREG(st.st_mode)) {
		rc = 0;   /* a FIFO or device renamed in: no DAX, left alone */
	} else if (st.st_nlink > 1 && !(w->flags & DAXPOLICY_SET_HARDLINKS)) {
		rc = add_entry(w->r, DAXPOLICY_SET_SKIPPED, f->path, false, st.st_ino, 0, HARDLINKED);
	} else {
		rc = apply_flag(w, fd, &changed);
		outcome = rc < 0 ? DAXPOLICY_SET_FAILED : changed ? DAXPOLICY_SET_CHANGED : DAXPOLICY_SET_UNCHANGED;
		if (outcome == DAXPOLICY_SET_CHANGED && w->pending) {
			close(fd);   /* the walk's own hold goes first */
			fd = -1;
			pending = still_as_before(f, &st, w->on);
		}
		rc = add_file_entry(w->r, outcome, f->path, false, pending, st.st_ino, rc < 0 ? -rc : 0, NULL);
	}
	if (fd >= 0)
		dp_walk_close_later(f, fd);
	return rc;
}

static void walk_skip(void *arg, const char *path, const char *why)
{
	struct set_walk *w = arg;

	add_entry(w->r, DAXPOLICY_SET_SKIPPED, path, false, 0, 0, why);
}

static void walk_fail(void *arg, const char *path, int err)
{
	struct set_walk *w = arg;

	add_entry(w->r, DAXPOLICY_SET_FAILED, path, false, 0, err, NULL);
}

/* The directory as it was: its flag and its record, byte for byte. */
struct dir_state {
	bool flag, had_record;
	char record[256];
	ssize_t record_len;
};

static int save_state(int fd, struct dir_state *s)
{
	struct fsxattr fsx;

	if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) < 0)
		return -errno;
	s->flag = (fsx.fsx_xflags & FS_XFLAG_DAX) != 0;
	s->record_len = fgetxattr(fd, POLICY_XATTR, s->record, sizeof(s->record));
	s->had_record = s->record_len >= 0;
	if (!s->had_record && errno != ENODATA && errno != ENOTSUP)
		return -errno;
	return 0;
}

static int restore_state(struct daxpolicy_ctx *ctx, int fd, const struct dir_state *s)
{
	int rc = daxpolicy_set_dax_flag(ctx, fd, s->flag, NULL);

	if (s->had_record) {
		if (fsetxattr(fd, POLICY_XATTR, s->record, (size_t)s->record_len, 0) < 0 && rc == 0)
			rc = -errno;
	} else if (fremovexattr(fd, POLICY_XATTR) < 0 && errno != ENODATA && errno != ENOTSUP && rc == 0) {
		rc = -errno;
	}
	if (rc < 0)
		err(ctx, "cannot put the directory back as it was: %s", strerror(-rc));
	return rc;
}

/* Does the probe of a new file match the policy? */
static bool policy_met(enum daxpolicy_policy policy, struct daxpolicy_report *r)
{
	switch (policy) {
	case DAXPOLICY_POLICY_DIRECT: return daxpolicy_report_get_dax(r);
	case DAXPOLICY_POLICY_SYNC: return daxpolicy_report_get_dax(r) && daxpolicy_report_get_map_sync(r);
	case DAXPOLICY_POLICY_PAGE_CACHE: return !daxpolicy_report_get_dax(r);
	default: return true;
	}
}

static int new_result(struct daxpolicy_set_result **out)
{
	struct daxpolicy_set_result *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->lists_tail = &r->lists;
	r->id = __atomic_fetch_add(&next_result_id, 1, __ATOMIC_RELAXED);
	r->effective = true;
	pthread_mutex_init(&r->lock, NULL);
	*out = r;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_dir_set_policy_ex(struct daxpolicy_ctx *ctx, int dirfd,
						 enum daxpolicy_policy policy, unsigned int flags,
						 struct daxpolicy_set_result **result)
{
	static const struct dp_walk_ops ops = {
		.dir = set_dir,
		.file = set_file,
		.skip = walk_skip,
		.fail = walk_fail,
		.max_threads = 8,
		.threads_per_cpu = 4,   /* cold inodes: waits for reads */
	};
	struct set_walk w = { .flags = flags };
	struct daxpolicy_set_result *r = NULL;
	struct dir_state before;
	enum daxpolicy_policy effective;
	struct fsxattr fsx;
	char path[64];
	int fd, rc;

	if (!result)
		return -EINVAL;
	*result = NULL;
	if (!ctx || dirfd < 0 || policy > DAXPOLICY_POLICY_PAGE_CACHE ||
	    (flags & ~(unsigned int)(DAXPOLICY_SET_RECURSIVE | DAXPOLICY_SET_HARDLINKS | DAXPOLICY_SET_DRY_RUN |
				     DAXPOLICY_SET_VERIFY | DAXPOLICY_SET_ALLOW_INEFFECTIVE |
				     DAXPOLICY_SET_PENDING)))
		return -EINVAL;
	/* A descriptor that takes ioctls, whatever @dirfd is (O_PATH too). */
	dp_snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", dirfd);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = new_result(&r);
	if (rc < 0)
		goto out;
	w.r = r;
	if (daxpolicy_dir_get_policy(ctx, fd, &r->previous, &effective, NULL, 0) < 0)
		r->previous = DAXPOLICY_POLICY_INHERIT;
	rc = save_state(fd, &before);
	if (rc < 0) {
		err(ctx, "cannot read the DAX flag of the directory: %s", strerror(-rc));
		goto out;
	}
	if (flags & DAXPOLICY_SET_DRY_RUN) {
		w.on = policy == DAXPOLICY_POLICY_INHERIT ? before.flag : policy != DAXPOLICY_POLICY_PAGE_CACHE;
		rc = add_entry(r, r->previous != policy ? DAXPOLICY_SET_CHANGED : DAXPOLICY_SET_UNCHANGED, ".",
			       true, 0, 0, NULL);
	} else {
		rc = daxpolicy_dir_set_policy(ctx, fd, policy);
		if (rc < 0)
			goto out;
		if ((flags & DAXPOLICY_SET_VERIFY) &&
		    daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_TMPFILE, &r->report) == 0) {
			r->effective = policy_met(policy, r->report);
			if (!r->effective && !(flags & DAXPOLICY_SET_ALLOW_INEFFECTIVE)) {
				/* A policy that cannot work is not left behind. */
				restore_state(ctx, fd, &before);
				err(ctx, "the %s policy does not take effect here; the directory was put back as it was",
				    daxpolicy_policy_name(policy));
				rc = -EOPNOTSUPP;
				goto out;
			}
		}
		/* The tree below takes the flag the top now has (for INHERIT,
		 * its parent's). */
		w.on = ioctl(fd, FS_IOC_FSGETXATTR, &fsx) == 0 ? (fsx.fsx_xflags & FS_XFLAG_DAX) != 0 :
		       policy != DAXPOLICY_POLICY_PAGE_CACHE && policy != DAXPOLICY_POLICY_INHERIT;
		rc = add_entry(r, r->previous != policy ? DAXPOLICY_SET_CHANGED : DAXPOLICY_SET_UNCHANGED, ".",
			       true, 0, 0, NULL);
	}
	r->flag = w.on;
	/* Pending means something only where the probe found that the policy
	 * takes effect. */
	w.pending = (flags & DAXPOLICY_SET_PENDING) && r->report && r->effective;
	if (rc == 0 && (flags & DAXPOLICY_SET_RECURSIVE))
		rc = dp_walk_tree(ctx, fd, NULL, &ops, &w);
out:
	close(fd);
	if (r)
		join_lists(r);
	*result = r;
	return rc;
}

DAXPOLICY_EXPORT void daxpolicy_set_result_free(struct daxpolicy_set_result *r)
{
	struct entry_list *l, *next_list;
	struct entry_block *b, *next_block;

	if (!r)
		return;
	for (l = r->lists; l; l = next_list) {
		next_list = l->next;
		for (b = l->blocks; b; b = next_block) {
			next_block = b->next;
			free(b);
		}
		free(l);
	}
	if (r->report)
		daxpolicy_report_free(r->report);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

DAXPOLICY_EXPORT enum daxpolicy_policy daxpolicy_set_result_get_previous_policy(struct daxpolicy_set_result *r)
{
	return r ? r->previous : DAXPOLICY_POLICY_INHERIT;
}

DAXPOLICY_EXPORT bool daxpolicy_set_result_get_effective(struct daxpolicy_set_result *r)
{
	return r && r->effective;
}

DAXPOLICY_EXPORT bool daxpolicy_set_result_get_dax_flag(struct daxpolicy_set_result *r)
{
	return r && r->flag;
}

DAXPOLICY_EXPORT struct daxpolicy_report *daxpolicy_set_result_get_report(struct daxpolicy_set_result *r)
{
	return r ? r->report : NULL;
}

DAXPOLICY_EXPORT size_t daxpolicy_set_result_get_count(struct daxpolicy_set_result *r,
						       enum daxpolicy_set_outcome outcome)
{
	return r && (unsigned int)outcome <= DAXPOLICY_SET_FAILED ? r->counts[outcome] : 0;
}

DAXPOLICY_EXPORT struct daxpolicy_set_entry *daxpolicy_set_result_get_first(struct daxpolicy_set_result *r)
{
	return r ? r->first : NULL;
}

DAXPOLICY_EXPORT struct daxpolicy_set_entry *daxpolicy_set_entry_get_next(struct daxpolicy_set_entry *e)
{
	return e ? e->next : NULL;
}

DAXPOLICY_EXPORT const char *daxpolicy_set_entry_get_path(struct daxpolicy_set_entry *e)
{
	return e ? e->path : NULL;
}

DAXPOLICY_EXPORT enum daxpolicy_set_outcome daxpolicy_set_entry_get_outcome(struct daxpolicy_set_entry *e)
{
	return e ? e->outcome : DAXPOLICY_SET_FAILED;
}

DAXPOLICY_EXPORT const char *daxpolicy_set_entry_get_reason(struct daxpolicy_set_entry *e)
{
	return e ? e->reason : NULL;
}

DAXPOLICY_EXPORT int daxpolicy_set_entry_get_errno(struct daxpolicy_set_entry *e)
{
	return e ? e->err : 0;
}

DAXPOLICY_EXPORT uint64_t daxpolicy_set_entry_get_inode(struct daxpolicy_set_entry *e)
{
	return e ? e->ino : 0;
}

DAXPOLICY_EXPORT bool daxpolicy_set_entry_get_is_dir(struct daxpolicy_set_entry *e)
{
	return e && e->dir;
}

DAXPOLICY_EXPORT bool daxpolicy_set_entry_get_pending(struct daxpolicy_set_entry *e)
{
	return e && e->pending;
}
