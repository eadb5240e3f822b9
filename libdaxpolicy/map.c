// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daxpolicy_mmap(), _munmap() and _madvise(): shared mappings that meet a
 * requirement, and the user-space form of the never-merged MADV_SYNC and
 * MADV_DIRECT; daxpolicy_register_mapping() and _unregister_mapping() for
 * mappings made elsewhere. Every mapping is a node of the context's
 * registry (map-registry.c), which daxpolicy_sigbus_lookup() searches: one
 * table, one lock, O(log n) per call, no descriptor per mapping.
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
#include "map-registry.h"
#include "private.h"

void dp_mappings_free(struct dp_map_registry *reg)
{
	dp_map_registry_free(reg);
}

struct dp_map_registry *dp_mappings_sigbus(struct daxpolicy_ctx *ctx, bool create)
{
	struct dp_map_registry *reg = __atomic_load_n(&ctx->mappings, __ATOMIC_ACQUIRE);

	if (reg || !create)
		return reg;
	/* Made on first use; a signal handler reads ctx->mappings without
	 * the lock: publish it atomically. */
	pthread_mutex_lock(&ctx->lock);
	reg = ctx->mappings;
	if (!reg) {
		reg = dp_map_registry_new();
		if (reg)
			__atomic_store_n(&ctx->mappings, reg, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&ctx->lock);
	return reg;
}

size_t dp_mappings_count(struct daxpolicy_ctx *ctx)
{
	struct dp_map_registry *reg = dp_mappings_sigbus(ctx, false);
	size_t n;

	if (!reg)
		return 0;
	dp_map_lock(reg);
	n = dp_map_owned(reg);
	dp_map_unlock(reg);
	return n;
}

/* Mappings cover whole pages: the end of the page holding @end - 1. */
static uintptr_t page_end(const struct dp_map_registry *reg, uintptr_t end)
{
	uintptr_t page = dp_map_registry_page(reg);
	uintptr_t rounded = (end + page - 1) & ~(page - 1);

	return rounded < end ? end : rounded;
}

/* Register [start, start + length) (page-rounded) as mapping from file
 * offset @offset, replacing what was there; @owned: a daxpolicy_mmap()
 * mapping. No system call: what the file is, is asked of the kernel when
 * it is needed (map-vma.c). */
static int add(struct dp_map_registry *reg, uintptr_t start, size_t length, uint64_t offset,
	       bool owned, int prot, bool sync)
{
	struct dp_map_node *node;
	uintptr_t end = page_end(reg, start + length);
	int rc;

	dp_map_lock(reg);
	/* Addresses the kernel gave out again: the new mapping replaces
	 * whatever was registered there. */
	rc = dp_map_replace(reg, start, end - start, offset, &node);
	if (node && owned)
		dp_map_set_owned(reg, node, prot, sync);
	dp_map_unlock(reg);
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_mmap(struct daxpolicy_ctx *ctx, int fd, off_t offset,
				    size_t length, int prot, unsigned int req, void **addr)
{
	struct dp_map_registry *reg;
	bool sync;
	int rc;
	void *p;

	if (!ctx || fd < 0 || !length || !addr || (req & ~DAXPOLICY_REQ_MASK) || offset < 0)
		return -EINVAL;
	req |= ctx->env_req;
	sync = req & DAXPOLICY_REQ_SYNC;
	reg = dp_mappings_sigbus(ctx, true);
	if (!reg)
		return -ENOMEM;
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
		p = mmap(NULL, length, prot, MAP_SHARED, fd, offset);
		if (p == MAP_FAILED)
			return -errno;
	}
	/* Kept for daxpolicy_sigbus_lookup() and a later MADV_SYNC. */
	rc = add(reg, (uintptr_t)p, length, (uint64_t)offset, true, prot, sync);
	if (rc < 0) {
		daxpolicy_munmap(ctx, p, length);
		return rc;
	}
	*addr = p;
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_munmap(struct daxpolicy_ctx *ctx, void *addr, size_t length)
{
	uintptr_t start = (uintptr_t)addr;
	struct dp_map_registry *reg;
	int rc = 0;

	if (!ctx || !addr || !length)
		return -EINVAL;
	/* Out of the registry before the addresses can be given out again
	 * (munmap would refuse an unaligned address anyway). */
	reg = dp_mappings_sigbus(ctx, false);
	if (start % (reg ? dp_map_registry_page(reg) : (uintptr_t)sysconf(_SC_PAGESIZE)) ||
	    start + length < start)
		return -EINVAL;
	if (reg) {
		dp_map_lock(reg);
		rc = dp_map_remove(reg, start, page_end(reg, start + length));
		dp_map_unlock(reg);
	}
	if (munmap(addr, length) < 0)
		return -errno;
	return rc;
}

DAXPOLICY_EXPORT int daxpolicy_register_mapping(struct daxpolicy_ctx *ctx, void *addr, size_t length,
						int fd, off_t offset)
{
	uintptr_t start = (uintptr_t)addr;
	struct dp_map_registry *reg;

	if (!ctx || !addr || !length || fd < 0 || offset < 0 || start + length < start)
		return -EINVAL;
	reg = dp_mappings_sigbus(ctx, true);
	if (!reg)
		return -ENOMEM;
	return add(reg, start, length, (uint64_t)offset, false, 0, false);
}

DAXPOLICY_EXPORT int daxpolicy_unregister_mapping(struct daxpolicy_ctx *ctx, void *addr, size_t length)
{
	uintptr_t start = (uintptr_t)addr;
	struct dp_map_registry *reg;
	int rc;

	if (!ctx || !length || start + length < start)
		return -EINVAL;
	reg = dp_mappings_sigbus(ctx, false);
	if (!reg)
		return 0;
	dp_map_lock(reg);
	rc = dp_map_remove(reg, start, page_end(reg, start + length));
	dp_map_unlock(reg);
	return rc;
}

/* The mappings of daxpolicy_mmap() inside [start, end) cover it? */
static bool covered(struct dp_map_registry *reg, uintptr_t start, uintptr_t end)
{
	uintptr_t at = start;

	for (struct dp_map_node *x = dp_map_first(reg, start); x && x->start < end; x = dp_map_next(x)) {
		if (!x->owned || x->start != at)
			return false;
		at = x->start + x->length;
	}
	return at >= end;
}

/* A descriptor of the file mapped by the node, from the kernel's record
 * of the mapping (the registry keeps none): for a refusal report or a
 * MAP_SYNC remapping. -ESTALE when its name now leads elsewhere. */
static int reopen(const struct dp_map_node *x, int flags)
{
	char path[DAXPOLICY_SIGBUS_PATH_MAX];
	uint64_t dev, ino, offset;
	int rc = dp_vma_by_maps(x->start, path, sizeof(path), &dev, &ino, &offset);

	if (rc < 0)
		return rc;
	return dp_vma_open(path, &dev, &ino, flags);
}

/* MADV_DIRECT: every mapping of the range is of a DAX file. Lock held. */
static int check_direct(struct dp_map_registry *reg, uintptr_t start, uintptr_t end, int *refuse_fd)
{
	for (struct dp_map_node *x = dp_map_first(reg, start); x && x->start < end; x = dp_map_next(x)) {
		struct statx stx;
		int fd;

		if (x->sync)
			continue;   /* MAP_SYNC mappings are DAX by construction */
		fd = reopen(x, O_RDONLY);
		if (fd < 0)
			return fd;
		if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0 ||
		    !(stx.stx_attributes & STATX_ATTR_DAX)) {
			*refuse_fd = fd;
			return -EOPNOTSUPP;
		}
		close(fd);
	}
	return 0;
}

/* MADV_SYNC: remap each non-sync mapping of the range with MAP_SYNC at the
 * same address. A trial mapping first, so that a file the kernel refuses
 * leaves the old mapping untouched. Lock held. */
static int make_sync(struct dp_map_registry *reg, uintptr_t start, uintptr_t end, int *refuse_fd)
{
	for (struct dp_map_node *x = dp_map_first(reg, start); x && x->start < end; x = dp_map_next(x)) {
		void *trial, *p;
		int fd;

		if (x->sync)
			continue;
		fd = reopen(x, x->prot & PROT_WRITE ? O_RDWR : O_RDONLY);
		if (fd < 0)
			return fd;
		trial = mmap(NULL, x->length, x->prot, MAP_SHARED_VALIDATE | MAP_SYNC, fd, (off_t)x->offset);
		if (trial == MAP_FAILED) {
			*refuse_fd = fd;
			return -EOPNOTSUPP;
		}
		munmap(trial, x->length);
		p = mmap((void *)x->start, x->length, x->prot,
			 MAP_SHARED_VALIDATE | MAP_SYNC | MAP_FIXED, fd, (off_t)x->offset);
		close(fd);
		if (p == MAP_FAILED)
			return -errno;
		x->sync = true;
	}
	return 0;
}

DAXPOLICY_EXPORT int daxpolicy_madvise(struct daxpolicy_ctx *ctx, void *addr, size_t length,
				       int advice)
{
	uintptr_t start = (uintptr_t)addr, end = start + length;
	struct dp_map_registry *reg;
	int rc, refuse_fd = -1;

	if (!ctx || !length)
		return -EINVAL;
	if (advice != DAXPOLICY_MADV_SYNC && advice != DAXPOLICY_MADV_DIRECT)
		return madvise(addr, length, advice) < 0 ? -errno : 0;
	reg = dp_mappings_sigbus(ctx, false);
	if (!reg || end < start)
		return -EINVAL;
	dp_map_lock(reg);
	rc = dp_map_split(reg, start);
	if (rc == 0)
		rc = dp_map_split(reg, end);
	if (rc == 0 && !covered(reg, start, end))
		rc = -EINVAL;
	if (rc == 0)
		rc = advice == DAXPOLICY_MADV_SYNC ? make_sync(reg, start, end, &refuse_fd) :
						      check_direct(reg, start, end, &refuse_fd);
	dp_map_unlock(reg);
	if (rc == -EOPNOTSUPP && refuse_fd >= 0) {
		/* The report is made outside the lock: probing takes it too. */
		rc = dp_refuse_fd(ctx, refuse_fd);
		close(refuse_fd);
	}
	return rc;
}
