// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * enforce-cases CASE ARGS: the ways a program makes and uses descriptors,
 * run under the LD_PRELOAD enforcer by test/host/enforce.test. Each case
 * prints "name=ok" or "name=ERRNO-NAME" for its steps, one line.
 *
 *   open PATH [creat] [tmpfile] [path]  open (and map shared when it can)
 *   stale PATH      open, fclose(fdopen(fd)), then a memfd with that number
 *   dup PATH        the open fd duplicated (dup), the original closed, map
 *   fcntl PATH      the same with fcntl(F_DUPFD_CLOEXEC)
 *   fopen PATH      a file opened by the C library, mapped shared
 *   longcwd DIR     go deeper than PATH_MAX below DIR, open "f" there
 *   emfile PATH     open PATH as the last descriptor the process may have
 *   secure LIB ENFORCER PATH
 *                   load the library and the enforcer with dlopen and call
 *                   the enforcer's open on PATH (for a set-user-ID copy,
 *                   where LD_PRELOAD is not honoured)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *result(int rc)
{
	static char buf[32];

	if (rc >= 0)
		return "ok";
	switch (errno) {
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EMFILE: return "EMFILE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case ERANGE: return "ERANGE";
	}
	snprintf(buf, sizeof(buf), "errno%d", errno);
	return buf;
}

/* Map @fd shared and print how it went. */
static void map(int fd)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	printf(" mmap=%s", result(p == MAP_FAILED ? -1 : 0));
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

static int open_case(int argc, char **argv)
{
	int flags = O_RDWR, fd;

	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "creat"))
			flags |= O_CREAT;
		else if (!strcmp(argv[i], "tmpfile"))
			flags |= O_TMPFILE;
		else if (!strcmp(argv[i], "path"))
			flags = O_PATH;
	}
	fd = open(argv[2], flags, 0644);
	printf("open=%s", result(fd));
	if (fd >= 0 && !(flags & O_PATH)) {
		if (ftruncate(fd, 4096) < 0)
			printf(" ftruncate=%s", result(-1));
		map(fd);
	}
	printf("\n");
	return 0;
}

static int stale_case(const char *path)
{
	int fd = open(path, O_RDWR), mfd;
	FILE *f;

	printf("open=%s", result(fd));
	if (fd < 0)
		goto out;
	f = fdopen(fd, "r+");
	if (!f || fclose(f))
		return 1;
	mfd = memfd_create("enforce-cases", 0);
	printf(" same_fd=%s", mfd == fd ? "yes" : "no");
	if (mfd < 0 || ftruncate(mfd, 4096) < 0)
		return 1;
	map(mfd);
out:
	printf("\n");
	return 0;
}

static int dup_case(const char *path, bool use_fcntl)
{
	int fd = open(path, O_RDWR), copy;

	printf("open=%s", result(fd));
	if (fd >= 0) {
		copy = use_fcntl ? fcntl(fd, F_DUPFD_CLOEXEC, 100) : dup(fd);
		close(fd);
		map(copy);
	}
	printf("\n");
	return 0;
}

static int fopen_case(const char *path)
{
	FILE *f = fopen(path, "r+");

	if (!f)
		return 1;
	printf("fopen=ok");
	map(fileno(f));
	printf("\n");
	return 0;
}

static int longcwd_case(const char *top)
{
	char name[201], cwd[PATH_MAX];
	int fd;

	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if (chdir(top) < 0)
		return 1;
	for (int i = 0; i < 25; i++)
		if ((mkdir(name, 0755) < 0 && errno != EEXIST) || chdir(name) < 0)
			return 1;
	printf("getcwd=%s", result(getcwd(cwd, sizeof(cwd)) ? 0 : -1));
	fd = open("f", O_RDWR | O_CREAT, 0644);
	printf(" open=%s\n", result(fd));
	return 0;
}

static int emfile_case(const char *path)
{
	int fd = open("/dev/null", O_RDONLY);
	struct rlimit rl, saved;

	if (fd < 0 || getrlimit(RLIMIT_NOFILE, &saved) < 0)
		return 1;
	/* The next open gets the last descriptor allowed. */
	rl = saved;
	rl.rlim_cur = (rlim_t)fd + 1;
	close(fd);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	fd = open(path, O_RDWR);
	printf("open=%s\n", result(fd));
	if (fd >= 0)
		close(fd);
	return setrlimit(RLIMIT_NOFILE, &saved) < 0;
}

static int secure_case(const char *lib, const char *enforcer, const char *path)
{
	int (*enforced_open)(const char *, int, ...);
	void *h;
	int fd;

	if (!dlopen(lib, RTLD_NOW | RTLD_GLOBAL) || !(h = dlopen(enforcer, RTLD_NOW))) {
		fprintf(stderr, "enforce-cases: %s\n", dlerror());
		return 1;
	}
	enforced_open = (int (*)(const char *, int, ...))dlsym(h, "open");
	if (!enforced_open)
		return 1;
	fd = enforced_open(path, O_RDWR);
	printf("at_secure=%lu open=%s\n", getauxval(AT_SECURE), result(fd));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "open"))
		return open_case(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "stale"))
		return stale_case(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "dup"))
		return dup_case(argv[2], false);
	if (argc == 3 && !strcmp(argv[1], "fcntl"))
		return dup_case(argv[2], true);
	if (argc == 3 && !strcmp(argv[1], "fopen"))
		return fopen_case(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "longcwd"))
		return longcwd_case(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "emfile"))
		return emfile_case(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "secure"))
		return secure_case(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: enforce-cases open|stale|dup|fcntl|fopen|longcwd|emfile PATH, or secure LIB ENFORCER PATH\n");
	return 2;
}
