// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin kernel [DIR]: what the running kernel can do for DAX users,
 * each capability probed where the kernel can be asked, with the method
 * and the reason. DIR is where the filesystem-dependent probes are made.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "json.h"

static const struct cmd_option options[] = {
	OPT('b', "brief", NULL, "one line per capability: name, state, method, value, reason"),
	OPT_END,
};
const struct cmd_spec kernel_spec = { "kernel", "[-b|--brief] [DIR]", options };

static struct json_object *kernel_to_json(struct daxpolicy_kernel *k)
{
	struct json_object *obj = json_object_new_object();
	struct json_object *caps = json_object_new_object();
	struct daxpolicy_kcap *c;

	json_object_object_add(obj, "kernel",
			       json_object_new_string(daxpolicy_kernel_get_release(k)));
	daxpolicy_kcap_foreach(k, c) {
		struct json_object *one = json_object_new_object();
		const char *value = daxpolicy_kcap_get_value(c);

		json_object_object_add(one, "state", json_object_new_string(
			daxpolicy_kcap_state_name(daxpolicy_kcap_get_state(c))));
		json_object_object_add(one, "method",
				       json_object_new_string(daxpolicy_kcap_get_method(c)));
		if (value)
			json_object_object_add(one, "value", json_object_new_string(value));
		json_object_object_add(one, "reason",
				       json_object_new_string(daxpolicy_kcap_get_reason(c)));
		json_object_object_add(caps, daxpolicy_kcap_get_name(c), one);
	}
	json_object_object_add(obj, "capabilities", caps);
	return obj;
}

static void print_brief(struct daxpolicy_kernel *k)
{
	struct daxpolicy_kcap *c;

	printf("kernel %s\n", daxpolicy_kernel_get_release(k));
	daxpolicy_kcap_foreach(k, c) {
		const char *value = daxpolicy_kcap_get_value(c);

		printf("%-20s %-7s %-7s", daxpolicy_kcap_get_name(c),
		       daxpolicy_kcap_state_name(daxpolicy_kcap_get_state(c)),
		       daxpolicy_kcap_get_method(c));
		if (value)
			printf(" (%s)", value);
		printf(" %s\n", daxpolicy_kcap_get_reason(c));
	}
}

int cmd_kernel(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct daxpolicy_kernel *k;
	struct json_object *obj;
	bool brief = false;
	int opt, rc;

	while ((opt = cmd_getopt(argc, argv, &kernel_spec)) != -1) {
		switch (opt) {
		case 'b': brief = true; break;
		case 'h': cmd_help(stdout, &kernel_spec); return EXIT_OK;
		default: cmd_usage(stderr, &kernel_spec); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		cmd_error("kernel", NULL, "takes at most one directory");
		cmd_usage(stderr, &kernel_spec);
		return EXIT_USAGE;
	}
	rc = daxpolicy_kernel_probe(ctx, optind < argc ? argv[optind] : NULL, &k);
	if (rc < 0) {
		cmd_error("kernel", NULL, "cannot probe the kernel: %s", strerror(-rc));
		return EXIT_UNMET;
	}
	rc = EXIT_OK;
	if (brief) {
		print_brief(k);
	} else {
		obj = kernel_to_json(k);
		if (json_print(stdout, obj) < 0)
			rc = EXIT_UNMET;
		json_object_put(obj);
	}
	daxpolicy_kernel_free(k);
	return rc;
}
