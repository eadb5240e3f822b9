// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin badblocks [PATH...] [--from-list FILE|-]: which files lost which
 * bytes to media errors, at 512-byte precision.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-clear.h"
#include "badblocks-json.h"
#include "builtin.h"
#include "json.h"
#include "parse-list.h"
#include "parse-num.h"
#include "probe-paths.h"

/* The size in sectors of the disk the sectors of @path are numbered on
 * (the whole disk under its filesystem, or the device-mapper device), for
 * the list's end check; 0 when it cannot be told (the scan then checks the
 * ranges itself, without line numbers). */
static uint64_t list_disk_sectors(struct daxpolicy_ctx *ctx, const char *path)
{
	struct daxpolicy_report *r;
	unsigned long long size = 0;
	char sys[PATH_MAX];
	const char *disk;
	struct stat st;
	FILE *f;

	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode)) {
		/* A device node: its disk (a partition's is its parent). */
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major(st.st_rdev), minor(st.st_rdev));
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/%ssize", major(st.st_rdev), minor(st.st_rdev),
			 access(sys, F_OK) == 0 ? "../" : "");
	} else {
		if (daxpolicy_probe_path(ctx, path, DAXPOLICY_PROBE_NO_MMAP, &r) < 0)
			return 0;
		disk = daxpolicy_report_get_device_disk(r);
		if (!disk[0])
			disk = daxpolicy_report_get_device_name(r);
		snprintf(sys, sizeof(sys), "/sys/class/block/%s/size", disk[0] ? disk : ".none");
		daxpolicy_report_free(r);
	}
	f = fopen(sys, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &size) != 1)
		size = 0;
	fclose(f);
	return size;
}

/* Read the list @name ("-": standard input) of bad sectors on the disk of
 * @path. 0, or -1 after saying what is wrong (and on which line). */
static int read_list(struct daxpolicy_ctx *ctx, const char *name, const char *path,
		     struct daxpolicy_sector_range **list, size_t *count)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "re") : stdin;
	struct sector_list_error e;
	int rc;

	if (!f) {
		cmd_error_path("badblocks", name, "cannot read the list: %s", strerror(errno));
		return -1;
	}
	rc = sector_list_read(f, list_disk_sectors(ctx, path), list, count, &e);
	if (f != stdin)
		fclose(f);
	if (rc == 0)
		return 0;
	if (e.line)
		cmd_error_path("badblocks", name, "line %u: %s", e.line, e.message);
	else
		cmd_error_path("badblocks", name, "cannot read the list: %s", e.message);
	return -1;
}

/* --offset and --length: a whole number of bytes. */
static bool byte_option(const char *opt, const char *arg, bool zero_ok, unsigned long long *v)
{
	uint64_t n;
	int rc = parse_u64(arg, &n);

	if (rc == 0 && (n || zero_ok)) {
		*v = n;
		return true;
	}
	cmd_error("badblocks", NULL, "%s: expected a whole number of bytes%s, got '%s': %s", opt,
		  zero_ok ? "" : " greater than 0", arg, rc ? parse_num_strerror(rc) : "zero");
	return false;
}

static const struct cmd_option options[] = {
	OPT('l', "from-list", "FILE", "bad ranges from FILE (- for stdin), lines \"SECTOR COUNT\""),
	OPT('u', "human", NULL, "human-friendly byte sizes"),
	OPT_LONG('c', "clear", "FILE", "repair a byte range of FILE hit by media errors"),
	OPT_LONG('o', "offset", "BYTES", "with --clear: where the range starts in the file"),
	OPT_LONG('n', "length", "BYTES", "with --clear: how long the range is (> 0)"),
	OPT_LONG('y', "yes", NULL, "with --clear or --finish: confirm the repair (else nothing changes)"),
	OPT_LONG('f', "force", NULL, "with --clear or --finish: repair a file other processes have open"),
	OPT_LONG('F', "finish", "PATH", "finish the interrupted repairs on the filesystem of PATH"),
	OPT_END,
};
const struct cmd_spec badblocks_spec = {
	"badblocks", "[-l|--from-list FILE|-] [-u|--human] PATH...\n"
	"--clear FILE --offset N --length N --yes [--force] [--from-list FILE|-]\n"
	"--finish PATH --yes [--force]", options
};

