// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests: the SIGBUS registry and daxpolicy_sigbus_lookup() on an
 * ordinary file -- hand-made siginfo, a real bus error past the end of the
 * file, partial unregistration, daxpolicy_mmap()/munmap() keeping the
 * registry, 20,000 live mappings under a small descriptor limit, files
 * told apart when an inode number is reused, and lookups racing threads
 * that change it. Real media errors
 * are the vm tier's.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map-registry.h"
#include "private.h"
#include "unit.h"

#define FILE_PAGES 8

static char file[64];
static int fd = -1;
static long page;
static struct stat file_st;

static void setup(void)
{
	char buf[4096];

	page = sysconf(_SC_PAGESIZE);
	snprintf(file, sizeof(file), "/tmp/daxpolicy-sigbus.XXXXXX");
	fd = mkstemp(file);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < FILE_PAGES * page / (long)sizeof(buf); i++) {
		memset(buf, 'a' + i, sizeof(buf));
		ck_assert_int_eq(write(fd, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	}
	ck_assert_int_eq(fstat(fd, &file_st), 0);
}

static void teardown(void)
{
	close(fd);
	unlink(file);
}

static siginfo_t bus_error(int code, void *addr, int lsb)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = code;
	si.si_addr = addr;
	si.si_addr_lsb = (short)lsb;
	return si;
}

/* The file offset a lookup of @addr gives, or the negative errno. */
static long long offset_of(struct daxpolicy_ctx *ctx, void *addr)
{
	struct daxpolicy_sigbus out;
	siginfo_t si = bus_error(BUS_ADRERR, addr, 0);
	int rc = daxpolicy_sigbus_lookup(ctx, &si, &out);

	return rc < 0 ? rc : (long long)out.file_offset;
}

static void *plain_map(size_t pages, off_t offset)
{
	void *p = mmap(NULL, pages * page, PROT_READ, MAP_SHARED, fd, offset);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

START_TEST(lookup_registered_mapping)
{
	static struct daxpolicy_sigbus out;
	struct daxpolicy_ctx *ctx;
	uintptr_t g, lo, hi;
	siginfo_t si;
	char *p;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	si = bus_error(BUS_ADRERR, NULL, 0);
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), -ENOENT);   /* nothing yet */
	p = plain_map(3, page);
	ck_assert_int_eq(daxpolicy_register_mapping(ctx, p, 3 * page, fd, page), 0);

	si = bus_error(BUS_ADRERR, p + page + 100, 0);
	errno = 1234;
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), 0);
	ck_assert_int_eq(errno, 1234);
	ck_assert_int_eq(out.code, BUS_ADRERR);
	ck_assert_ptr_eq(out.addr, p + page + 100);
	ck_assert_str_eq(out.path, file);
	ck_assert_uint_eq(out.dev, file_st.st_dev);
	ck_assert_uint_eq(out.ino, file_st.st_ino);
	ck_assert_uint_eq(out.file_offset, 2 * page + 100);
	ck_assert_uint_eq(out.range_offset, 2 * page);
	ck_assert_uint_eq(out.range_length, page);
	ck_assert_uint_eq(out.bad_count, 0);
	ck_assert(!out.bad_truncated);

	/* A machine check names its granule: a page ... */
	si = bus_error(BUS_MCEERR_AR, p + 2 * page + 7, 12);
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), 0);
	ck_assert_int_eq(out.code, BUS_MCEERR_AR);
	ck_assert_uint_eq(out.file_offset, 3 * page + 7);
	ck_assert_uint_eq(out.range_offset, 3 * page);
	ck_assert_uint_eq(out.range_length, 4096);
	/* ... or 2 MiB, of which only the mapped part has file offsets. */
	si = bus_error(BUS_MCEERR_AO, p + page, 21);
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), 0);
	g = (uintptr_t)(p + page) & ~(uintptr_t)((1 << 21) - 1);
	lo = g > (uintptr_t)p ? g : (uintptr_t)p;
	hi = g + (1 << 21) < (uintptr_t)p + 3 * page ? g + (1 << 21) : (uintptr_t)p + 3 * page;
	ck_assert_uint_eq(out.range_offset, page + (lo - (uintptr_t)p));
	ck_assert_uint_eq(out.range_length, hi - lo);

	/* Outside, and not a bus error with an address. */
	ck_assert_int_eq(offset_of(ctx, p - 1), -ENOENT);
	ck_assert_int_eq(offset_of(ctx, p + 3 * page), -ENOENT);
	si = bus_error(SI_USER, p, 0);
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), -EINVAL);
	si = bus_error(BUS_ADRERR, p, 0);
	si.si_signo = SIGSEGV;
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), -EINVAL);
	ck_assert_int_eq(daxpolicy_sigbus_lookup(NULL, &si, &out), -EINVAL);

	ck_assert_int_eq(daxpolicy_unregister_mapping(ctx, p, 3 * page), 0);
	ck_assert_int_eq(offset_of(ctx, p + page), -ENOENT);
	ck_assert_int_eq(daxpolicy_register_mapping(ctx, p, 0, fd, 0), -EINVAL);
	ck_assert_int_eq(daxpolicy_register_mapping(ctx, p, page, -1, 0), -EINVAL);
	munmap(p, 3 * page);
	daxpolicy_unref(ctx);
}
END_TEST

