// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The requirement API's costs beside their baselines, in one run:
 *   daxpolicy_require_fd(SYNC)          vs a bare statx()
 *   daxpolicy_mmap(SYNC)+munmap         vs raw mmap(MAP_SYNC)+munmap
 *   require+map+unmap with libdaxpolicy vs the same job with libpmem2
 *                                         (source, config with a required
 *                                         store granularity, map)
 * Usage: bench-map FILE [ITERATIONS]   (FILE on a DAX mount; elsewhere the
 * MAP_SYNC lines say "refused")
 */
#include "config.h"

#include <daxpolicy/libdaxpolicy.h>
#include <errno.h>
#include <fcntl.h>
#include <libpmem2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#define LEN (2u << 20)

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void row(const char *what, double ns, double base)
{
	if (ns < 0)
		printf("%-46s %10s %8s\n", what, "refused", "-");
	else
		printf("%-46s %10.0f %8.2f\n", what, ns, base > 0 ? ns / base : 1.0);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 100000;
	struct daxpolicy_ctx *ctx;
	struct statx stx;
	double t0, bare, req = -1, raw = -1, ours = -1, pmem2 = -1, job = -1;
	void *p;
	int fd;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: bench-map FILE [ITERATIONS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0 || daxpolicy_new(&ctx) < 0) {
		fprintf(stderr, "bench-map: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC);   /* warm the caches */

	t0 = now_ns();
	for (long i = 0; i < n; i++)
		statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx);
	bare = (now_ns() - t0) / n;

	if (daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC) == 0) {
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC);
		req = (now_ns() - t0) / n;
	}

	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (p != MAP_FAILED) {
		munmap(p, LEN);
		t0 = now_ns();
		for (long i = 0; i < n / 10; i++) {
			p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
			munmap(p, LEN);
		}
		raw = (now_ns() - t0) / (n / 10);
		t0 = now_ns();
		for (long i = 0; i < n / 10; i++) {
			daxpolicy_mmap(ctx, fd, 0, LEN, PROT_READ | PROT_WRITE, DAXPOLICY_REQ_SYNC, &p);
			daxpolicy_munmap(ctx, p, LEN);
		}
		ours = (now_ns() - t0) / (n / 10);
		/* The open-verify-map job, both ways. */
		t0 = now_ns();
		for (long i = 0; i < n / 10; i++) {
			daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC);
			daxpolicy_mmap(ctx, fd, 0, LEN, PROT_READ | PROT_WRITE, DAXPOLICY_REQ_SYNC, &p);
			daxpolicy_munmap(ctx, p, LEN);
		}
		job = (now_ns() - t0) / (n / 10);
		t0 = now_ns();
		for (long i = 0; i < n / 10; i++) {
			struct pmem2_config *cfg;
			struct pmem2_source *src;
			struct pmem2_map *map;

			pmem2_config_new(&cfg);
			pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_CACHE_LINE);
			pmem2_source_from_fd(&src, fd);
			if (pmem2_map_new(&map, cfg, src) == 0)
				pmem2_map_delete(&map);
			else
				i = n;   /* libpmem2 refused: say so below */
			pmem2_source_delete(&src);
			pmem2_config_delete(&cfg);
		}
		pmem2 = (now_ns() - t0) / (n / 10);
	}

	printf("%-46s %10s %8s\n", "operation", "ns/call", "x base");
	row("statx() (baseline)", bare, bare);
	row("daxpolicy_require_fd(SYNC)", req, bare);
	row("mmap(MAP_SYNC)+munmap, 2 MiB (baseline)", raw, raw);
	row("daxpolicy_mmap(SYNC)+daxpolicy_munmap", ours, raw);
	row("require+map+unmap, libdaxpolicy (baseline)", job, job);
	row("source+config+map+delete, libpmem2", pmem2, job);
	daxpolicy_unref(ctx);
	close(fd);
	return 0;
}
