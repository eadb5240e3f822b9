// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mount table, parsed with libmount and cached in the context.  The
 * cache is re-read when /proc/self/mountinfo signals a change (poll()
 * reports POLLPRI on every mount or unmount).  On kernels with unique mount
 * ids (STATX_MNT_ID_UNIQUE, 6.8) a mount seen before is found by its id
 * without even that poll(): a unique id is never given to another mount.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libmount.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "private.h"

struct dp_mount_cache {
	int fd;                  /* open mountinfo, polled for changes */
	size_t count;
	struct dp_mount **mounts;
};

struct dp_mount dp_mount_unknown = {
	.placeholder = true, .target = "", .source = "", .fstype = "", .options = "",
};

/* Drop the cache's references. A kept FAST verdict refers back to its
 * mount: release those first to break the cycle (a caller still holding
 * such a report keeps the mount alive through it). */
static void free_mounts(struct dp_mount **mounts, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		for (int t = 0; t < 2; t++) {
			for (int d = 0; d < 2; d++) {
				daxpolicy_report_free(mounts[i]->fast[t][d]);
				mounts[i]->fast[t][d] = NULL;
			}
		}
		dp_mount_unref(mounts[i]);
	}
	free(mounts);
}

void dp_mount_cache_free(struct dp_mount_cache *cache)
{
	if (!cache)
		return;
	if (cache->fd >= 0)
		close(cache->fd);
	free_mounts(cache->mounts, cache->count);
	free(cache);
}

struct dp_mount *dp_mount_new(const char *target, const char *source,
			      const char *fstype, const char *options)
{
	struct dp_mount *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->refcount = 1;
	m->target = strdup(target ? target : "");
	m->source = strdup(source ? source : "");
	m->fstype = strdup(fstype ? fstype : "");
	m->options = strdup(options ? options : "");
	if (!m->target || !m->source || !m->fstype || !m->options) {
		dp_mount_unref(m);
		return NULL;
	}
	dp_mount_parse_dax(m->fstype, m->options, &m->dax_mode, &m->dax_mode_explicit);
	return m;
}

struct dp_mount *dp_mount_ref(struct dp_mount *m)
{
	if (!m->placeholder)
		__atomic_add_fetch(&m->refcount, 1, __ATOMIC_RELAXED);
	return m;
}