START_TEST(partial_unregister)
{
	struct daxpolicy_ctx *ctx;
	char *p;
	int other;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	p = plain_map(4, 0);
	/* The registry keeps its own descriptor. */
	other = dup(fd);
	ck_assert_int_eq(daxpolicy_register_mapping(ctx, p, 4 * page, other, 0), 0);
	close(other);

	/* A hole in the middle: head and tail stay, with their offsets. */
	ck_assert_int_eq(daxpolicy_unregister_mapping(ctx, p + page, page), 0);
	ck_assert_int_eq(offset_of(ctx, p + 10), 10);
	ck_assert_int_eq(offset_of(ctx, p + page + 10), -ENOENT);
	ck_assert_int_eq(offset_of(ctx, p + 2 * page + 10), 2 * page + 10);
	ck_assert_int_eq(offset_of(ctx, p + 3 * page + 10), 3 * page + 10);
	/* A length short of a page unregisters the whole page, as munmap. */
	ck_assert_int_eq(daxpolicy_unregister_mapping(ctx, p + 3 * page, 1), 0);
	ck_assert_int_eq(offset_of(ctx, p + 3 * page + 10), -ENOENT);
	ck_assert_int_eq(offset_of(ctx, p + 2 * page + 10), 2 * page + 10);
	/* A new registration replaces the old one. */
	ck_assert_int_eq(daxpolicy_register_mapping(ctx, p + page, 2 * page, fd, 5 * page), 0);
	ck_assert_int_eq(offset_of(ctx, p + 2 * page + 10), 6 * page + 10);
	ck_assert_int_eq(offset_of(ctx, p + 10), 10);
	/* Across several registrations at once. */
	ck_assert_int_eq(daxpolicy_unregister_mapping(ctx, p, 4 * page), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(offset_of(ctx, p + i * page), -ENOENT);
	munmap(p, 4 * page);
	daxpolicy_unref(ctx);
}
END_TEST

START_TEST(library_mappings_registered)
{
	struct daxpolicy_ctx *ctx;
	char *p;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(daxpolicy_mmap(ctx, fd, page, 3 * page, PROT_READ, 0, (void **)&p), 0);
	ck_assert_int_eq(offset_of(ctx, p + page + 5), 2 * page + 5);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p + page, page), 0);
	ck_assert_int_eq(offset_of(ctx, p + page + 5), -ENOENT);
	ck_assert_int_eq(offset_of(ctx, p + 5), page + 5);
	ck_assert_int_eq(offset_of(ctx, p + 2 * page + 5), 3 * page + 5);
	/* MADV_SYNC fails here but must not disturb the registry. */
	ck_assert_int_eq(daxpolicy_madvise(ctx, p, page, DAXPOLICY_MADV_SYNC), -EOPNOTSUPP);
	ck_assert_int_eq(offset_of(ctx, p + 5), page + 5);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p + 1, page), -EINVAL);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p, page), 0);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p + 2 * page, page), 0);
	ck_assert_int_eq(offset_of(ctx, p + 5), -ENOENT);
	ck_assert_int_eq(offset_of(ctx, p + 2 * page + 5), -ENOENT);
	ck_assert_uint_eq(dp_mappings_count(ctx), 0);
	daxpolicy_unref(ctx);
}
END_TEST

