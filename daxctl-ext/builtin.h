/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dax-admin command table: one cmd_<verb>() per command. */
#ifndef DAX_ADMIN_BUILTIN_H
#define DAX_ADMIN_BUILTIN_H

#include "parse-options.h"

struct daxpolicy_ctx;

/* Exit statuses shared by every command (see dax-admin(1)). */
enum {
	EXIT_OK = 0,     /* success, requirement met */
	EXIT_UNMET = 1,  /* requirement not met, or the operation failed */
	EXIT_USAGE = 2,  /* bad usage or unusable input */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv, struct daxpolicy_ctx *ctx);
	const char *summary;
	const struct cmd_spec *spec;  /* its options, usage and help */
};

int cmd_status(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_check(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_set_dir(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_get_dir(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_badblocks(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_monitor(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_metrics(int argc, char **argv, struct daxpolicy_ctx *ctx);
int cmd_kernel(int argc, char **argv, struct daxpolicy_ctx *ctx);

/* Each command's option table (in its cmd-<command>.c). */
extern const struct cmd_spec status_spec, check_spec, set_dir_spec, get_dir_spec,
	badblocks_spec, monitor_spec, metrics_spec, kernel_spec;

/* Print "dax-admin <cmd>: <object>: <message>" on stderr. */
void cmd_error(const char *cmd, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
