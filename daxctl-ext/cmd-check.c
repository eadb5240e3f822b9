// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin check --require=direct|sync|huge[,...] PATH...: the preflight
 * for CI and service start. Exit 0 when every path meets every requirement,
 * 1 when not, 2 for bad usage or a path that cannot be inspected.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "json.h"
#include "probe-paths.h"

enum { REQ_DIRECT = 1, REQ_SYNC = 2, REQ_HUGE = 4 };

static const struct { const char *name; unsigned int bit; } requirements[] = {
	{ "direct", REQ_DIRECT }, { "sync", REQ_SYNC }, { "huge", REQ_HUGE },
};

static int parse_requirements(const char *arg, unsigned int *req)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(requirements) / sizeof(requirements[0]); i++)
			if (strcmp(tok, requirements[i].name) == 0)
				break;
		if (i == sizeof(requirements) / sizeof(requirements[0])) {
			cmd_error("check", NULL, "unknown requirement '%s' (direct, sync, huge)", tok);
			rc = -1;
			break;
		}
		*req |= requirements[i].bit;
	}
	free(copy);
	return rc;
}

static bool meets(struct daxpolicy_report *r, unsigned int bit)
{
	switch (bit) {
	case REQ_DIRECT: return daxpolicy_report_get_dax(r);
	case REQ_SYNC: return daxpolicy_report_get_map_sync(r);
	case REQ_HUGE: return daxpolicy_report_get_huge(r);
	}
	return false;
}

/* One stderr line per unmet requirement and blocking reason. */
static void explain(struct daxpolicy_report *r, const char *req)
{
	struct daxpolicy_reason *reason;
	bool said = false;

	daxpolicy_reason_foreach(r, reason) {
		if (daxpolicy_reason_get_severity(reason) == DAXPOLICY_SEVERITY_INFO)
			continue;
		fprintf(stderr, "dax-admin check: ");
		print_escaped(stderr, daxpolicy_report_get_path(r));
		fprintf(stderr, ": %s not met: %s: ", req, daxpolicy_reason_get_code(reason));
		print_escaped(stderr, daxpolicy_reason_get_message(reason));
		fputc('\n', stderr);
		said = true;
	}
	if (!said) {
		fprintf(stderr, "dax-admin check: ");
		print_escaped(stderr, daxpolicy_report_get_path(r));
		fprintf(stderr, ": %s not met: state %s\n", req,
			daxpolicy_state_name(daxpolicy_report_get_state(r)));
	}
}

static const struct cmd_option options[] = {
	OPT('r', "require", "LIST", "comma-separated requirements: direct, sync, huge (required)"),
	OPT('q', "quiet", NULL, "print nothing; only the exit status tells"),
	OPT('u', "human", NULL, "human-friendly sizes in the JSON"),
	OPT_END,
};
const struct cmd_spec check_spec = {
	"check", "--require=direct|sync|huge[,...] [-q|--quiet] [-u|--human] PATH...", options
};

static void usage(FILE *out)
{
	cmd_usage(out, &check_spec);
}

int cmd_check(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	unsigned int req = 0, flags = 0;
	struct json_object *list;
	bool quiet = false, unmet = false, unusable = false;
	int opt;

	while ((opt = cmd_getopt(argc, argv, &check_spec)) != -1) {
		switch (opt) {
		case 'r':
			if (parse_requirements(optarg, &req) < 0)
				return EXIT_USAGE;
			break;
		case 'q': quiet = true; break;
		case 'u': flags |= JSON_HUMAN; break;
		case 'h': cmd_help(stdout, &check_spec); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!req || optind == argc) {
		cmd_error("check", NULL, "%s", !req ? "--require is needed" : "no path given");
		usage(stderr);
		return EXIT_USAGE;
	}
	list = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		struct daxpolicy_report *r;
		struct json_object *o, *met;
		bool ok = true;

		if (quiet) {
			if (daxpolicy_probe_path(ctx, argv[i], 0, &r) < 0)
				r = NULL;
		} else {
			r = probe_or_complain(ctx, "check", argv[i], 0, list);
		}
		if (!r) {
			unusable = true;
			continue;
		}
		o = report_to_json(r, flags);
		met = json_object_new_object();
		for (size_t k = 0; k < sizeof(requirements) / sizeof(requirements[0]); k++) {
			bool yes;

			if (!(req & requirements[k].bit))
				continue;
			yes = meets(r, requirements[k].bit);
			json_object_object_add(met, requirements[k].name, json_object_new_boolean(yes));
			if (!yes) {
				ok = false;
				if (!quiet)
					explain(r, requirements[k].name);
			}
		}
		json_object_object_add(o, "requirements", met);
		json_object_object_add(o, "ok", json_object_new_boolean(ok));
		json_object_array_add(list, o);
		unmet |= !ok;
		daxpolicy_report_free(r);
	}
	/* One path prints an object, several an array, as status does. */
	if (!quiet && json_print_results(stdout, list, argc - optind == 1) < 0)
		unmet = true;
	json_object_put(list);
	return unusable ? EXIT_USAGE : unmet ? EXIT_UNMET : EXIT_OK;
}