/* Descriptors in use by the process. */
static int open_fds(void)
{
	int n = 0;

	for (int i = 0; i < 4096; i++)
		if (fcntl(i, F_GETFD) >= 0)
			n++;
	return n;
}

/* Many live mappings of one file under a small descriptor limit: the
 * registry spends no descriptor per mapping, and the lookup still finds
 * the first and the last. */
#define MANY 20000

START_TEST(many_mappings_few_descriptors)
{
	static char *maps[MANY];
	struct rlimit old, low;
	struct daxpolicy_ctx *ctx;
	int before;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	before = open_fds();
	low = old;
	low.rlim_cur = (rlim_t)before + 16;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(daxpolicy_mmap(ctx, fd, (off_t)(i % FILE_PAGES) * page, page, PROT_READ,
						0, (void **)&maps[i]), 0);
	ck_assert_int_le(open_fds(), before + 1);   /* at most the disk's badblocks */
	ck_assert_uint_eq(dp_mappings_count(ctx), MANY);
	ck_assert_int_eq(offset_of(ctx, maps[0] + 5), 5);
	ck_assert_int_eq(offset_of(ctx, maps[MANY - 1] + 7), ((MANY - 1) % FILE_PAGES) * page + 7);
	ck_assert_int_eq(offset_of(ctx, maps[MANY / 2] + 9), ((MANY / 2) % FILE_PAGES) * page + 9);
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(daxpolicy_munmap(ctx, maps[i], page), 0);
	ck_assert_uint_eq(dp_mappings_count(ctx), 0);
	ck_assert_int_eq(offset_of(ctx, maps[MANY - 1] + 7), -ENOENT);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	daxpolicy_unref(ctx);
}
END_TEST

/* A file whose last mapping went is remembered, but a new file that got
 * its inode number is not taken for it; and the lookup names the file
 * that is mapped, whatever descriptor mapped it. */
START_TEST(file_facts_follow_the_file)
{
	struct daxpolicy_ctx *ctx;
	static struct daxpolicy_sigbus out;
	char other[64];
	siginfo_t si;
	char *p;
	int fd2;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	snprintf(other, sizeof(other), "%s-b", file);
	for (int round = 0; round < 20; round++) {
		struct stat st;

		fd2 = open(other, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		ck_assert_int_ge(fd2, 0);
		ck_assert_int_eq(ftruncate(fd2, page), 0);
		ck_assert_int_eq(fstat(fd2, &st), 0);
		ck_assert_int_eq(daxpolicy_mmap(ctx, fd2, 0, page, PROT_READ, 0, (void **)&p), 0);
		close(fd2);
		si = bus_error(BUS_ADRERR, p + 1, 0);
		ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), 0);
		ck_assert_str_eq(out.path, other);
		ck_assert_uint_eq(out.ino, st.st_ino);
		ck_assert_int_eq(daxpolicy_munmap(ctx, p, page), 0);
		/* Unlinked while cached; the next round's file may get its
		 * inode number, and must have its own name. */
		ck_assert_int_eq(unlink(other), 0);
		snprintf(other, sizeof(other), "%s-%c", file, 'c' + round);
	}
	ck_assert_int_eq(daxpolicy_mmap(ctx, fd, 0, page, PROT_READ, 0, (void **)&p), 0);
	si = bus_error(BUS_ADRERR, p + 1, 0);
	ck_assert_int_eq(daxpolicy_sigbus_lookup(ctx, &si, &out), 0);
	ck_assert_str_eq(out.path, file);
	ck_assert_int_eq(daxpolicy_munmap(ctx, p, page), 0);
	daxpolicy_unref(ctx);
}
END_TEST

