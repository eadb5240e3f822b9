// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests: dax-admin's number parser (parse-num.c) and bad-sector list
 * parser (parse-list.c), on the inputs that once slipped through: octal
 * "010", signs, exponents, values past 2^64, ranges that wrap, comment
 * lines longer than any line buffer, binary data, a directory.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse-list.h"
#include "parse-num.h"
#include "unit.h"

START_TEST(numbers_accepted)
{
	static const struct { const char *s; uint64_t v; } ok[] = {
		{ "0", 0 }, { "10", 10 }, { "0x10", 16 }, { "0X1f", 31 }, { "0x010", 16 },
		{ "18446744073709551615", UINT64_MAX }, { "0xffffffffffffffff", UINT64_MAX },
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 1;
		ck_assert_msg(parse_u64(ok[i].s, &v) == 0, "%s refused", ok[i].s);
		ck_assert_msg(v == ok[i].v, "%s read as %llu", ok[i].s, (unsigned long long)v);
	}
}
END_TEST

START_TEST(numbers_refused)
{
	static const struct { const char *s; int rc; } bad[] = {
		{ "", -EINVAL }, { "010", -EDOM }, { "00", -EDOM }, { "-1", -EINVAL }, { "+1", -EINVAL },
		{ " 1", -EINVAL }, { "1 ", -EINVAL }, { "1e3", -EINVAL }, { "12abc", -EINVAL },
		{ "0x", -EINVAL }, { "0x1g", -EINVAL }, { "0b101", -EINVAL }, { "1.5", -EINVAL },
		{ "1k", -EINVAL }, { "x10", -EINVAL },
		{ "18446744073709551616", -ERANGE }, { "0x10000000000000000", -ERANGE },
		{ "99999999999999999999999", -ERANGE },
	};
	uint64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_u64(bad[i].s, &v);

		ck_assert_msg(rc == bad[i].rc, "'%s': %d, expected %d", bad[i].s, rc, bad[i].rc);
		ck_assert_msg(v == 42, "'%s' changed the value", bad[i].s);
	}
	ck_assert_str_ne(parse_num_strerror(-EDOM), parse_num_strerror(-EINVAL));
}
END_TEST

START_TEST(number_prefix)
{
	const char *end;
	uint64_t v;

	ck_assert_int_eq(parse_u64_prefix("123 45", &end, &v), 0);
	ck_assert_uint_eq(v, 123);
	ck_assert_str_eq(end, " 45");
	ck_assert_int_eq(parse_u64_prefix("0x1f#c", &end, &v), 0);
	ck_assert_uint_eq(v, 31);
	ck_assert_str_eq(end, "#c");
	ck_assert_int_eq(parse_u64_prefix("12x", &end, &v), -EINVAL);
}
END_TEST

