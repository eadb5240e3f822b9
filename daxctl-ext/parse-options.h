/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One option table per command, as ndctl's parse-options: it drives
 * getopt_long, the -h text and the list the bash completion asks for
 * (dax-admin --list-options CMD), so the three cannot drift apart.
 */
#ifndef DAX_ADMIN_PARSE_OPTIONS_H
#define DAX_ADMIN_PARSE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

struct cmd_option {
	int val;            /* what cmd_getopt() returns for it */
	bool short_opt;     /* also accepted as -<val> */
	const char *name;   /* --name */
	const char *arg;    /* NULL: takes no argument; else its name in the help */
	const char *help;   /* one line */
};

/* -x and --name; --name only (val is then a private code). */
#define OPT(val, name, arg, help)      { (val), true, (name), (arg), (help) }
#define OPT_LONG(val, name, arg, help) { (val), false, (name), (arg), (help) }
#define OPT_END                        { 0, false, NULL, NULL, NULL }

struct cmd_spec {
	const char *name;                  /* the command, "status" */
	const char *usage;                 /* its synopsis; '\n' separates forms */
	const struct cmd_option *options;  /* OPT_END-terminated; -h/--help is implied */
};

/* getopt_long() over the spec's table (with -h, --help); same contract. */
int cmd_getopt(int argc, char **argv, const struct cmd_spec *spec);
/* "usage: dax-admin CMD ..." lines, for errors. */
void cmd_usage(FILE *out, const struct cmd_spec *spec);
/* The usage lines and one line per option: what -h prints. */
void cmd_help(FILE *out, const struct cmd_spec *spec);
/* One line per option, "--name -x ARG" ('-' where there is none). */
void cmd_list_options(FILE *out, const struct cmd_spec *spec);

#endif
