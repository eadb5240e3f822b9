// SPDX-License-Identifier: MIT
/*
 * wal: a write-ahead log the way a database would keep one on persistent
 * memory. Records are appended through a MAP_SYNC mapping made by
 * libdaxpolicy and made durable with CPU cache flushes alone: no msync(),
 * no fsync(). If the storage cannot give that guarantee, the library
 * refuses and says why, instead of silently handing out the page cache.
 *
 *   wal append DIR N     append N records to DIR/wal.log
 *   wal verify DIR       check every record; print how many there are
 *
 * Build: cc wal.c $(pkg-config --cflags --libs libdaxpolicy)
 *
 * This example is under the MIT license (see COPYING), not the library's
 * LGPL or the tool's GPL: copy it into an application of any license.
 */
#include <daxpolicy/libdaxpolicy.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define LOG_SIZE (4u << 20)
#define MAGIC 0x57414c31u   /* "WAL1" */

struct header {
	uint32_t magic;
	uint32_t pad;
	uint64_t tail;          /* bytes of records committed after the header */
};

struct record {
	uint64_t seq;
	uint32_t len;
	uint32_t sum;
	char data[];
};

static uint32_t checksum(const char *p, size_t n)
{
	uint32_t s = 2166136261u;   /* FNV-1a */

	while (n--)
		s = (s ^ (unsigned char)*p++) * 16777619u;
	return s;
}

#if defined(__x86_64__)
/* Write the cache lines of [p, p+n) back to memory: CLWB where the CPU has
 * it, else CLFLUSHOPT, else CLFLUSH; then a store fence. */
static int flush_kind = -1;

static void detect_flush(void)
{
	unsigned int a = 7, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	flush_kind = (b & (1u << 24)) ? 2 : (b & (1u << 23)) ? 1 : 0;
}

static void persist(const void *p, size_t n)
{
	uintptr_t line = (uintptr_t)p & ~(uintptr_t)63;

	if (flush_kind < 0)
		detect_flush();
	for (; line < (uintptr_t)p + n; line += 64) {
		if (flush_kind == 2)
			__asm__ volatile(".byte 0x66, 0x0f, 0xae, 0x30" /* clwb (%rax) */
					 : "+m"(*(volatile char *)line) : "a"(line));
		else if (flush_kind == 1)
			__asm__ volatile(".byte 0x66, 0x0f, 0xae, 0x38" /* clflushopt (%rax) */
					 : "+m"(*(volatile char *)line) : "a"(line));
		else
			__asm__ volatile("clflush %0" : "+m"(*(volatile char *)line));
	}
	__asm__ volatile("sfence" ::: "memory");
}
#else
/* Elsewhere, the portable (slower) way. */
static void persist(const void *p, size_t n)
{
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)(sysconf(_SC_PAGESIZE) - 1);

	msync((void *)start, (uintptr_t)p + n - start, MS_SYNC);
}
#endif

/* Print why the library refused, for the operator. */
static int explain_refusal(struct daxpolicy_ctx *ctx, const char *what)
{
	struct daxpolicy_report *r = daxpolicy_get_refusal(ctx);
	struct daxpolicy_reason *reason;

	fprintf(stderr, "wal: %s: refused: this storage cannot make MAP_SYNC stores durable\n", what);
	if (r) {
		daxpolicy_reason_foreach(r, reason)
			fprintf(stderr, "wal:   %s: %s\n    hint: %s\n", daxpolicy_reason_get_code(reason),
				daxpolicy_reason_get_message(reason), daxpolicy_reason_get_hint(reason));
		daxpolicy_report_free(r);
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct daxpolicy_ctx *ctx;
	struct header *h;
	char path[4096];
	int fd, rc, append;
	void *map;

	if (argc < 3 || (strcmp(argv[1], "append") && strcmp(argv[1], "verify")) ||
	    (!strcmp(argv[1], "append") && argc < 4)) {
		fprintf(stderr, "usage: wal append DIR N | wal verify DIR\n");
		return 2;
	}
	append = strcmp(argv[1], "append") == 0;
	snprintf(path, sizeof(path), "%s/wal.log", argv[2]);
	rc = daxpolicy_new(&ctx);
	if (rc < 0) {
		fprintf(stderr, "wal: %s\n", strerror(-rc));
		return 2;
	}
	fd = daxpolicy_open(ctx, path, append ? O_RDWR | O_CREAT : O_RDWR, 0644, DAXPOLICY_REQ_SYNC);
	if (fd == -EOPNOTSUPP)
		return explain_refusal(ctx, path);
	if (fd < 0) {
		fprintf(stderr, "wal: %s: %s\n", path, strerror(-fd));
		return 2;
	}
	if (append && ftruncate(fd, LOG_SIZE) < 0) {
		perror("wal: ftruncate");
		return 2;
	}
	rc = daxpolicy_mmap(ctx, fd, 0, LOG_SIZE, PROT_READ | PROT_WRITE, DAXPOLICY_REQ_SYNC, &map);
	if (rc == -EOPNOTSUPP)
		return explain_refusal(ctx, path);
	if (rc < 0) {
		fprintf(stderr, "wal: mmap: %s\n", strerror(-rc));
		return 2;
	}
	h = map;
	if (append) {
		long n = atol(argv[3]);

		if (h->magic != MAGIC) {
			h->magic = MAGIC;
			h->tail = 0;
			persist(h, sizeof(*h));
		}
		for (long i = 0; i < n; i++) {
			char *base = (char *)map + sizeof(*h) + h->tail;
			struct record *rec = (struct record *)base;
			int len = snprintf(rec->data, 200, "record %ld of %ld", i, n);

			if (sizeof(*h) + h->tail + sizeof(*rec) + (size_t)len + 8 > LOG_SIZE) {
				fprintf(stderr, "wal: log full\n");
				return 1;
			}
			rec->seq = h->tail;
			rec->len = (uint32_t)len;
			rec->sum = checksum(rec->data, (size_t)len);
			/* The record first, durable; then the commit point. */
			persist(rec, sizeof(*rec) + (size_t)len);
			h->tail += (sizeof(*rec) + (size_t)len + 7) & ~(size_t)7;
			persist(&h->tail, sizeof(h->tail));
		}
		printf("appended %ld\n", n);
	} else {
		uint64_t off = 0;
		long count = 0;

		if (h->magic != MAGIC) {
			fprintf(stderr, "wal: %s: not a log\n", path);
			return 1;
		}
		while (off < h->tail) {
			struct record *rec = (struct record *)((char *)map + sizeof(*h) + off);

			if (rec->seq != off || checksum(rec->data, rec->len) != rec->sum) {
				fprintf(stderr, "wal: record at %llu is damaged\n", (unsigned long long)off);
				return 1;
			}
			off += (sizeof(*rec) + rec->len + 7) & ~(uint64_t)7;
			count++;
		}
		printf("verified %ld\n", count);
	}
	daxpolicy_munmap(ctx, map, LOG_SIZE);
	close(fd);
	daxpolicy_unref(ctx);
	return 0;
}
