// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * open()+close() of a file, timed; run it with and without the enforcer
 * preloaded to see what the enforcer costs outside policy directories.
 * Usage: bench-open FILE [ITERATIONS]   prints ns per open+close
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 200000;
	struct timespec a, b;

	if (argc < 2 || n <= 0)
		return 2;
	close(open(argv[1], O_RDONLY));   /* warm */
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		close(open(argv[1], O_RDONLY));
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.0f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
