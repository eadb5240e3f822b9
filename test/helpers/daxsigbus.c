// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxsigbus: takes a bus error on a mapped file and tells what
 * daxpolicy_sigbus_lookup() makes of it, from inside the SIGBUS handler.
 *   daxsigbus touch PATH OFFSET [MAPOFF]   daxpolicy_mmap() of PATH from file
 *                                          offset MAPOFF (default 0) to its
 *                                          end, then a load at file OFFSET
 *   daxsigbus touch-plain PATH OFFSET [MAPOFF]
 *                                          the same with mmap(2) and
 *                                          daxpolicy_register_mapping()
 *   daxsigbus poison PATH OFFSET [MAPOFF]  daxpolicy_mmap(), a load from the
 *                                          page of OFFSET, then
 *                                          madvise(MADV_HWPOISON) on it (root)
 * The handler writes one line and exits:
 *   sigbus code=C path=P offset=O range=OFF+LEN disk=D err=E bad=S+N@OFF+LEN,...
 * (bad= lists the bad sectors inside the range: disk sector, count, file
 * offset and length in bytes), or "sigbus code=C lookup=-ERRNO".
 * Exit 0 after a lookup, 3 when the lookup failed, 1 when no SIGBUS came,
 * 2 on error.
 */
#include <daxpolicy/libdaxpolicy.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif

static struct daxpolicy_ctx *ctx;
static struct daxpolicy_sigbus result;

/* ---- async-signal-safe output ---- */

static char line[8192];
static size_t used;

static void put(const char *s)
{
	while (*s && used < sizeof(line) - 1)
		line[used++] = *s++;
}

static void put_u64(uint64_t v)
{
	char buf[24];
	int i = sizeof(buf);

	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(buf + i);
}

static void put_int(int v)
{
	if (v < 0) {
		put("-");
		put_u64((uint64_t)-(int64_t)v);
	} else {
		put_u64((uint64_t)v);
	}
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int rc = daxpolicy_sigbus_lookup(ctx, si, &result);

	put("sigbus code=");
	put_int(si->si_code);
	if (rc < 0) {
		put(" lookup=");
		put_int(rc);
		put("\n");
		_exit(write(STDOUT_FILENO, line, used) == (ssize_t)used ? 3 : 4);
	}
	put(" path=");
	put(result.path);
	put(" offset=");
	put_u64(result.file_offset);
	put(" range=");
	put_u64(result.range_offset);
	put("+");
	put_u64(result.range_length);
	put(" disk=");
	put(result.disk);
	put(" err=");
	put_int(result.bad_error);
	put(" bad=");
	for (unsigned int i = 0; i < result.bad_count; i++) {
		const struct daxpolicy_sigbus_bad *b = &result.bad[i];

		put(i ? "," : "");
		put_u64(b->sector);
		put("+");
		put_u64(b->count);
		put("@");
		put_u64(b->file_offset);
		put("+");
		put_u64(b->length);
	}
	if (result.bad_truncated)
		put(",...");
	put("\n");
	_exit(write(STDOUT_FILENO, line, used) == (ssize_t)used ? 0 : 4);
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "daxsigbus: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	return 2;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	off_t offset, mapoff;
	volatile char *p;
	long page = sysconf(_SC_PAGESIZE);
	struct stat st;
	size_t length;
	void *addr;
	int fd, rc;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: daxsigbus touch|touch-plain|poison PATH OFFSET [MAPOFF]\n");
		return 2;
	}
	offset = strtoll(argv[3], NULL, 0);
	mapoff = argc > 4 ? strtoll(argv[4], NULL, 0) : 0;
	rc = daxpolicy_new(&ctx);
	if (rc < 0)
		return fail("daxpolicy_new", rc);
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fail(argv[2], errno);
	if (mapoff % page || offset < mapoff || offset >= st.st_size) {
		fprintf(stderr, "daxsigbus: bad OFFSET or MAPOFF\n");
		return 2;
	}
	length = (size_t)(st.st_size - mapoff);
	if (strcmp(argv[1], "touch-plain") == 0) {
		addr = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, mapoff);
		if (addr == MAP_FAILED)
			return fail("mmap", errno);
		rc = daxpolicy_register_mapping(ctx, addr, length, fd, mapoff);
		if (rc < 0)
			return fail("daxpolicy_register_mapping", rc);
	} else {
		rc = daxpolicy_mmap(ctx, fd, mapoff, length, PROT_READ | PROT_WRITE, 0, &addr);
		if (rc < 0)
			return fail("daxpolicy_mmap", rc);
	}
	close(fd);   /* the registry keeps its own descriptor */

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) < 0)
		return fail("sigaction", errno);

	p = (volatile char *)addr + (offset - mapoff);
	if (strcmp(argv[1], "poison") == 0) {
		char *pg = (char *)((uintptr_t)p & ~(uintptr_t)(page - 1));

		(void)*(volatile char *)pg;
		if (madvise(pg, page, MADV_HWPOISON) < 0)
			return fail("madvise(MADV_HWPOISON)", errno);
		/* Action-required comes during madvise; otherwise touch it. */
		(void)*p;
	} else {
		(void)*p;
	}
	printf("no sigbus\n");
	return 1;
}
