// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daxpolicy_mmap(), _munmap() and _madvise(): shared mappings that meet a
 * requirement, and the user-space form of the never-merged MADV_SYNC and
 * MADV_DIRECT. The context keeps a table of its mappings.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "private.h"


struct dp_mapping {
	uintptr_t start;
	size_t length;
	off_t offset;
	int prot;
	bool sync;
	int fd;       /* a duplicate, for MADV_SYNC/MADV_DIRECT; -1 once sync */
};

struct dp_mappings {
	size_t count, cap;
	struct dp_mapping *v;
	/* What a SIGBUS handler may search (sigbus.c); made with the table,
	 * never replaced. */
	struct dp_sigbus_registry *sigbus;
};

void dp_mappings_free(struct dp_mappings *maps)
{
	if (!maps)
		return;
	for (size_t i = 0; i < maps->count; i++)
		if (maps->v[i].fd >= 0)
			close(maps->v[i].fd);
	dp_sigbus_registry_free(maps->sigbus);
	free(maps->v);
	free(maps);
}

/* The table, made on first use. Called with ctx->lock held. A signal
 * handler reads ctx->mappings without the lock: publish it atomically. */
static struct dp_mappings *get_mappings(struct daxpolicy_ctx *ctx)
{
	struct dp_mappings *maps = ctx->mappings;

	if (maps)
		return maps;
	maps = calloc(1, sizeof(*maps));
	if (!maps)
		return NULL;
	maps->sigbus = dp_sigbus_registry_new();
	if (!maps->sigbus) {
		free(maps);
		return NULL;
	}
	__atomic_store_n(&ctx->mappings, maps, __ATOMIC_RELEASE);
	return maps;
}

struct dp_sigbus_registry *dp_mappings_sigbus(struct daxpolicy_ctx *ctx, bool create)
{
	struct dp_mappings *maps = __atomic_load_n(&ctx->mappings, __ATOMIC_ACQUIRE);

	if (!maps && create) {
		pthread_mutex_lock(&ctx->lock);
		maps = get_mappings(ctx);
		pthread_mutex_unlock(&ctx->lock);
	}
	return maps ? maps->sigbus : NULL;
}

size_t dp_mappings_count(struct daxpolicy_ctx *ctx)
{
	size_t n;

	pthread_mutex_lock(&ctx->lock);
	n = ctx->mappings ? ctx->mappings->count : 0;
	pthread_mutex_unlock(&ctx->lock);
	return n;
}

/* Called with ctx->lock held. */
static struct dp_mapping *add_mapping(struct daxpolicy_ctx *ctx)
{
	struct dp_mappings *maps = get_mappings(ctx);

