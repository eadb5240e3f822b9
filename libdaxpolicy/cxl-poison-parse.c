// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One record of a CXL poison list as the kernel's cxl:cxl_poison trace
 * event prints it: space-separated key=value fields,
 *   memdev=mem0 host=0000:0d:00.0 serial=1 trace_type=List region=region0
 *   region_uuid=... hpa=0x392000000 dpa=0x2000000 dpa_length=0x1000
 *   source=Internal flags= overflow_time=0
 * Fields this does not know are skipped (newer kernels add some); memdev,
 * dpa and dpa_length must be there. Pure: the text comes from tracefs, so
 * it is checked as input from outside.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "cxl-poison.h"

/* A number, 0x-prefixed hex or decimal, the whole of [s, s + n). */
static int parse_number(const char *s, size_t n, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned int d;

		if (s[i] >= '0' && s[i] <= '9')
			d = (unsigned int)(s[i] - '0');
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			d = (unsigned int)(s[i] - 'a' + 10);
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			d = (unsigned int)(s[i] - 'A' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* Copy a value into a field of @size bytes; -EINVAL when it does not fit. */
static int copy_field(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool key_is(const char *k, size_t kn, const char *name)
{
	return kn == strlen(name) && memcmp(k, name, kn) == 0;
}

int dp_cxl_poison_parse(const char *text, size_t len, struct dp_cxl_poison *rec)
{
	bool have_memdev = false, have_dpa = false, have_length = false;
	size_t i = 0;
	int rc = 0;

	memset(rec, 0, sizeof(*rec));
	rec->hpa = UINT64_MAX;
	while (i < len && rc == 0) {
		const char *k, *v, *eq;
		size_t kn, vn, end;

		while (i < len && is_space(text[i]))
			i++;
		if (i == len)
			break;
		for (end = i; end < len && !is_space(text[end]) && text[end] != '\0'; end++)
			;
		if (end < len && text[end] == '\0')
			return -EINVAL;
		k = text + i;
		eq = memchr(k, '=', end - i);
		i = end;
		if (!eq)
			continue;   /* not a field */
		kn = (size_t)(eq - k);
		v = eq + 1;
		vn = (size_t)(text + end - v);
		if (key_is(k, kn, "memdev")) {
			rc = vn ? copy_field(rec->memdev, sizeof(rec->memdev), v, vn) : -EINVAL;
			have_memdev = true;
		} else if (key_is(k, kn, "region")) {
			rc = copy_field(rec->region, sizeof(rec->region), v, vn);
		} else if (key_is(k, kn, "trace_type")) {
			rc = copy_field(rec->trace_type, sizeof(rec->trace_type), v, vn);
		} else if (key_is(k, kn, "source")) {
			rc = copy_field(rec->source, sizeof(rec->source), v, vn);
		} else if (key_is(k, kn, "dpa")) {
			rc = parse_number(v, vn, &rec->dpa);
			have_dpa = true;
		} else if (key_is(k, kn, "dpa_length")) {
			rc = parse_number(v, vn, &rec->dpa_length);
			have_length = true;
		} else if (key_is(k, kn, "hpa")) {
			if (parse_number(v, vn, &rec->hpa) < 0)
				rec->hpa = UINT64_MAX;
		} else if (key_is(k, kn, "flags")) {
			/* "Overflow", with others joined by '|'. */
			for (size_t j = 0; j + 8 <= vn; j++)
				if (!memcmp(v + j, "Overflow", 8))
					rec->overflow = true;
		}
	}
	if (rc < 0 || !have_memdev || !have_dpa || !have_length || rec->dpa_length == 0 ||
	    rec->dpa_length > UINT64_MAX - rec->dpa)
		return -EINVAL;
	return 0;
}
