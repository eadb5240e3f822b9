// SPDX-License-Identifier: GPL-2.0-or-later
/* dax-admin: entry point, global options and the command table. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"

static int cmd_help_page(int argc, char **argv, struct daxpolicy_ctx *ctx);
static int cmd_version(int argc, char **argv, struct daxpolicy_ctx *ctx);

static const struct cmd_spec help_spec = { "help", "[COMMAND]", NULL };
static const struct cmd_spec version_spec = { "version", "", NULL };

static const struct command commands[] = {
	{ "status", cmd_status, "is DAX on for a mount, directory or file, and if not, why",
	  &status_spec },
	{ "check", cmd_check, "exit non-zero unless paths meet DAX requirements (preflight)",
	  &check_spec },
	{ "set-dir", cmd_set_dir, "set a directory's DAX policy and prove it takes effect",
	  &set_dir_spec },
	{ "get-dir", cmd_get_dir, "show a directory's DAX policy and what new files get",
	  &get_dir_spec },
	{ "badblocks", cmd_badblocks, "which files lost which bytes to media errors",
	  &badblocks_spec },
	{ "monitor", cmd_monitor, "wait for new media errors and name the files they hit",
	  &monitor_spec },
	{ "metrics", cmd_metrics, "DAX state and media errors for Prometheus (node_exporter textfile)",
	  &metrics_spec },
	{ "kernel", cmd_kernel, "what the running kernel can do for DAX users, each probed",
	  &kernel_spec },
	{ "help", cmd_help_page, "show help for dax-admin or one of its commands", &help_spec },
	{ "version", cmd_version, "print the version of dax-admin and libdaxpolicy", &version_spec },
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
	fprintf(out, "\n'dax-admin help <command>' opens the manual page of a command\n"
		     "(its options when the manual is not installed); 'dax-admin <command> -h'\n"
		     "lists its options.\n");
}

static int print_version(void)
{
	printf("dax-admin %s (libdaxpolicy %s)\n", PACKAGE_VERSION,
	       daxpolicy_get_version());
	return EXIT_OK;
}

static int cmd_version(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	int opt;

	while ((opt = cmd_getopt(argc, argv, &version_spec)) != -1) {
		if (opt == 'h') {
			cmd_help(stdout, &version_spec);
			return EXIT_OK;
		}
		cmd_usage(stderr, &version_spec);
		return EXIT_USAGE;
	}
	if (optind < argc) {
		cmd_error("version", NULL, "takes no arguments");
		return EXIT_USAGE;
	}
	return print_version();
}

/* Whether man(1) has the page: 'man -w' finds it without showing it. */
static bool man_page_installed(const char *page)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("man", "man", "-w", page, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int cmd_help_page(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	const struct command *cmd;
	char page[64];
	int opt;

	while ((opt = cmd_getopt(argc, argv, &help_spec)) != -1) {
		if (opt == 'h') {
			cmd_help(stdout, &help_spec);
			return EXIT_OK;
		}
		cmd_usage(stderr, &help_spec);
		return EXIT_USAGE;
	}
	if (optind == argc) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc - optind > 1) {
		cmd_error("help", NULL, "takes at most one command name");
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		cmd_error("help", argv[optind], "no such command; see 'dax-admin --help'");
		return EXIT_USAGE;
	}
	snprintf(page, sizeof(page), "dax-admin-%s", cmd->name);
	/* Without the manual (containers, --no-install-recommends): the
	 * command's own option table, the same text as 'dax-admin CMD -h'. */
	if (!man_page_installed(page)) {
		printf("dax-admin %s: %s\n\n", cmd->name, cmd->summary);
		cmd_help(stdout, cmd->spec);
		printf("\n(the manual page %s(1) is not installed)\n", page);
		return EXIT_OK;
	}
	fflush(stdout);
	execlp("man", "man", page, (char *)NULL);
	cmd_error("help", page, "cannot run man: %s", strerror(errno));
	return EXIT_UNMET;
}

/* For the bash completion: command names, or a command's options. */
static int list_commands(void)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("%s\n", commands[i].name);
	return EXIT_OK;
}

static int list_options(const char *name)
{
	const struct command *cmd = find_command(name);

	if (!cmd) {
		fprintf(stderr, "dax-admin: '%s' is not a command\n", name);
		return EXIT_USAGE;
	}
	cmd_list_options(stdout, cmd->spec);
	return EXIT_OK;
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
		/* Not in --help: what the bash completion asks. */
		{ "list-commands", no_argument, NULL, 'C' },
		{ "list-options", required_argument, NULL, 'O' },
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
			return finish_stdout(print_version());
		case 'C':
			return finish_stdout(list_commands());
		case 'O':
			return finish_stdout(list_options(optarg));
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