START_TEST(seconds)
{
	double v;

	ck_assert_int_eq(parse_seconds("5", &v), 0);
	ck_assert(v == 5);
	ck_assert_int_eq(parse_seconds("0.25", &v), 0);
	ck_assert(v == 0.25);
	ck_assert_int_eq(parse_seconds("0", &v), 0);
	ck_assert(v == 0);
	ck_assert_int_eq(parse_seconds("1000000000", &v), 0);
	ck_assert_int_eq(parse_seconds("1000000001", &v), -ERANGE);
	ck_assert_int_eq(parse_seconds("1e3", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds("-1", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds("0x10", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds("inf", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds("nan", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds(".5", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds("5.", &v), -EINVAL);
	ck_assert_int_eq(parse_seconds("05", &v), -EDOM);
	ck_assert_int_eq(parse_seconds("", &v), -EINVAL);
}
END_TEST

/* Parse @text (a C string) with the disk @disk sectors long. */
static int parse(const char *text, uint64_t disk, struct daxpolicy_sector_range **v, size_t *n,
		 struct sector_list_error *e)
{
	memset(e, 0, sizeof(*e));
	*v = NULL;
	*n = 99;
	return sector_list_parse(text, strlen(text), disk, v, n, e);
}

START_TEST(list_good)
{
	struct daxpolicy_sector_range *v;
	struct sector_list_error e;
	char *text, *p;
	size_t n;

	/* Comments, blank lines, tabs, CRLF, hex, no final newline. */
	ck_assert_int_eq(parse("# bad sectors\n\n10 1\n\t0x20\t8  # the second\r\n  \n0 1", 0, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(v[0].sector, 10);
	ck_assert_uint_eq(v[0].count, 1);
	ck_assert_uint_eq(v[1].sector, 32);
	ck_assert_uint_eq(v[1].count, 8);
	ck_assert_uint_eq(v[2].sector, 0);
	free(v);

	/* Empty lists are lists: not NULL, no range. */
	ck_assert_int_eq(parse("", 0, &v, &n, &e), 0);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(parse("# nothing\n\n", 0, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
	free(v);

	/* A comment far longer than any fixed line buffer stays a comment,
	 * even when its tail looks like a range. */
	text = malloc(100000);
	ck_assert_ptr_nonnull(text);
	p = text + sprintf(text, "# ");
	memset(p, 'x', 99000);
	strcpy(p + 99000, " 5 5\n7 1\n");
	ck_assert_int_eq(parse(text, 0, &v, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].sector, 7);
	free(v);
	free(text);

	/* The last sector of the disk, and of 2^64. */
	ck_assert_int_eq(parse("99 1\n", 100, &v, &n, &e), 0);
	free(v);
	ck_assert_int_eq(parse("18446744073709551614 1\n", 0, &v, &n, &e), 0);
	free(v);
}
END_TEST

START_TEST(list_refused)
{
	static const struct { const char *text; int rc; unsigned int line; const char *says; } bad[] = {
		{ "10 1\nten 1\n", -EINVAL, 2, "SECTOR: not a number" },
		{ "010 1\n", -EINVAL, 1, "leading zero" },
		{ "1 010\n", -EINVAL, 1, "leading zero" },
		{ "1e3 1\n", -EINVAL, 1, "not a number" },
		{ "-1 1\n", -EINVAL, 1, "not a number" },
		{ "1 -1\n", -EINVAL, 1, "not a number" },
		{ "18446744073709551616 1\n", -ERANGE, 1, "too large" },
		{ "# ok\n18446744073709551615 2\n", -ERANGE, 2, "past sector 2^64" },
		{ "18446744073709551615 1\n", -ERANGE, 1, "past sector 2^64" },
		{ "5 0\n", -EINVAL, 1, "COUNT is 0" },
		{ "5\n", -EINVAL, 1, "expected 'SECTOR COUNT'" },
		{ "5 1 1\n", -EINVAL, 1, "expected 'SECTOR COUNT'" },
		{ "5,1\n", -EINVAL, 1, "expected 'SECTOR COUNT'" },
		{ "1 1\n\n\n99 2\n", -ERANGE, 4, "passes the end of the disk (100 sectors)" },
		{ "1 1\n100 1\n", -ERANGE, 2, "passes the end" },
	};
	struct daxpolicy_sector_range *v;
	struct sector_list_error e;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i].text, 100, &v, &n, &e), want = bad[i].rc;

		ck_assert_msg(rc == want, "'%s': %d, expected %d", bad[i].text, rc, want);
		ck_assert_msg(e.line == bad[i].line, "'%s': line %u, expected %u", bad[i].text, e.line,
			      bad[i].line);
		ck_assert_msg(strstr(e.message, bad[i].says), "'%s': '%s' does not say '%s'", bad[i].text,
			      e.message, bad[i].says);
		ck_assert_msg(v == NULL && n == 99, "'%s': output touched on failure", bad[i].text);
	}
}
END_TEST

START_TEST(list_not_text)
{
	static const char binary[] = "1 1\n\x7f" "ELF\x02\x01\x01\0\0\0\n";
	struct daxpolicy_sector_range *v = NULL;
	struct sector_list_error e;
	size_t n = 99;
	FILE *f;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(sector_list_parse(binary, sizeof(binary) - 1, 0, &v, &n, &e), -EINVAL);
	ck_assert_uint_eq(e.line, 2);
	ck_assert_ptr_nonnull(strstr(e.message, "binary"));

	/* A directory opens, and fails on its first read. */
	f = fopen("/", "r");
	ck_assert_ptr_nonnull(f);
	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(sector_list_read(f, 0, &v, &n, &e), -EISDIR);
	ck_assert_uint_eq(e.line, 0);
	ck_assert_ptr_nonnull(strstr(e.message, "directory"));
	ck_assert_ptr_null(v);
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, numbers_accepted);
	tcase_add_test(tc, numbers_refused);
	tcase_add_test(tc, number_prefix);
	tcase_add_test(tc, seconds);
	tcase_add_test(tc, list_good);
	tcase_add_test(tc, list_refused);
	tcase_add_test(tc, list_not_text);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