static void usage(FILE *out)
{
	cmd_usage(out, &badblocks_spec);
}

int cmd_badblocks(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct daxpolicy_sector_range *list = NULL;
	const char *list_name = NULL, *clear = NULL, *finish = NULL;
	unsigned long long offset = 0, length = 0;
	bool have_offset = false, have_length = false, yes = false, force = false;
	struct json_object *out;
	unsigned int flags = 0;
	size_t count = 0;
	bool files_hit = false;
	int opt, rc = EXIT_OK;

	while ((opt = cmd_getopt(argc, argv, &badblocks_spec)) != -1) {
		switch (opt) {
		case 'l': list_name = optarg; break;
		case 'u': flags |= JSON_HUMAN; break;
		case 'c': clear = optarg; break;
		case 'o':
			if (!byte_option("--offset", optarg, true, &offset))
				return EXIT_USAGE;
			have_offset = true;
			break;
		case 'n':
			if (!byte_option("--length", optarg, false, &length))
				return EXIT_USAGE;
			have_length = true;
			break;
		case 'y': yes = true; break;
		case 'f': force = true; break;
		case 'F': finish = optarg; break;
		case 'h': cmd_help(stdout, &badblocks_spec); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (finish) {
		if (clear || optind != argc || have_offset || have_length || list_name) {
			cmd_error("badblocks", NULL, "--finish takes one path on the filesystem, and --yes");
			return EXIT_USAGE;
		}
		return badblocks_finish(ctx, finish, yes, force, flags);
	}
	if (clear) {
		if (optind != argc || !have_offset || !have_length) {
			cmd_error("badblocks", NULL, "--clear takes one file, --offset and --length (bytes)");
			usage(stderr);
			return EXIT_USAGE;
		}
		if (list_name && read_list(ctx, list_name, clear, &list, &count) < 0)
			return EXIT_USAGE;
		rc = badblocks_clear(ctx, clear, offset, length, list, count, yes, force, flags);
		free(list);
		return rc;
	}
	if (have_offset || have_length || yes || force) {
		cmd_error("badblocks", NULL, "--offset, --length, --yes and --force go with --clear");
		return EXIT_USAGE;
	}
	if (optind == argc) {
		cmd_error("badblocks", NULL, "name a mount point or a path on the filesystem to scan");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (list_name && argc - optind != 1) {
		cmd_error("badblocks", NULL, "--from-list takes exactly one filesystem");
		free(list);
		return EXIT_USAGE;
	}
	if (list_name && read_list(ctx, list_name, argv[optind], &list, &count) < 0)
		return EXIT_USAGE;
	out = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		struct daxpolicy_badblocks *bb;
		int err = daxpolicy_badblocks_scan(ctx, argv[i], list, count, &bb);

		if (err < 0) {
			/* No list of bad sectors to read (a loop disk, a
			 * striped target): the reason says which and what
			 * helps; never an empty, "clean" answer. */
			if (err == -EOPNOTSUPP && print_refusal(ctx, "badblocks", argv[i])) {
				rc = EXIT_USAGE;
				continue;
			}
			fprintf(stderr, "dax-admin badblocks: ");
			print_escaped(stderr, argv[i]);
			fprintf(stderr, ": %s\n", err == -ENOENT ? "no such file or directory" :
				err == -ENODEV ? "not on a block device (no media to have errors)" :
				err == -EINVAL ? "a range lies beyond the end of the device" :
				strerror(-err));
			rc = EXIT_USAGE;
			continue;
		}
		json_object_array_add(out, badblocks_to_json(bb, flags, &files_hit));
		daxpolicy_badblocks_free(bb);
	}
	free(list);
	if (json_print_results(stdout, out, argc - optind == 1) < 0 && rc == EXIT_OK)
		rc = EXIT_UNMET;
	json_object_put(out);
	if (rc == EXIT_OK && files_hit)
		rc = EXIT_UNMET;
	return rc;
}
