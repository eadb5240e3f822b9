// SPDX-License-Identifier: GPL-2.0-or-later
/* Option tables to getopt_long, help text and completion lists. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "parse-options.h"

#define MAX_OPTIONS 32

static const struct cmd_option help_option = OPT('h', "help", NULL, "show this help");

static size_t count_options(const struct cmd_spec *spec)
{
	size_t n = 0;

	while (spec->options && spec->options[n].name)
		n++;
	return n;
}

/* The table's i-th option, -h/--help last. */
static const struct cmd_option *option_at(const struct cmd_spec *spec, size_t i)
{
	return i < count_options(spec) ? &spec->options[i] : &help_option;
}

int cmd_getopt(int argc, char **argv, const struct cmd_spec *spec)
{
	/* A process runs one command: build its getopt tables once. */
	static const struct cmd_spec *built;
	static struct option longopts[MAX_OPTIONS + 2];
	static char optstring[3 * (MAX_OPTIONS + 1) + 1];

	if (built != spec) {
		size_t n = count_options(spec), len = 0;

		if (n > MAX_OPTIONS)
			n = MAX_OPTIONS;
		for (size_t i = 0; i <= n; i++) {
			const struct cmd_option *o = option_at(spec, i < n ? i : MAX_OPTIONS + 1);

			longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						       NULL, o->val };
			if (o->short_opt) {
				optstring[len++] = (char)o->val;
				if (o->arg)
					optstring[len++] = ':';
			}
		}
		longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
		optstring[len] = '\0';
		built = spec;
	}
	return getopt_long(argc, argv, optstring, longopts, NULL);
}

/* Forms are separated by '\n'; a line that starts with a space continues
 * the form above, under its first argument. */
void cmd_usage(FILE *out, const struct cmd_spec *spec)
{
	const char *line = spec->usage;
	bool first = true;

	do {
		size_t len = strcspn(line, "\n");

		if (line[0] == ' ')
			fprintf(out, "%*s%.*s\n", (int)(strlen("usage: dax-admin ") + strlen(spec->name)),
				"", (int)len, line);
		else
			fprintf(out, "%s dax-admin %s%s%.*s\n", first ? "usage:" : "      ", spec->name,
				len ? " " : "", (int)len, line);
		line += len;
		first = false;
	} while (*line++);
}

void cmd_help(FILE *out, const struct cmd_spec *spec)
{
	size_t n = count_options(spec);

	cmd_usage(out, spec);
	fputc('\n', out);
	for (size_t i = 0; i <= n; i++) {
		const struct cmd_option *o = option_at(spec, i);
		char left[64];

		snprintf(left, sizeof(left), "%c%c%c --%s%s%s", o->short_opt ? '-' : ' ',
			 o->short_opt ? o->val : ' ', o->short_opt ? ',' : ' ', o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-28s %s\n", left, o->help);
	}
}

void cmd_list_options(FILE *out, const struct cmd_spec *spec)
{
	size_t n = count_options(spec);

	for (size_t i = 0; i <= n; i++) {
		const struct cmd_option *o = option_at(spec, i);

		fprintf(out, "--%s ", o->name);
		if (o->short_opt)
			fprintf(out, "-%c ", o->val);
		else
			fputs("- ", out);
		fprintf(out, "%s\n", o->arg ? o->arg : "-");
	}
}