	if (!maps)
		return NULL;
	if (maps->count == maps->cap) {
		size_t cap = maps->cap ? maps->cap * 2 : 16;
		struct dp_mapping *v = realloc(maps->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		maps->v = v;
		maps->cap = cap;
	}
	return &maps->v[maps->count++];
}

static void remove_mapping(struct dp_mappings *maps, size_t i)
{
	if (maps->v[i].fd >= 0)
		close(maps->v[i].fd);
	maps->v[i] = maps->v[--maps->count];
}

/* Split the mapping holding @at so that a mapping starts there. Called
 * with ctx->lock held; 0 or -ENOMEM. */
static int split_at(struct daxpolicy_ctx *ctx, uintptr_t at)
{
	struct dp_mappings *maps = ctx->mappings;

	for (size_t i = 0; maps && i < maps->count; i++) {
		struct dp_mapping *m = &maps->v[i], *tail;
		size_t head;
		int fd = -1;

		if (at <= m->start || at >= m->start + m->length)
			continue;
		if (m->fd >= 0) {
			fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				return -errno;
		}
		tail = add_mapping(ctx);
		if (!tail) {
			if (fd >= 0)
				close(fd);
			return -ENOMEM;
		}
		m = &maps->v[i];   /* add_mapping may have moved the table */
		head = at - m->start;
		*tail = *m;
		tail->start = at;
		tail->length = m->length - head;
		tail->offset = m->offset + (off_t)head;
		tail->fd = fd;
		m->length = head;
		return 0;
	}
	return 0;
}

/* The mappings inside [start, end) cover it completely? Lock held. */
static bool covered(struct dp_mappings *maps, uintptr_t start, uintptr_t end)
{
	size_t sum = 0;

	for (size_t i = 0; maps && i < maps->count; i++) {
		const struct dp_mapping *m = &maps->v[i];

		if (m->start >= start && m->start + m->length <= end)
			sum += m->length;
	}
	return sum == end - start;
}

DAXPOLICY_EXPORT int daxpolicy_mmap(struct daxpolicy_ctx *ctx, int fd, off_t offset,
				    size_t length, int prot, unsigned int req, void **addr)
{
	struct dp_mapping *m;
	bool sync;
	int dup_fd = -1, rc;
	void *p;

	if (!ctx || fd < 0 || !length || !addr || (req & ~DAXPOLICY_REQ_MASK))
		return -EINVAL;
	req |= ctx->env_req;
	sync = req & DAXPOLICY_REQ_SYNC;
	if (sync) {
		/* The kernel checks MAP_SYNC itself, and refuses rather than
		 * downgrade: no separate probe needed on the way in. */
		p = mmap(NULL, length, prot, MAP_SHARED_VALIDATE | MAP_SYNC, fd, offset);
		if (p == MAP_FAILED) {
			rc = -errno;
			if (rc == -EOPNOTSUPP || (rc == -EINVAL && offset % sysconf(_SC_PAGESIZE) == 0))
				return dp_refuse_fd(ctx, fd) == -EOPNOTSUPP ? -EOPNOTSUPP : rc;
			return rc;
		}
	} else {
		if (req & DAXPOLICY_REQ_DIRECT) {
			rc = daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_DIRECT);
			if (rc < 0)
				return rc;
		}
		/* Kept for a later DAXPOLICY_MADV_SYNC or _DIRECT. */
		dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (dup_fd < 0)
			return -errno;
		p = mmap(NULL, length, prot, MAP_SHARED, fd, offset);
		if (p == MAP_FAILED) {
			rc = -errno;
			close(dup_fd);
			return rc;
		}
	}
	pthread_mutex_lock(&ctx->lock);
	m = add_mapping(ctx);
	if (m)
		*m = (struct dp_mapping){ (uintptr_t)p, length, offset, prot, sync, dup_fd };
	pthread_mutex_unlock(&ctx->lock);
	if (!m) {
		munmap(p, length);
		if (dup_fd >= 0)
			close(dup_fd);
		return -ENOMEM;
	}
	/* For daxpolicy_sigbus_lookup(). */
	rc = daxpolicy_register_mapping(ctx, p, length, fd, offset);
	if (rc < 0) {
		daxpolicy_munmap(ctx, p, length);
		return rc;
	}
	*addr = p;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_munmap(struct daxpolicy_ctx *ctx, void *addr, size_t length)
{
	uintptr_t start = (uintptr_t)addr, end = start + length;
	struct dp_mappings *maps;
	int rc, unregistered;

	if (!ctx || !addr || !length)
		return -EINVAL;
	/* Out of the SIGBUS registry before the addresses can be given out
	 * again (munmap would refuse an unaligned address anyway). */
	if (start % (uintptr_t)sysconf(_SC_PAGESIZE))
		return -EINVAL;
	unregistered = daxpolicy_unregister_mapping(ctx, addr, length);
	if (munmap(addr, length) < 0)
		return -errno;
	pthread_mutex_lock(&ctx->lock);
	rc = split_at(ctx, start);
	if (rc == 0)
		rc = split_at(ctx, end);
	maps = ctx->mappings;
	for (size_t i = 0; maps && i < maps->count;) {
		if (maps->v[i].start >= start && maps->v[i].start + maps->v[i].length <= end)
			remove_mapping(maps, i);
		else
			i++;
	}
	pthread_mutex_unlock(&ctx->lock);
	return rc < 0 ? rc : unregistered;
}

/* MADV_DIRECT: every mapping of the range is of a DAX file. Lock held. */
static int check_direct(struct daxpolicy_ctx *ctx, uintptr_t start, uintptr_t end, int *refuse_fd)
{
	struct dp_mappings *maps = ctx->mappings;

	for (size_t i = 0; i < maps->count; i++) {
		const struct dp_mapping *m = &maps->v[i];
		struct statx stx;

		if (m->start + m->length <= start || m->start >= end || m->sync)
			continue;   /* MAP_SYNC mappings are DAX by construction */
		if (statx(m->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0 ||
		    !(stx.stx_attributes & STATX_ATTR_DAX)) {
			*refuse_fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* MADV_SYNC: remap each non-sync mapping of the range with MAP_SYNC at the
 * same address. A trial mapping first, so that a file the kernel refuses
 * leaves the old mapping untouched. Lock held. */
static int make_sync(struct daxpolicy_ctx *ctx, uintptr_t start, uintptr_t end, int *refuse_fd)
{
	struct dp_mappings *maps = ctx->mappings;

	for (size_t i = 0; i < maps->count; i++) {
		struct dp_mapping *m = &maps->v[i];
		void *trial, *p;

		if (m->start < start || m->start + m->length > end || m->sync)
			continue;
		trial = mmap(NULL, m->length, m->prot, MAP_SHARED_VALIDATE | MAP_SYNC, m->fd, m->offset);
		if (trial == MAP_FAILED) {
			*refuse_fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
			return -EOPNOTSUPP;
		}
		munmap(trial, m->length);
		p = mmap((void *)m->start, m->length, m->prot,
			 MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED, m->fd, m->offset);
		if (p == MAP_FAILED)
			return -errno;
		m->sync = true;
		close(m->fd);
		m->fd = -1;
	}
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_madvise(struct daxpolicy_ctx *ctx, void *addr, size_t length,
				       int advice)
{
	uintptr_t start = (uintptr_t)addr, end = start + length;
	int rc, refuse_fd = -1;

	if (!ctx || !length)
		return -EINVAL;
	if (advice != DAXPOLICY_MADV_SYNC && advice != DAXPOLICY_MADV_DIRECT)
		return madvise(addr, length, advice) < 0 ? -errno : 0;
	pthread_mutex_lock(&ctx->lock);
	rc = split_at(ctx, start);
	if (rc == 0)
		rc = split_at(ctx, end);
	if (rc == 0 && !covered(ctx->mappings, start, end))
		rc = -EINVAL;
	if (rc == 0)
		rc = advice == DAXPOLICY_MADV_SYNC ? make_sync(ctx, start, end, &refuse_fd) :
						      check_direct(ctx, start, end, &refuse_fd);
	pthread_mutex_unlock(&ctx->lock);
	if (rc == -EOPNOTSUPP && refuse_fd >= 0) {
		/* The report is made outside the lock: probing takes it too. */
		rc = dp_refuse_fd(ctx, refuse_fd);
		close(refuse_fd);
	}
	return rc;
}
