// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin get-dir DIR...: the recorded policy, the flag, where the policy
 * in force comes from, and what new files really get.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "json.h"
#include "probe-paths.h"

static int get_one(struct daxpolicy_ctx *ctx, const char *dir, struct json_object *out)
{
	enum daxpolicy_policy own, effective;
	struct daxpolicy_report *r;
	struct json_object *o, *new_files;
	char source[PATH_MAX], msg[160];
	const char *why;
	int fd, rc;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = errno;
		why = rc == ENOENT ? "no such directory" : rc == ENOTDIR ? "not a directory" : strerror(rc);
		cmd_error_path("get-dir", dir, "%s", why);
		json_object_array_add(out, json_failure(dir, rc, why));
		return EXIT_USAGE;
	}
	rc = daxpolicy_dir_get_policy(ctx, fd, &own, &effective, source, sizeof(source));
	if (rc == 0)
		rc = daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_TMPFILE, &r);
	close(fd);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "cannot inspect: %s", strerror(-rc));
		cmd_error_path("get-dir", dir, "%s", msg);
		json_object_array_add(out, json_failure(dir, -rc, msg));
		return EXIT_UNMET;
	}
	o = json_object_new_object();
	json_add_path(o, "path", dir);
	json_object_object_add(o, "policy", json_object_new_string(daxpolicy_policy_name(own)));
	json_object_object_add(o, "effective_policy", json_object_new_string(daxpolicy_policy_name(effective)));
	json_add_path(o, "source", source[0] ? source : NULL);
	json_object_object_add(o, "flag", daxpolicy_report_get_flag(r) < 0 ? NULL :
			       json_object_new_boolean(daxpolicy_report_get_flag(r)));
	new_files = json_object_new_object();
	json_object_object_add(new_files, "dax", json_object_new_boolean(daxpolicy_report_get_dax(r)));
	json_object_object_add(new_files, "map_sync", json_object_new_boolean(daxpolicy_report_get_map_sync(r)));
	json_object_object_add(new_files, "state", json_object_new_string(
		daxpolicy_state_name(daxpolicy_report_get_state(r))));
	json_object_object_add(new_files, "evidence", json_object_new_string(
		daxpolicy_report_get_map_sync_evidence(r) == DAXPOLICY_EVIDENCE_PROBED ? "probed" : "derived"));
	json_object_object_add(o, "new_files", new_files);
	json_object_object_add(o, "reasons", reasons_to_json(r));
	daxpolicy_report_free(r);
	json_object_array_add(out, o);
	return EXIT_OK;
}

const struct cmd_spec get_dir_spec = { "get-dir", "DIR...", NULL };

int cmd_get_dir(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct json_object *out;
	int opt, rc = EXIT_OK;

	while ((opt = cmd_getopt(argc, argv, &get_dir_spec)) != -1) {
		switch (opt) {
		case 'h': cmd_help(stdout, &get_dir_spec); return EXIT_OK;
		default: cmd_usage(stderr, &get_dir_spec); return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		cmd_error("get-dir", NULL, "no directory given");
		return EXIT_USAGE;
	}
	out = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		int one = get_one(ctx, argv[i], out);

		if (one > rc)
			rc = one;
	}
	if (json_print_results(stdout, out, argc - optind == 1) < 0)
		rc = EXIT_UNMET;
	json_object_put(out);
	return rc;
}