void dp_mount_unref(struct dp_mount *m)
{
	if (!m || m->placeholder || __atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(m->target);
	free(m->source);
	free(m->fstype);
	free(m->options);
	dp_device_unref(m->device);
	free(m);
}

bool dp_fstype_dax_capable(const char *fstype)
{
	static const char *const capable[] = { "ext2", "ext4", "xfs", "erofs", "virtiofs" };

	for (size_t i = 0; i < sizeof(capable) / sizeof(capable[0]); i++)
		if (strcmp(fstype, capable[i]) == 0)
			return true;
	return false;
}

void dp_mount_parse_dax(const char *fstype, const char *options,
			enum daxpolicy_dax_mode *mode, bool *explicit_mode)
{
	char *value = NULL;
	size_t vsz = 0;
	int rc;

	*explicit_mode = false;
	if (!dp_fstype_dax_capable(fstype)) {
		*mode = DAXPOLICY_DAX_MODE_NONE;
		return;
	}
	/* ext4 and xfs default to dax=inode (since 5.8); the others only do
	 * DAX when asked. */
	if (strcmp(fstype, "ext4") == 0 || strcmp(fstype, "xfs") == 0)
		*mode = DAXPOLICY_DAX_MODE_INODE;
	else
		*mode = DAXPOLICY_DAX_MODE_NEVER;
	if (!options)
		return;
	rc = mnt_optstr_get_option(options, "dax", &value, &vsz);
	if (rc != 0)
		return;
	*explicit_mode = true;
	if (!value || vsz == 0 || (vsz == 6 && strncmp(value, "always", 6) == 0))
		*mode = DAXPOLICY_DAX_MODE_ALWAYS;    /* legacy "-o dax" too */
	else if (vsz == 5 && strncmp(value, "inode", 5) == 0)
		*mode = DAXPOLICY_DAX_MODE_INODE;
	else if (vsz == 5 && strncmp(value, "never", 5) == 0)
		*mode = DAXPOLICY_DAX_MODE_NEVER;
}

static int parse_table(struct daxpolicy_ctx *ctx, const char *path,
		       struct dp_mount_cache *cache)
{
	struct libmnt_table *tb;
	struct libmnt_iter *itr;
	struct libmnt_fs *fs;
	struct dp_mount **mounts = NULL;
	size_t n = 0, cap = 0;
	int rc;

	tb = mnt_new_table();
	itr = mnt_new_iter(MNT_ITER_FORWARD);
	if (!tb || !itr) {
		rc = -ENOMEM;
		goto out;
	}
	rc = mnt_table_parse_file(tb, path);
	if (rc < 0) {
		err(ctx, "%s: cannot parse the mount table: %s", path, strerror(-rc));
		goto out;
	}
	while (mnt_table_next_fs(tb, itr, &fs) == 0) {
		struct dp_mount *m;

		if (n == cap) {
			struct dp_mount **bigger;

			cap = cap ? cap * 2 : 32;
			bigger = realloc(mounts, cap * sizeof(*mounts));
			if (!bigger) {
				rc = -ENOMEM;
				goto out;
			}
			mounts = bigger;
		}
		m = dp_mount_new(mnt_fs_get_target(fs), mnt_fs_get_source(fs),
				 mnt_fs_get_fstype(fs), mnt_fs_get_fs_options(fs));
		if (!m) {
			rc = -ENOMEM;
			goto out;
		}
		m->dev = mnt_fs_get_devno(fs);
		m->id = mnt_fs_get_id(fs);
		mounts[n++] = m;
	}
	free_mounts(cache->mounts, cache->count);
	cache->mounts = mounts;
	cache->count = n;
	mounts = NULL;
	n = 0;
	rc = 0;
out:
	free_mounts(mounts, n);
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	return rc;
}

/* Called with ctx->lock held. */
static int refresh(struct daxpolicy_ctx *ctx)
{
	struct dp_mount_cache *cache = ctx->mounts;
	char path[PATH_MAX];
	struct pollfd pfd;
	int rc;

	if (cache && cache->fd >= 0) {
		pfd.fd = cache->fd;
		pfd.events = POLLPRI;
		pfd.revents = 0;
		if (poll(&pfd, 1, 0) == 0 || !(pfd.revents & (POLLPRI | POLLERR)))
			return 0;
		dbg(ctx, "mount table changed");
		/* Device facts may have changed with it (namespace reconfigured
		 * while unmounted). */
		dp_device_cache_free(ctx->devices);
		ctx->devices = NULL;
	}
	rc = dp_sys_path(ctx, path, sizeof(path), "/proc/self/mountinfo");
	if (rc < 0)
		return rc;
	if (!cache) {
		cache = calloc(1, sizeof(*cache));
		if (!cache)
			return -ENOMEM;
		cache->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (cache->fd < 0) {
			rc = -errno;
			err(ctx, "%s: %s", path, strerror(-rc));
			free(cache);
			return rc;
		}
		ctx->mounts = cache;
	}
	return parse_table(ctx, path, cache);
}

static bool is_path_prefix(const char *target, const char *path)
{
	size_t n = strlen(target);

	if (strcmp(target, "/") == 0)
		return path[0] == '/';
	return strncmp(target, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int dp_mount_lookup(struct daxpolicy_ctx *ctx, int mnt_id, dev_t dev,
		    const char *path, struct dp_mount **out)
{
	struct dp_mount *best = NULL;
	struct dp_mount_cache *cache;
	int rc;

	pthread_mutex_lock(&ctx->lock);
	rc = refresh(ctx);
	if (rc < 0)
		goto out;
	cache = ctx->mounts;
	for (size_t i = 0; i < cache->count; i++) {
		struct dp_mount *m = cache->mounts[i];

		if (m->dev != dev)
			continue;
		if (mnt_id >= 0 && m->id == mnt_id) {
			best = m;
			break;
		}
		if (!path && mnt_id < 0) {   /* any mount of the device */
			best = m;
			break;
		}
		/* Later entries stack on top of earlier ones: keep the last of
		 * equally long targets. */
		if (path && is_path_prefix(m->target, path) &&
		    (!best || strlen(m->target) >= strlen(best->target)))
			best = m;
	}
	if (best)
		*out = dp_mount_ref(best);
	else
		rc = -ENOENT;
out:
	pthread_mutex_unlock(&ctx->lock);
	return rc;
}

struct dp_mount *dp_mount_find_unique(struct daxpolicy_ctx *ctx, uint64_t unique_id,
				      struct dp_object *o, struct dp_device **device)
{
	struct dp_mount_cache *cache;
	struct dp_mount *found = NULL;

	pthread_mutex_lock(&ctx->lock);
	cache = ctx->mounts;
	for (size_t i = 0; cache && i < cache->count; i++) {
		struct dp_mount *m = cache->mounts[i];

		if (m->unique_id != unique_id || !m->fs_known || !m->device)
			continue;
		found = dp_mount_ref(m);
		o->block_size = m->block_size;
		o->xfs_reflink = m->xfs_reflink;
		o->xfs_rmapbt = m->xfs_rmapbt;
		*device = dp_device_ref(m->device);
		break;
	}
	pthread_mutex_unlock(&ctx->lock);
	return found;
}

void dp_mount_remember(struct daxpolicy_ctx *ctx, struct dp_mount *m, uint64_t unique_id,
		       const struct dp_object *o, struct dp_device *device)
{
	if (m->placeholder)
		return;
	pthread_mutex_lock(&ctx->lock);
	if (!m->fs_known) {
		m->block_size = o->block_size;
		m->xfs_reflink = o->xfs_reflink;
		m->xfs_rmapbt = o->xfs_rmapbt;
		m->fs_known = true;
	}
	if (unique_id)
		m->unique_id = unique_id;
	if (!m->device)
		m->device = dp_device_ref(device);
	pthread_mutex_unlock(&ctx->lock);
}

struct daxpolicy_report *dp_mount_fast_verdict(struct daxpolicy_ctx *ctx, const struct dp_mount_key *key,
					       enum daxpolicy_object_type type, bool dax)
{
	struct daxpolicy_report *r = NULL;
	struct dp_mount_cache *cache;

	if (type > DAXPOLICY_OBJECT_DIRECTORY)
		return NULL;
	pthread_mutex_lock(&ctx->lock);
	/* A unique id cannot be stale; a reusable one is only good while the
	 * mount table is unchanged. */
	if (!key->unique_id && refresh(ctx) < 0)
		goto out;
	cache = ctx->mounts;
	for (size_t i = 0; cache && i < cache->count; i++) {
		struct dp_mount *m = cache->mounts[i];

		if (key->unique_id ? m->unique_id != key->unique_id :
		    m->id != key->id || m->dev != key->dev)
			continue;
		if (m->fast[type][dax])
			r = dp_report_ref(m->fast[type][dax]);
		break;
	}
out:
	pthread_mutex_unlock(&ctx->lock);
	return r;
}

void dp_mount_keep_fast_verdict(struct daxpolicy_ctx *ctx, struct dp_mount *m,
				struct daxpolicy_report *r)
{
	enum daxpolicy_object_type type = r->obj.type;

	if (m->placeholder || type > DAXPOLICY_OBJECT_DIRECTORY)
		return;
	pthread_mutex_lock(&ctx->lock);
	if (!m->fast[type][r->obj.dax_now])
		m->fast[type][r->obj.dax_now] = dp_report_ref(r);
	pthread_mutex_unlock(&ctx->lock);
}
