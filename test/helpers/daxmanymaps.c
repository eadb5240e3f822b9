// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxmanymaps PATH COUNT OFFSET: COUNT live 4 KiB daxpolicy_mmap(SYNC)
 * mappings of PATH under the default soft limit of 1,024 descriptors, the
 * first COUNT - 1 of file page 0 and the last of the page holding file
 * OFFSET; then a lookup of OFFSET in the last one with a hand-made siginfo,
 * and a load from it, whose SIGBUS (a bad sector there) the handler looks
 * up. Prints
 *   maps mapped=N fds=D lookup=FILE-OFFSET
 *   sigbus code=C path=P offset=O range=OFF+LEN disk=D err=E bad=S+N@OFF+LEN,...
 * (fds: descriptors open after the mappings; lookup: the file offset the
 * hand-made lookup gave, or -ERRNO). A mapping count above
 * vm.max_map_count needs it raised. Exit 0 after the handler's lookup,
 * 3 when it failed, 1 when no SIGBUS came, 2 on error.
 */
#include <daxpolicy/libdaxpolicy.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static struct daxpolicy_ctx *ctx;
static struct daxpolicy_sigbus result;
static char line[8192];
static size_t used;

/* ---- async-signal-safe output ---- */

static void put(const char *s)
{
	while (*s && used < sizeof(line) - 1)
		line[used++] = *s++;
}

static void put_num(int64_t v)
{
	char buf[24];
	int i = sizeof(buf);
	uint64_t u = v < 0 ? (uint64_t)-v : (uint64_t)v;

	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[--i] = '-';
	put(buf + i);
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int rc = daxpolicy_sigbus_lookup(ctx, si, &result);

	put("sigbus code=");
	put_num(si->si_code);
	if (rc < 0) {
		put(" lookup=");
		put_num(rc);
		put("\n");
		_exit(write(STDOUT_FILENO, line, used) == (ssize_t)used ? 3 : 4);
	}
	put(" path=");
	put(result.path);
	put(" offset=");
	put_num((int64_t)result.file_offset);
	put(" range=");
	put_num((int64_t)result.range_offset);
	put("+");
	put_num((int64_t)result.range_length);
	put(" disk=");
	put(result.disk);
	put(" err=");
	put_num(result.bad_error);
	put(" bad=");
	for (unsigned int i = 0; i < result.bad_count; i++) {
		put(i ? "," : "");
		put_num((int64_t)result.bad[i].sector);
		put("+");
		put_num((int64_t)result.bad[i].count);
		put("@");
		put_num((int64_t)result.bad[i].file_offset);
		put("+");
		put_num((int64_t)result.bad[i].length);
	}
	put("\n");
	_exit(write(STDOUT_FILENO, line, used) == (ssize_t)used ? 0 : 4);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = -1;   /* the directory's own */

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2;   /* . and .. */
}

int main(int argc, char **argv)
{
	long count = argc > 2 ? atol(argv[2]) : 0, page = sysconf(_SC_PAGESIZE);
	off_t offset = argc > 3 ? strtoll(argv[3], NULL, 0) : -1, last;
	struct daxpolicy_sigbus out;
	struct sigaction sa;
	struct rlimit lim;
	siginfo_t si;
	char *p = NULL;
	int fd, rc;

	if (argc != 4 || count < 1 || offset < 0) {
		fprintf(stderr, "usage: daxmanymaps PATH COUNT OFFSET\n");
		return 2;
	}
	/* The default soft limit, whatever the caller had. */
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
		lim.rlim_cur = lim.rlim_max < 1024 ? lim.rlim_max : 1024;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
	rc = daxpolicy_new(&ctx);
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (rc < 0 || fd < 0) {
		fprintf(stderr, "daxmanymaps: %s: %s\n", argv[1], strerror(rc < 0 ? -rc : errno));
		return 2;
	}
	last = offset / page * page;
	for (long i = 0; i < count; i++) {
		rc = daxpolicy_mmap(ctx, fd, i == count - 1 ? last : 0, (size_t)page,
				    PROT_READ | PROT_WRITE, DAXPOLICY_REQ_SYNC, (void **)&p);
		if (rc < 0) {
			fprintf(stderr, "daxmanymaps: mapping %ld: %s\n", i + 1, strerror(-rc));
			return 2;
		}
	}
	close(fd);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = BUS_ADRERR;
	si.si_addr = p + (offset - last);
	rc = daxpolicy_sigbus_lookup(ctx, &si, &out);
	printf("maps mapped=%ld fds=%d lookup=%lld\n", count, open_fds(),
	       rc < 0 ? (long long)rc : (long long)out.file_offset);
	fflush(stdout);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	(void)*(volatile char *)(p + (offset - last));
	printf("no sigbus\n");
	return 1;
}
