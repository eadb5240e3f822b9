// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin status [PATH...]: is DAX on here, with MAP_SYNC, and if not,
 * exactly why. Without a path: every mount that could be DAX and the nvdimm
 * namespaces that nothing mounts.
 */
#include "config.h"

#include <getopt.h>
#include <libmount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "json.h"
#include "namespaces.h"
#include "probe-paths.h"

static const char *or_none(const char *s)
{
	return s[0] ? s : "none";
}

/* " cxl region0 x2 mem0,mem1" for a device on a CXL region. */
static void print_brief_cxl(struct daxpolicy_cxl *c)
{
	if (!c)
		return;
	printf(" cxl %s x%u", daxpolicy_cxl_get_region(c), daxpolicy_cxl_get_ways(c));
	for (unsigned int pos = 0; pos < daxpolicy_cxl_get_ways(c); pos++)
		printf("%s%s", pos ? "," : " ", daxpolicy_cxl_get_memdev(c, pos));
}

static void print_brief(struct daxpolicy_report *r)
{
	struct daxpolicy_reason *reason;
	const char *sep = " -";

	print_escaped(stdout, daxpolicy_report_get_path(r));
	printf(": %s dax=%s map_sync=%s huge=%s ",
	       daxpolicy_state_name(daxpolicy_report_get_state(r)),
	       daxpolicy_report_get_dax(r) ? "yes" : "no",
	       daxpolicy_report_get_map_sync(r) ? "yes" : "no",
	       daxpolicy_report_get_huge(r) ? "yes" : "no");
	if (daxpolicy_report_get_type(r) == DAXPOLICY_OBJECT_DEVICE)
		printf("(%s %s, namespace %s, mode %s)", daxpolicy_report_get_device_kind(r),
		       or_none(daxpolicy_report_get_device_name(r)),
		       or_none(daxpolicy_report_get_namespace(r)),
		       or_none(daxpolicy_report_get_namespace_mode(r)));
	else
		printf("(%s on %s, dax=%s)", daxpolicy_report_get_mount_fstype(r),
		       daxpolicy_report_get_device_name(r)[0] ? daxpolicy_report_get_device_name(r) : "no device",
		       daxpolicy_dax_mode_name(daxpolicy_report_get_mount_dax_mode(r)));
	print_brief_cxl(daxpolicy_report_get_cxl(r));
	daxpolicy_reason_foreach(r, reason) {
		if (daxpolicy_reason_get_severity(reason) == DAXPOLICY_SEVERITY_INFO)
			continue;
		printf("%s %s", sep, daxpolicy_reason_get_code(reason));
		sep = ",";
	}
	putchar('\n');
}

/* A mount is a candidate when its device is (or sits on) pmem, or when it
 * was mounted with a dax option. */
static bool could_be_dax(struct daxpolicy_report *r)
{
	const char *kind = daxpolicy_report_get_device_kind(r);

	return strcmp(kind, "pmem") == 0 || daxpolicy_report_get_device_dax(r) == 1 ||
	       strstr(daxpolicy_report_get_device_slaves(r), "pmem") != NULL ||
	       daxpolicy_report_get_mount_dax_mode_explicit(r);
}

/* Probe every candidate mount's root; @disks collects the devices seen. */
static int list_mounts(struct daxpolicy_ctx *ctx, struct json_object *list,
		       struct json_object *disks, unsigned int flags, bool brief)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;

	if (!tb || !itr) {
		mnt_free_iter(itr);
		mnt_unref_table(tb);
		cmd_error("status", "/proc/self/mountinfo", "cannot read the mount table");
		return EXIT_UNMET;
	}
	while (mnt_table_next_fs(tb, itr, &fs) == 0) {
		const char *opts = mnt_fs_get_fs_options(fs);
		struct daxpolicy_report *r;

		if (major(mnt_fs_get_devno(fs)) == 0 && !(opts && strstr(opts, "dax")))
			continue;
		if (daxpolicy_probe_path(ctx, mnt_fs_get_target(fs), DAXPOLICY_PROBE_NO_MMAP, &r) < 0)
			continue;
		if (could_be_dax(r)) {
			const char *disk = daxpolicy_report_get_device_disk(r);

			json_object_object_add(disks, disk[0] ? disk : daxpolicy_report_get_device_name(r),
					       json_object_new_boolean(1));
			if (brief)
				print_brief(r);
			else
				json_object_array_add(list, report_to_json(r, flags));
		}
		daxpolicy_report_free(r);
	}
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	return EXIT_OK;
}

struct unmounted {
	struct json_object *list, *disks;
	unsigned int flags;
	bool brief;
};

static void add_unmounted(void *arg, struct daxpolicy_report *r, const char *ns, const char *region,
			  uint64_t size)
{
	struct unmounted *u = arg;
	const char *disk = daxpolicy_report_get_device_name(r);

	(void)ns;
	(void)region;
	(void)size;
	if (!disk[0] || !json_object_object_get_ex(u->disks, disk, NULL)) {
		if (u->brief)
			print_brief(r);
		else
			json_object_array_add(u->list, report_to_json(r, u->flags));
	}
}

/* nvdimm namespaces whose block device no mount uses, with their verdict. */
static void list_unmounted_namespaces(struct daxpolicy_ctx *ctx, struct json_object *list,
				      struct json_object *disks, unsigned int flags, bool brief)
{
	struct unmounted u = { list, disks, flags, brief };

	foreach_namespace(ctx, 0, add_unmounted, &u);
}

static const struct cmd_option options[] = {
	OPT('u', "human", NULL, "sizes as \"2.00 MiB\" instead of bytes"),
	OPT('b', "brief", NULL, "one line per path (path: state, reasons) instead of JSON"),
	OPT_LONG('t', "tmpfile", NULL, "for a directory, probe a real unnamed temporary file in it"),
	OPT_END,
};
const struct cmd_spec status_spec = { "status", "[-u|--human] [-b|--brief] [--tmpfile] [PATH...]", options };

static void usage(FILE *out)
{
	cmd_usage(out, &status_spec);
}

int cmd_status(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	unsigned int flags = 0, probe_flags = 0;
	struct json_object *list;
	bool brief = false;
	int opt, rc = EXIT_OK;

	while ((opt = cmd_getopt(argc, argv, &status_spec)) != -1) {
		switch (opt) {
		case 'u': flags |= JSON_HUMAN; break;
		case 'b': brief = true; break;
		case 't': probe_flags |= DAXPOLICY_PROBE_TMPFILE; break;
		case 'h': cmd_help(stdout, &status_spec); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	list = json_object_new_array();
	if (optind == argc) {
		struct json_object *disks = json_object_new_object();

		rc = list_mounts(ctx, list, disks, flags, brief);
		list_unmounted_namespaces(ctx, list, disks, flags, brief);
		json_object_put(disks);
	}
	for (int i = optind; i < argc; i++) {
		struct daxpolicy_report *r = probe_or_complain(ctx, "status", argv[i], probe_flags,
								 brief ? NULL : list);

		if (!r) {
			rc = EXIT_USAGE;
			continue;
		}
		if (brief)
			print_brief(r);
		else
			json_object_array_add(list, report_to_json(r, flags));
		daxpolicy_report_free(r);
	}
	/* One path prints an object, anything else an array (empty without
	 * a path and nothing found). */
	if (!brief && (optind == argc ? json_print(stdout, list) : json_print_results(stdout, list, argc - optind == 1)) < 0)
		rc = EXIT_UNMET;
	json_object_put(list);
	return rc;
}
