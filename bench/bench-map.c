// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The requirement API's costs beside their baselines, as rows for
 * bench_table (bench/lib.sh): FIGURE, VALUE, UNIT, BASELINE, BASELINE VALUE,
 * TARGET (the largest ratio allowed, or "-"), separated by tabs.
 *   daxpolicy_require_fd(SYNC)          vs a bare statx()
 *   daxpolicy_mmap(SYNC)+munmap         vs raw mmap(MAP_SYNC)+munmap, for
 *                                         4 KiB, 2 MiB and 512 MiB, and for
 *                                         4 KiB with 1, 100 and 10,000 live
 *                                         mappings registered (target 1.1x)
 *   require+map+unmap with libdaxpolicy vs the same job with libpmem2
 *                                         (source, config with a required
 *                                         store granularity, map)
 * Each pair is timed in ROUNDS alternating short batches of BATCH calls,
 * and each side's best batch counts: another process taking the CPU for a
 * while slows some batches, not one side, and the best of many short ones
 * is the undisturbed cost.
 * Usage: bench-map FILE [BATCH]   (FILE on a DAX mount, at least
 * 512 MiB long -- it is extended when shorter; elsewhere the MAP_SYNC rows
 * compare plain MAP_SHARED mappings, daxpolicy_mmap() without a requirement)
 */
#include "config.h"

#include <daxpolicy/libdaxpolicy.h>
#include <errno.h>
#include <fcntl.h>
#include <libpmem2.h>
#include <stdbool.h>
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
#define KIB 1024ul
#define MIB (1024ul * KIB)
#define ROUNDS 30
#define MAP_TARGET "1.10"

static int fd;
static struct daxpolicy_ctx *ctx;
static bool dax;           /* MAP_SYNC works on the file */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void row(const char *what, double ns, const char *base_name, double base, const char *target)
{
	printf("%s\t%.0f\tns\t%s\t%.0f\t%s\n", what, ns, base_name, base, target);
}

static double raw_batch(size_t len, long n)
{
	int flags = dax ? MAP_SHARED_VALIDATE | MAP_SYNC : MAP_SHARED;
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);

		if (p == MAP_FAILED) {
			perror("bench-map: mmap");
			exit(1);
		}
		munmap(p, len);
	}
	return (now_ns() - t0) / n;
}

static double ours_batch(size_t len, long n)
{
	unsigned int req = dax ? DAXPOLICY_REQ_SYNC : 0;
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		void *p;
		int rc = daxpolicy_mmap(ctx, fd, 0, len, PROT_READ | PROT_WRITE, req, &p);

		if (rc < 0) {
			fprintf(stderr, "bench-map: daxpolicy_mmap: %s\n", strerror(-rc));
			exit(1);
		}
		daxpolicy_munmap(ctx, p, len);
	}
	return (now_ns() - t0) / n;
}

/* Both sides of a mapping row, best batch of each. */
static void map_pair(size_t len, long n, double *raw, double *ours)
{
	*raw = *ours = 1e30;
	raw_batch(len, n);
	ours_batch(len, n);
	for (int r = 0; r < ROUNDS; r++) {
		double a = raw_batch(len, n), b = ours_batch(len, n);

		if (a < *raw)
			*raw = a;
		if (b < *ours)
			*ours = b;
	}
}

static void size_row(const char *size_name, size_t len, long n)
{
	char what[96], base[96];
	double raw, ours;

	map_pair(len, n, &raw, &ours);
	snprintf(what, sizeof(what), "daxpolicy_mmap(%s)+munmap, %s", dax ? "SYNC" : "0", size_name);
	snprintf(base, sizeof(base), "mmap(%s)+munmap", dax ? "MAP_SYNC" : "MAP_SHARED");
	row(what, ours, base, raw, MAP_TARGET);
}

/* 4 KiB mappings with @live library mappings registered, the one timed
 * included. */
