// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <string.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "probe-paths.h"

void print_escaped(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

struct daxpolicy_report *probe_or_complain(struct daxpolicy_ctx *ctx, const char *cmd,
					   const char *path, unsigned int flags)
{
	struct daxpolicy_report *report = NULL;
	int rc = daxpolicy_probe_path(ctx, path, flags, &report);

	if (rc == 0)
		return report;
	fprintf(stderr, "dax-admin %s: ", cmd);
	print_escaped(stderr, path);
	if (rc == -ENOENT)
		fprintf(stderr, ": no such file or directory\n");
	else if (rc == -EACCES)
		fprintf(stderr, ": permission denied (run as root, or as the owner)\n");
	else
		fprintf(stderr, ": cannot inspect: %s\n", strerror(-rc));
	return NULL;
}
