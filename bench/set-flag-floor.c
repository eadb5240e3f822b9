// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel floor of a recursive DAX flag change: only the calls that
 * change the flag, on a precomputed list of files, each directory opened
 * once (timed too: with cold caches that reads the directory's inode, which
 * any tool must), the directories shared out to as many threads as
 * dax-admin's walk uses (4 per CPU, 8 at most). A flag change is a read
 * and a write of the file's flags, since the write replaces them all (a
 * tool that wrote FS_XFLAG_DAX alone would clear every other flag):
 * file_getattr(2) and file_setattr(2) by name (Linux 6.17) where the
 * kernel has them, else open + FS_IOC_FSGETXATTR + FS_IOC_FSSETXATTR +
 * close. What dax-admin does beyond that (open each file and check its
 * type and link count on the descriptor, so that no rename or hard link
 * can make it change a file outside the tree; walk the directories;
 * record each outcome) is its cost over the floor. Prints the seconds the
 * calls took.
 * Usage: set-flag-floor DIR-LIST FILES-PER-DIR PREFIX [clear]
 *   (each directory of DIR-LIST holds PREFIX1 .. PREFIX<FILES-PER-DIR>,
 *    e.g. "f"; "clear" takes the flag off again, for the next round)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_file_getattr
#define __NR_file_getattr 468
#endif
#ifndef __NR_file_setattr
#define __NR_file_setattr 469
#endif
#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000
#endif

struct file_attr_v0 {
	uint64_t fa_xflags;
	uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

static int set_flag(int dirfd, const char *name, int use_attr, int on)
{
	struct file_attr_v0 fa;
	struct fsxattr fsx;
	int fd, rc;

	if (use_attr) {
		if (syscall(__NR_file_getattr, dirfd, name, &fa, sizeof(fa), AT_SYMLINK_NOFOLLOW) < 0)
			return -1;
		fa.fa_xflags = on ? fa.fa_xflags | FS_XFLAG_DAX : fa.fa_xflags & ~(uint64_t)FS_XFLAG_DAX;
		return (int)syscall(__NR_file_setattr, dirfd, name, &fa, sizeof(fa), AT_SYMLINK_NOFOLLOW);
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = ioctl(fd, FS_IOC_FSGETXATTR, &fsx);
	if (rc == 0) {
		fsx.fsx_xflags = on ? fsx.fsx_xflags | FS_XFLAG_DAX : fsx.fsx_xflags & ~(__u32)FS_XFLAG_DAX;
		rc = ioctl(fd, FS_IOC_FSSETXATTR, &fsx);
	}
	close(fd);
	return rc;
}

static char **paths;
static int *dirs, ndirs, per_dir, use_attr = 1, on = 1, next_dir, failures;
static const char *prefix;

static void *worker(void *arg)
{
	char name[256];
	int d;

	(void)arg;
	while ((d = __atomic_fetch_add(&next_dir, 1, __ATOMIC_RELAXED)) < ndirs)
		for (int i = 1; i <= per_dir; i++) {
			snprintf(name, sizeof(name), "%s%d", prefix, i);
			if (set_flag(dirs[d], name, use_attr, on) < 0)
				__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	char line[4096];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = cpus < 1 ? 4 : cpus * 4 > 8 ? 8 : (int)cpus * 4;
	pthread_t threads[8];
	FILE *list;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "clear"))) {
		fprintf(stderr, "usage: set-flag-floor DIR-LIST FILES-PER-DIR PREFIX [clear]\n");
		return 2;
	}
	on = argc == 4;
	list = fopen(argv[1], "r");
	per_dir = atoi(argv[2]);
	prefix = argv[3];
	if (!list || per_dir <= 0) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), list)) {
		char **bigger = realloc(paths, (size_t)(ndirs + 1) * sizeof(*paths));

		line[strcspn(line, "\n")] = '\0';
		if (!bigger || !(bigger[ndirs] = strdup(line)))
			return 2;
		paths = bigger;
		ndirs++;
	}
	fclose(list);
	dirs = calloc((size_t)ndirs + 1, sizeof(*dirs));
	if (!dirs)
		return 2;
	/* Which call the kernel has, tried on nothing (a name that is not there). */
	if (syscall(__NR_file_setattr, -1, "", NULL, 0, 0) < 0 && errno == ENOSYS)
		use_attr = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < ndirs; i++) {
		dirs[i] = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirs[i] < 0) {
			perror(paths[i]);
			return 2;
		}
	}
	for (int i = 0; i < nthreads; i++)
		pthread_create(&threads[i], NULL, worker, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (failures)
		fprintf(stderr, "set-flag-floor: %d files failed\n", failures);
	printf("%.3f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	return failures ? 1 : 0;
}