static void live_row(long live, void **held, long *nheld, long n)
{
	unsigned int req = dax ? DAXPOLICY_REQ_SYNC : 0;
	char what[96], base[96];
	double raw, ours;

	while (*nheld < live - 1) {
		int rc = daxpolicy_mmap(ctx, fd, (off_t)((*nheld % 64) * 4 * KIB), 4 * KIB,
					PROT_READ | PROT_WRITE, req, &held[*nheld]);

		if (rc < 0) {
			fprintf(stderr, "bench-map: live mapping %ld: %s\n", *nheld + 1, strerror(-rc));
			exit(1);
		}
		(*nheld)++;
	}
	map_pair(4 * KIB, n, &raw, &ours);
	snprintf(what, sizeof(what), "daxpolicy_mmap(%s)+munmap, 4 KiB, %ld live", dax ? "SYNC" : "0", live);
	snprintf(base, sizeof(base), "mmap(%s)+munmap", dax ? "MAP_SYNC" : "MAP_SHARED");
	row(what, ours, base, raw, MAP_TARGET);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 200, nheld = 0;
	double t0, bare, req = -1, job = -1, pmem2 = -1;
	static void *held[10000];
	struct statx stx;
	struct stat st;
	void *p;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: bench-map FILE [BATCH]\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || daxpolicy_new(&ctx) < 0) {
		fprintf(stderr, "bench-map: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (st.st_size < (off_t)(512 * MIB) && ftruncate(fd, 512 * MIB) < 0) {
		fprintf(stderr, "bench-map: %s: extending to 512 MiB: %s\n", argv[1], strerror(errno));
		return 2;
	}
	p = mmap(NULL, 4 * KIB, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	dax = p != MAP_FAILED;
	if (dax)
		munmap(p, 4 * KIB);
	daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC);   /* warm the caches */

	/* Long loops: a statx is short. */
	t0 = now_ns();
	for (long i = 0; i < 10 * n; i++)
		statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx);
	bare = (now_ns() - t0) / (10 * n);
	if (daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC) == 0) {
		t0 = now_ns();
		for (long i = 0; i < 10 * n; i++)
			daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC);
		req = (now_ns() - t0) / (10 * n);
		row("daxpolicy_require_fd(SYNC)", req, "statx()", bare, "-");
	}

	size_row("4 KiB", 4 * KIB, n);
	size_row("2 MiB", 2 * MIB, n);
	size_row("512 MiB", 512 * MIB, n);
	live_row(1, held, &nheld, n);
	live_row(100, held, &nheld, n);
	live_row(10000, held, &nheld, n);
	for (long i = 0; i < nheld; i++)
		daxpolicy_munmap(ctx, held[i], 4 * KIB);

	if (dax) {
		/* The open-verify-map job, both ways. */
		t0 = now_ns();
		for (long i = 0; i < n; i++) {
			daxpolicy_require_fd(ctx, fd, DAXPOLICY_REQ_SYNC);
			daxpolicy_mmap(ctx, fd, 0, 2 * MIB, PROT_READ | PROT_WRITE, DAXPOLICY_REQ_SYNC, &p);
			daxpolicy_munmap(ctx, p, 2 * MIB);
		}
		job = (now_ns() - t0) / n;
		t0 = now_ns();
		for (long i = 0; i < n; i++) {
			struct pmem2_config *cfg;
			struct pmem2_source *src;
			struct pmem2_map *map;

			pmem2_config_new(&cfg);
			pmem2_config_set_required_store_granularity(cfg, PMEM2_GRANULARITY_CACHE_LINE);
			pmem2_source_from_fd(&src, fd);
			if (pmem2_map_new(&map, cfg, src) == 0)
				pmem2_map_delete(&map);
			else
				i = n;   /* libpmem2 refused: no row */
			pmem2_source_delete(&src);
			pmem2_config_delete(&cfg);
		}
		pmem2 = (now_ns() - t0) / n;
		if (pmem2 > 0)
			row("require+map+unmap 2 MiB, libdaxpolicy", job, "libpmem2 source+config+map+delete",
			    pmem2, "-");
	}
	daxpolicy_unref(ctx);
	close(fd);
	return 0;
}
