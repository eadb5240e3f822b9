// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cost of daxpolicy_probe_fd() on an already-seen mount, next to a bare
 * statx() of the same file (the baseline), in one run.
 * Usage: bench-probe FILE [ITERATIONS]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iterations = argc > 2 ? atol(argv[2]) : 200000;
	struct daxpolicy_report *r;
	struct daxpolicy_ctx *ctx;
	double t0, bare, quick, full;
	struct statx stx;
	int fd, rc;

	if (argc < 2 || iterations <= 0) {
		fprintf(stderr, "usage: bench-probe FILE [ITERATIONS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || daxpolicy_new(&ctx) < 0) {
		fprintf(stderr, "bench-probe: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	/* Warm the mount and device caches. */
	rc = daxpolicy_probe_fd(ctx, fd, 0, &r);
	if (rc < 0) {
		fprintf(stderr, "bench-probe: probe: %s\n", strerror(-rc));
		return 1;
	}
	daxpolicy_report_free(r);

	t0 = now_ns();
	for (long i = 0; i < iterations; i++)
		statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx);
	bare = (now_ns() - t0) / iterations;

	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_FAST, &r);
		daxpolicy_report_free(r);
	}
	quick = (now_ns() - t0) / iterations;

	t0 = now_ns();
	for (long i = 0; i < iterations / 10; i++) {
		daxpolicy_probe_fd(ctx, fd, 0, &r);
		daxpolicy_report_free(r);
	}
	full = (now_ns() - t0) / (iterations / 10);

	/* Rows for bench_table (bench/lib.sh). */
	printf("daxpolicy_probe_fd(FAST), cached mount\t%.0f\tns\tstatx()\t%.0f\t-\n", quick, bare);
	printf("daxpolicy_probe_fd() with MAP_SYNC test\t%.0f\tns\tstatx()\t%.0f\t-\n", full, bare);
	daxpolicy_unref(ctx);
	close(fd);
	return 0;
}