/* A real bus error: a load from a page of the mapping past the end of the
 * file. The handler looks it up and jumps back. */
static struct daxpolicy_ctx *handler_ctx;
static struct daxpolicy_sigbus handler_out;
static volatile sig_atomic_t handler_rc;
static sigjmp_buf handler_jump;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	handler_rc = daxpolicy_sigbus_lookup(handler_ctx, si, &handler_out);
	siglongjmp(handler_jump, 1);
}

START_TEST(real_sigbus_past_eof)
{
	struct sigaction sa, old;
	volatile char *p;
	char *q;

	ck_assert_int_eq(daxpolicy_new(&handler_ctx), 0);
	ck_assert_int_eq(daxpolicy_mmap(handler_ctx, fd, 0, (FILE_PAGES + 2) * page, PROT_READ, 0,
					(void **)&q), 0);
	p = q;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGBUS, &sa, &old), 0);
	handler_rc = 1;
	if (sigsetjmp(handler_jump, 1) == 0)
		(void)p[(FILE_PAGES + 1) * page + 42];
	sigaction(SIGBUS, &old, NULL);
	ck_assert_int_eq(handler_rc, 0);
	ck_assert_int_eq(handler_out.code, BUS_ADRERR);
	ck_assert_str_eq(handler_out.path, file);
	ck_assert_uint_eq(handler_out.file_offset, (FILE_PAGES + 1) * page + 42);
	ck_assert_uint_eq(handler_out.range_offset, (FILE_PAGES + 1) * page);
	ck_assert_uint_eq(handler_out.bad_count, 0);
	ck_assert_int_eq(daxpolicy_munmap(handler_ctx, q, (FILE_PAGES + 2) * page), 0);
	daxpolicy_unref(handler_ctx);
}
END_TEST

/* Threads map, register, split and unregister while one looks up the
 * addresses they publish: every answer is "not mapped" or a consistent
 * one, never a torn mix. */
#define WRITERS 4
#define ROUNDS 300

static uintptr_t published[WRITERS];
static int writers_done;

struct writer {
	struct daxpolicy_ctx *ctx;
	int k;
};

static void *writer_loop(void *arg)
{
	struct writer *w = arg;
	long fails = 0;

	for (int i = 0; i < ROUNDS; i++) {
		off_t off = (off_t)((w->k + i) % (FILE_PAGES - 2)) * page;
		char *p;

		/* Plain mappings registered by hand, and library ones. */
		if (i % 2) {
			p = mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, fd, off);
			if (p == MAP_FAILED || daxpolicy_register_mapping(w->ctx, p, 3 * page, fd, off) < 0)
				return (void *)-1L;
		} else if (daxpolicy_mmap(w->ctx, fd, off, 3 * page, PROT_READ, 0, (void **)&p) < 0) {
			return (void *)-1L;
		}
		__atomic_store_n(&published[w->k], (uintptr_t)p, __ATOMIC_RELAXED);
		if (offset_of(w->ctx, p + page + 8) != off + page + 8)
			fails++;
		if (daxpolicy_unregister_mapping(w->ctx, p + page, page) < 0 ||
		    offset_of(w->ctx, p + 2 * page) != off + 2 * page)
			fails++;
		if (i % 2) {
			daxpolicy_unregister_mapping(w->ctx, p, 3 * page);
			munmap(p, 3 * page);
		} else if (daxpolicy_munmap(w->ctx, p, 3 * page) < 0) {
			fails++;
		}
	}
	return (void *)fails;
}

