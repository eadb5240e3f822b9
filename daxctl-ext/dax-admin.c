// SPDX-License-Identifier: GPL-2.0-or-later
/* dax-admin: entry point, global options and the command table. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"

static int cmd_help(int argc, char **argv, struct daxpolicy_ctx *ctx);
static int cmd_version(int argc, char **argv, struct daxpolicy_ctx *ctx);

static const struct command commands[] = {
	{ "status", cmd_status, "is DAX on for a mount, directory or file, and if not, why" },
	{ "check", cmd_check, "exit non-zero unless paths meet DAX requirements (preflight)" },
	{ "set-dir", cmd_set_dir, "set a directory's DAX policy and prove it takes effect" },
	{ "get-dir", cmd_get_dir, "show a directory's DAX policy and what new files get" },
	{ "badblocks", cmd_badblocks, "which files lost which bytes to media errors" },
	{ "monitor", cmd_monitor, "wait for new media errors and name the files they hit" },
	{ "help", cmd_help, "show help for dax-admin or one of its commands" },
	{ "version", cmd_version, "print the version of dax-admin and libdaxpolicy" },
};

/* The library's messages (DAXPOLICY_LOG=err|info|debug) on stderr. */
static void log_stderr(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line;
	fprintf(stderr, "dax-admin: libdaxpolicy: %s: ", fn);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

void cmd_error(const char *cmd, const char *object, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dax-admin %s: ", cmd);
	if (object)
		fprintf(stderr, "%s: ", object);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: dax-admin [--version] [--help] <command> [<args>]\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'dax-admin help <command>' opens the manual page of a command.\n");
}

static int cmd_version(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	if (argc > 1) {
		cmd_error("version", NULL, "takes no arguments");
		return EXIT_USAGE;
	}
	printf("dax-admin %s (libdaxpolicy %s)\n", PACKAGE_VERSION,
	       daxpolicy_get_version());
	return EXIT_OK;
}

static int cmd_help(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	char page[64];

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		cmd_error("help", NULL, "takes at most one command name");
		return EXIT_USAGE;
	}
	if (!find_command(argv[1])) {
		cmd_error("help", argv[1], "no such command; see 'dax-admin --help'");
		return EXIT_USAGE;
	}
	snprintf(page, sizeof(page), "dax-admin-%s", argv[1]);
	fflush(stdout);
	execlp("man", "man", page, (char *)NULL);
	cmd_error("help", page, "cannot run man: %s", strerror(errno));
	return EXIT_UNMET;
}

/* Exit 0 only when everything written to stdout reached its destination. */
static int finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE)
			fprintf(stderr, "dax-admin: write error on standard output: %s\n",
				strerror(errno));
		return rc == EXIT_OK ? EXIT_UNMET : rc;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	struct daxpolicy_ctx *ctx;
	int opt, rc;

	/* '+': stop at the first non-option, which is the command name. */
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return finish_stdout(EXIT_OK);
		case 'V':
			argc = 1;
			return finish_stdout(cmd_version(argc, argv, NULL));
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "dax-admin: '%s' is not a command; see 'dax-admin --help'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	rc = daxpolicy_new(&ctx);
	if (rc < 0) {
		fprintf(stderr, "dax-admin: cannot create library context: %s\n",
			strerror(-rc));
		return EXIT_UNMET;
	}
	daxpolicy_set_log_fn(ctx, log_stderr, NULL);
	/* Each command parses its own options, its name being argv[0];
	 * optind = 0 makes getopt start afresh. */
	argc -= optind;
	argv += optind;
	optind = 0;
	rc = cmd->fn(argc, argv, ctx);
	daxpolicy_unref(ctx);
	return finish_stdout(rc);
}
