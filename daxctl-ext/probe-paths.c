// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "json.h"
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

void cmd_error_path(const char *cmd, const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dax-admin %s: ", cmd);
	print_escaped(stderr, path);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Block device nodes and nvdimm namespace names get a device verdict. */
static int probe_any(struct daxpolicy_ctx *ctx, const char *path, unsigned int flags,
		     struct daxpolicy_report **report)
{
	char real[PATH_MAX];
	const char *base;
	struct stat st;

	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) && realpath(path, real)) {
		/* /dev/mapper/x -> dm-0; name it as the user did when we can. */
		base = strrchr(real, '/');
		base = base ? base + 1 : real;
		if (strncmp(path, "/dev/", 5) == 0 && strcmp(path + 5, base) == 0)
			base = path;
		return daxpolicy_probe_device(ctx, base, flags, report);
	}
	if (strncmp(path, "namespace", 9) == 0 && access(path, F_OK) != 0)
		return daxpolicy_probe_device(ctx, path, flags, report);
	return daxpolicy_probe_path(ctx, path, flags, report);
}

struct daxpolicy_report *probe_or_complain(struct daxpolicy_ctx *ctx, const char *cmd,
					   const char *path, unsigned int flags,
					   struct json_object *results)
{
	struct daxpolicy_report *report = NULL;
	int rc = probe_any(ctx, path, flags, &report);
	char why[160];

	if (rc == 0)
		return report;
	if (rc == -ENOENT)
		snprintf(why, sizeof(why), "no such file or directory");
	else if (rc == -EACCES)
		snprintf(why, sizeof(why), "permission denied (run as root, or as the owner)");
	else
		snprintf(why, sizeof(why), "cannot inspect: %s", strerror(-rc));
	cmd_error_path(cmd, path, "%s", why);
	if (results)
		json_object_array_add(results, json_failure(path, -rc, why));
	return NULL;
}

bool print_refusal(struct daxpolicy_ctx *ctx, const char *cmd, const char *path)
{
	struct daxpolicy_report *r = daxpolicy_get_refusal(ctx);
	struct daxpolicy_reason *reason;
	bool said = false;

	if (!r)
		return false;
	daxpolicy_reason_foreach(r, reason) {
		cmd_error_path(cmd, path, "%s (%s); %s", daxpolicy_reason_get_message(reason),
			       daxpolicy_reason_get_code(reason), daxpolicy_reason_get_hint(reason));
		said = true;
	}
	daxpolicy_report_free(r);
	return said;
}