static void *reader_loop(void *arg)
{
	struct daxpolicy_ctx *ctx = arg;
	static struct daxpolicy_sigbus out;
	long bad = 0;

	while (!__atomic_load_n(&writers_done, __ATOMIC_RELAXED)) {
		for (int k = 0; k < WRITERS; k++) {
			uintptr_t a = __atomic_load_n(&published[k], __ATOMIC_RELAXED);
			siginfo_t si = bus_error(BUS_ADRERR, (void *)(a + 2 * page + 8), 0);
			int rc;

			if (!a)
				continue;
			rc = daxpolicy_sigbus_lookup(ctx, &si, &out);
			if (rc == -ENOENT || rc == -EAGAIN)
				continue;
			/* The address may be reused by any writer: any page of
			 * the file, 8 bytes in, is a consistent answer. */
			if (rc != 0 || strcmp(out.path, file) != 0 || out.file_offset % page != 8 ||
			    out.file_offset >= (uint64_t)FILE_PAGES * page || out.range_length != (uint64_t)page ||
			    out.ino != file_st.st_ino)
				bad++;
		}
	}
	return (void *)bad;
}

START_TEST(threads_register_while_looking_up)
{
	struct writer w[WRITERS];
	struct daxpolicy_ctx *ctx;
	pthread_t t[WRITERS], r;
	void *fails;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	memset(published, 0, sizeof(published));
	writers_done = 0;
	ck_assert_int_eq(pthread_create(&r, NULL, reader_loop, ctx), 0);
	for (int k = 0; k < WRITERS; k++) {
		w[k] = (struct writer){ ctx, k };
		ck_assert_int_eq(pthread_create(&t[k], NULL, writer_loop, &w[k]), 0);
	}
	for (int k = 0; k < WRITERS; k++) {
		ck_assert_int_eq(pthread_join(t[k], &fails), 0);
		ck_assert_ptr_null(fails);
	}
	__atomic_store_n(&writers_done, 1, __ATOMIC_RELAXED);
	ck_assert_int_eq(pthread_join(r, &fails), 0);
	ck_assert_ptr_null(fails);
	for (int k = 0; k < WRITERS; k++)
		ck_assert_int_eq(offset_of(ctx, (void *)(published[k] + 2 * page)), -ENOENT);
	ck_assert_uint_eq(dp_mappings_count(ctx), 0);
	daxpolicy_unref(ctx);
}
END_TEST

/* The registry alone: ranges that stay registered are always found (or
 * the reader is told to try again) while other threads add and remove
 * ranges between them, so that nodes are unlinked and reused under the
 * reader. Addresses are only numbers here: nothing is mapped. */
#define STABLE 256
#define CHURNERS 2

struct churner {
	struct dp_map_registry *reg;
	int k;
};

static int churners_done;

static uintptr_t stable_addr(int i)
{
	return (uintptr_t)0x7f0000000000ull + (uintptr_t)i * 0x10000;
}

