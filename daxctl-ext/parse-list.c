// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parser of bad-sector lists (format in parse-list.h). A list drives
 * destructive commands (badblocks --clear), so anything that is not plainly
 * a list is refused with the line at fault, never half-read.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse-list.h"
#include "parse-num.h"

static int fail(struct sector_list_error *e, unsigned int line, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct sector_list_error *e, unsigned int line, int rc, const char *fmt, ...)
{
	va_list ap;

	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return rc;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* One line of @n bytes (its newline included, if any): 1 and *@r for a
 * range, 0 for a line with none, or a negative errno with @e filled. */
static int parse_line(char *line, size_t n, unsigned int lineno, uint64_t disk_sectors,
		      struct daxpolicy_sector_range *r, struct sector_list_error *e)
{
	static const char expected[] = "expected 'SECTOR COUNT' (two whole numbers, decimal or 0x hex, COUNT > 0)";
	uint64_t sector, count;
	const char *p, *end;
	int rc;

	if (memchr(line, '\0', n))
		return fail(e, lineno, -EINVAL, "binary data (a NUL byte): not a list of 'SECTOR COUNT' lines");
	line[strcspn(line, "#\n")] = '\0';
	p = skip_blanks(line);
	if (!*p)
		return 0;
	rc = parse_u64_prefix(p, &end, &sector);
	if (rc < 0)
		return fail(e, lineno, rc == -ERANGE ? rc : -EINVAL, "SECTOR: %s", parse_num_strerror(rc));
	if (*end != ' ' && *end != '\t')
		return fail(e, lineno, -EINVAL, "%s", expected);
	p = skip_blanks(end);
	rc = parse_u64_prefix(p, &end, &count);
	if (rc < 0)
		return fail(e, lineno, rc == -ERANGE ? rc : -EINVAL, "COUNT: %s", parse_num_strerror(rc));
	if (*skip_blanks(end))
		return fail(e, lineno, -EINVAL, "%s", expected);
	if (count == 0)
		return fail(e, lineno, -EINVAL, "COUNT is 0: a range has at least one sector");
	/* Ends are computed as SECTOR + COUNT everywhere: it must fit. */
	if (count > UINT64_MAX - sector)
		return fail(e, lineno, -ERANGE, "the range %llu+%llu ends past sector 2^64 - 1",
			    (unsigned long long)sector, (unsigned long long)count);
	if (disk_sectors && sector + count > disk_sectors)
		return fail(e, lineno, -ERANGE, "the range %llu+%llu passes the end of the disk (%llu sectors)",
			    (unsigned long long)sector, (unsigned long long)count,
			    (unsigned long long)disk_sectors);
	*r = (struct daxpolicy_sector_range){ sector, count };
	return 1;
}

int sector_list_read(FILE *f, uint64_t disk_sectors, struct daxpolicy_sector_range **list,
		     size_t *count, struct sector_list_error *e)
{
	struct daxpolicy_sector_range *v = malloc(sizeof(*v)), r;
	size_t n = 0, cap = 1, size = 0;
	unsigned int lineno = 0;
	char *line = NULL;
	ssize_t len;
	int rc = 0;

	if (!v)
		return fail(e, 0, -ENOMEM, "out of memory");
	errno = 0;
	while ((len = getline(&line, &size, f)) >= 0) {
		lineno++;
		rc = parse_line(line, (size_t)len, lineno, disk_sectors, &r, e);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		if (n == cap) {
			struct daxpolicy_sector_range *w = realloc(v, 2 * cap * sizeof(*w));

			if (!w) {
				rc = fail(e, lineno, -ENOMEM, "out of memory");
				break;
			}
			v = w;
			cap *= 2;
		}
		v[n++] = r;
		errno = 0;
	}
	if (rc >= 0 && ferror(f)) {
		int err = errno ? errno : EIO;

		rc = fail(e, 0, -err, "%s", err == EISDIR ? "a directory, not a list" : strerror(err));
	} else if (rc >= 0 && len < 0 && errno == ENOMEM) {
		rc = fail(e, lineno + 1, -ENOMEM, "out of memory");
	}
	free(line);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*list = v;
	*count = n;
	return 0;
}

int sector_list_parse(const char *buf, size_t len, uint64_t disk_sectors,
		      struct daxpolicy_sector_range **list, size_t *count, struct sector_list_error *e)
{
	FILE *f;
	int rc;

	if (len == 0) {
		/* fmemopen() of no bytes is an error in older C libraries. */
		*list = malloc(sizeof(**list));
		*count = 0;
		return *list ? 0 : fail(e, 0, -ENOMEM, "out of memory");
	}
	/* Read only: fmemopen() never writes to a buffer opened "r". */
	f = fmemopen((void *)buf, len, "r");
	if (!f)
		return fail(e, 0, -errno, "%s", strerror(errno));
	rc = sector_list_read(f, disk_sectors, list, count, e);
	fclose(f);
	return rc;
}
