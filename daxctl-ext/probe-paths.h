/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Probing the paths named on a command line, shared by status and check. */
#ifndef DAX_ADMIN_PROBE_PATHS_H
#define DAX_ADMIN_PROBE_PATHS_H

#include <stdbool.h>
#include <stdio.h>

struct daxpolicy_ctx;
struct daxpolicy_report;

struct json_object;

/* Probe @path; on failure print "dax-admin CMD: PATH: reason", add a
 * {path, errno, error} entry to @results (unless NULL) and return NULL. */
struct daxpolicy_report *probe_or_complain(struct daxpolicy_ctx *ctx, const char *cmd,
					   const char *path, unsigned int flags,
					   struct json_object *results);
/* Print @s with control characters and invalid bytes as \xHH. */
void print_escaped(FILE *out, const char *s);
/* Print "dax-admin CMD: PATH: message" on stderr, PATH as print_escaped()
 * prints it. */
void cmd_error_path(const char *cmd, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print each reason of the calling thread's last refusal on @ctx (after
 * -EOPNOTSUPP) as "dax-admin CMD: PATH: message (code); hint". false when
 * there is none. */
bool print_refusal(struct daxpolicy_ctx *ctx, const char *cmd, const char *path);

#endif