static void *churn_loop(void *arg)
{
	struct churner *c = arg;
	unsigned int r = 12345u + (unsigned int)c->k;

	for (int round = 0; round < 40000; round++) {
		uintptr_t a;

		r = r * 1103515245u + 12345u;
		a = stable_addr((int)((r >> 8) % STABLE)) + 0x2000 + (uintptr_t)c->k * 0x1000;
		dp_map_lock(c->reg);
		if (!dp_map_add(c->reg, a, 0x1000, 0))
			abort();
		dp_map_unlock(c->reg);
		dp_map_lock(c->reg);
		dp_map_remove(c->reg, a, a + 0x1000);
		dp_map_unlock(c->reg);
	}
	__atomic_add_fetch(&churners_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(registry_reader_never_misses)
{
	struct dp_map_registry *reg = dp_map_registry_new();
	struct churner c[CHURNERS];
	pthread_t t[CHURNERS];
	long found = 0, missed = 0, wrong = 0;

	ck_assert_ptr_nonnull(reg);
	dp_map_lock(reg);
	for (int i = 0; i < STABLE; i++)
		ck_assert_ptr_nonnull(dp_map_add(reg, stable_addr(i), 0x1000, (uint64_t)i * 0x1000));
	dp_map_unlock(reg);
	__atomic_store_n(&churners_done, 0, __ATOMIC_RELAXED);
	for (int k = 0; k < CHURNERS; k++) {
		c[k] = (struct churner){ reg, k };
		ck_assert_int_eq(pthread_create(&t[k], NULL, churn_loop, &c[k]), 0);
	}
	while (__atomic_load_n(&churners_done, __ATOMIC_ACQUIRE) < CHURNERS) {
		for (int i = 0; i < STABLE; i++) {
			struct dp_map_snapshot snap;
			int rc = dp_map_find(reg, stable_addr(i) + 8, &snap);

			if (rc == 0 && (snap.start != stable_addr(i) || snap.offset != (uint64_t)i * 0x1000))
				wrong++;
			else if (rc == 0)
				found++;
			else if (rc != -EAGAIN)
				missed++;
		}
	}
	for (int k = 0; k < CHURNERS; k++)
		ck_assert_int_eq(pthread_join(t[k], NULL), 0);
	ck_assert_int_eq(missed, 0);
	ck_assert_int_eq(wrong, 0);
	ck_assert_int_gt(found, 0);
	dp_map_registry_free(reg);
}
END_TEST

/* A change that lands between the reader's search and its second look at
 * the generation count, made there on purpose (dp_map_find_between): the
 * miss the search saw is stale and must not be believed. */
static uintptr_t race_addr;

static void add_between(struct dp_map_registry *reg)
{
	__atomic_store_n(&dp_map_find_between, NULL, __ATOMIC_RELEASE);   /* once */
	dp_map_lock(reg);
	if (!dp_map_add(reg, race_addr, 0x1000, 0x5000))
		abort();
	dp_map_unlock(reg);
}

START_TEST(registry_generation_catches_a_change)
{
	struct dp_map_registry *reg = dp_map_registry_new();
	struct dp_map_snapshot snap;

	ck_assert_ptr_nonnull(reg);
	dp_map_lock(reg);
	ck_assert_ptr_nonnull(dp_map_add(reg, stable_addr(0), 0x1000, 0));
	dp_map_unlock(reg);
	race_addr = stable_addr(1);
	/* At rest, a miss is a miss. */
	ck_assert_int_eq(dp_map_find(reg, race_addr + 8, &snap), -ENOENT);
	/* The range added while the search was over: try again, not "none". */
	__atomic_store_n(&dp_map_find_between, add_between, __ATOMIC_RELEASE);
	ck_assert_int_eq(dp_map_find(reg, race_addr + 8, &snap), -EAGAIN);
	ck_assert_ptr_null(dp_map_find_between);
	/* ... and the next search finds it. */
	ck_assert_int_eq(dp_map_find(reg, race_addr + 8, &snap), 0);
	ck_assert_uint_eq(snap.start, race_addr);
	ck_assert_uint_eq(snap.offset, 0x5000);
	/* A writer inside (the count odd): no miss is believed either. */
	dp_map_lock(reg);
	ck_assert_int_eq(dp_map_find(reg, stable_addr(2) + 8, &snap), -EAGAIN);
	dp_map_unlock(reg);
	ck_assert_int_eq(dp_map_find(reg, stable_addr(2) + 8, &snap), -ENOENT);
	dp_map_registry_free(reg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sigbus");
	TCase *tc = tcase_create("sigbus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, lookup_registered_mapping);
	tcase_add_test(tc, partial_unregister);
	tcase_add_test(tc, library_mappings_registered);
	tcase_add_test(tc, real_sigbus_past_eof);
	tcase_add_test(tc, many_mappings_few_descriptors);
	tcase_add_test(tc, file_facts_follow_the_file);
	tcase_add_test(tc, threads_register_while_looking_up);
	tcase_add_test(tc, registry_reader_never_misses);
	tcase_add_test(tc, registry_generation_catches_a_change);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
