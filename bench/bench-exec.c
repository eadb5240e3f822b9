// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Wall time of whole commands, taken in turns so that a busy machine slows
 * them alike: bench-exec RUNS CMD [ARG...] [-- CMD [ARG...]]...
 * prints each command's median time per run in nanoseconds, one line per
 * command, in order. The commands' output goes to /dev/null; their exit
 * status is not judged (dax-admin status exits 1 for a file that is not
 * DAX), but a command that cannot be run or dies of a signal makes
 * bench-exec fail.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) >= 126)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char **cmds[MAX_CMDS];
	int ncmds = 0, runs = argc > 2 ? atoi(argv[1]) : 0;
	double *t;

	if (runs <= 0) {
		fprintf(stderr, "usage: bench-exec RUNS CMD [ARG...] [-- CMD [ARG...]]...\n");
		return 2;
	}
	cmds[ncmds++] = &argv[2];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		argv[i] = NULL;
		if (i + 1 < argc && ncmds < MAX_CMDS)
			cmds[ncmds++] = &argv[i + 1];
	}
	t = calloc((size_t)(ncmds * runs), sizeof(*t));
	if (!t)
		return 1;
	for (int k = 0; k < ncmds; k++)   /* warm the page cache */
		if (run(cmds[k]) < 0) {
			fprintf(stderr, "bench-exec: %s failed\n", cmds[k][0]);
			return 1;
		}
	for (int r = 0; r < runs; r++)
		for (int k = 0; k < ncmds; k++) {
			double t0 = now_ns();

			if (run(cmds[k]) < 0) {
				fprintf(stderr, "bench-exec: %s failed\n", cmds[k][0]);
				return 1;
			}
			t[k * runs + r] = now_ns() - t0;
		}
	for (int k = 0; k < ncmds; k++) {
		qsort(&t[k * runs], (size_t)runs, sizeof(*t), cmp);
		printf("%.0f\n", t[k * runs + runs / 2]);
	}
	free(t);
	return 0;
}
