// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daxapi: drives the requirement API of libdaxpolicy for the host and vm
 * tiers and prints one machine-readable answer.
 *   daxapi require PATH REQ        "ok" | "refused CODE,CODE"
 *   daxapi open PATH REQ           create (O_CREAT) and open with REQ:
 *                                  "ok" | "refused CODES exists=0|1"
 *   daxapi map PATH REQ            daxpolicy_mmap read-write: "ok sf=0|1"
 *   daxapi madv-sync PATH          plain mapping, then DAXPOLICY_MADV_SYNC:
 *                                  "ok same_addr=1 same_data=1 sf=0|1"
 *   daxapi madv-direct PATH        "ok" | "refused CODES"
 *   daxapi scan PATH               daxpolicy_badblocks_scan with the
 *                                  device's own list: "ok ranges=N" |
 *                                  "refused CODES" (-EOPNOTSUPP)
 * REQ: none, direct, sync. Exit 0 ok, 1 refused, 2 error.
 */
#include <daxpolicy/libdaxpolicy.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static struct daxpolicy_ctx *ctx;

static unsigned int parse_req(const char *s)
{
	if (strcmp(s, "direct") == 0)
		return DAXPOLICY_REQ_DIRECT;
	if (strcmp(s, "sync") == 0)
		return DAXPOLICY_REQ_SYNC;
	return 0;
}

/* "refused code,code" from the calling thread's refusal. */
static int refused(const char *extra)
{
	struct daxpolicy_report *r = daxpolicy_get_refusal(ctx);
	struct daxpolicy_reason *reason;
	const char *sep = " ";

	printf("refused");
	if (r) {
		daxpolicy_reason_foreach(r, reason) {
			printf("%s%s", sep, daxpolicy_reason_get_code(reason));
			sep = ",";
		}
		daxpolicy_report_free(r);
	} else {
		printf(" (no report)");
	}
	printf("%s\n", extra ? extra : "");
	return 1;
}

/* The VmFlags of the mapping at @addr contain "sf". */
static int has_sf(void *addr)
{
	char line[512], want[32];
	int in = 0, sf = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)addr);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)) == 0)
			in = 1;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			sf = strstr(line, " sf") != NULL;
			break;
		}
	}
	fclose(f);
	return sf;
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "daxapi: %s: %s\n", what, strerror(-rc));
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd, *path;
	int fd, rc;
	void *p;

	if (argc < 3) {
		fprintf(stderr, "usage: daxapi require|open|map|madv-sync|madv-direct|scan PATH [REQ]\n");
		return 2;
	}
	cmd = argv[1];
	path = argv[2];
	rc = daxpolicy_new(&ctx);
	if (rc < 0)
		return fail("daxpolicy_new", rc);
	if (strcmp(cmd, "open") == 0) {
		char extra[32];

		fd = daxpolicy_open(ctx, path, O_CREAT | O_RDWR, 0644, argc > 3 ? parse_req(argv[3]) : 0);
		if (fd == -EOPNOTSUPP) {
			snprintf(extra, sizeof(extra), " exists=%d", access(path, F_OK) == 0);
			return refused(extra);
		}
		if (fd < 0)
			return fail("daxpolicy_open", fd);
		printf("ok\n");
		return 0;
	}
	if (strcmp(cmd, "scan") == 0) {
		struct daxpolicy_badblocks *bb;
		struct daxpolicy_badrange *r;
		unsigned int n = 0;

		rc = daxpolicy_badblocks_scan(ctx, path, NULL, 0, &bb);
		if (rc == -EOPNOTSUPP)
			return refused(NULL);
		if (rc < 0)
			return fail("daxpolicy_badblocks_scan", rc);
		for (r = daxpolicy_badblocks_get_first(bb); r; r = daxpolicy_badrange_get_next(r))
			n++;
		printf("ok ranges=%u\n", n);
		daxpolicy_badblocks_free(bb);
		daxpolicy_unref(ctx);
		return 0;
	}
	fd = open(path, O_RDWR);
	if (fd < 0)
		return fail(path, -errno);
	if (strcmp(cmd, "require") == 0) {
		rc = daxpolicy_require_fd(ctx, fd, argc > 3 ? parse_req(argv[3]) : 0);
		if (rc == -EOPNOTSUPP)
			return refused(NULL);
		if (rc < 0)
			return fail("daxpolicy_require_fd", rc);
		printf("ok\n");
	} else if (strcmp(cmd, "map") == 0) {
		rc = daxpolicy_mmap(ctx, fd, 0, 4096, PROT_READ | PROT_WRITE,
				    argc > 3 ? parse_req(argv[3]) : 0, &p);
		if (rc == -EOPNOTSUPP)
			return refused(NULL);
		if (rc < 0)
			return fail("daxpolicy_mmap", rc);
		printf("ok sf=%d\n", has_sf(p));
		daxpolicy_munmap(ctx, p, 4096);
	} else if (strcmp(cmd, "madv-sync") == 0 || strcmp(cmd, "madv-direct") == 0) {
		char before[4096];
		void *q;

		rc = daxpolicy_mmap(ctx, fd, 0, 4096, PROT_READ | PROT_WRITE, 0, &p);
		if (rc < 0)
			return fail("daxpolicy_mmap", rc);
		memcpy(before, p, sizeof(before));
		q = p;
		rc = daxpolicy_madvise(ctx, p, 4096, strcmp(cmd, "madv-sync") == 0 ?
				       DAXPOLICY_MADV_SYNC : DAXPOLICY_MADV_DIRECT);
		if (rc == -EOPNOTSUPP) {
			/* The old mapping must still be there, intact. */
			return refused(memcmp(before, p, sizeof(before)) == 0 ? " intact=1" : " intact=0");
		}
		if (rc < 0)
			return fail("daxpolicy_madvise", rc);
		if (strcmp(cmd, "madv-sync") == 0)
			printf("ok same_addr=%d same_data=%d sf=%d\n", q == p,
			       memcmp(before, p, sizeof(before)) == 0, has_sf(p));
		else
			printf("ok\n");
		daxpolicy_munmap(ctx, p, 4096);
	} else {
		fprintf(stderr, "daxapi: unknown command %s\n", cmd);
		return 2;
	}
	close(fd);
	daxpolicy_unref(ctx);
	return 0;
}
