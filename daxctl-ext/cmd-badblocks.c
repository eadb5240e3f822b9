// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin badblocks [PATH...] [--from-list FILE|-]: which files lost which
 * bytes to media errors, at 512-byte precision.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-clear.h"
#include "badblocks-json.h"
#include "builtin.h"
#include "json.h"
#include "probe-paths.h"

/* "SECTOR COUNT" lines; '#' starts a comment. 0, or -1 after saying which
 * line is wrong. */
static int read_list(const char *name, struct daxpolicy_sector_range **list, size_t *count)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "re") : stdin;
	char line[256];
	size_t cap = 0;
	unsigned int lineno = 0;

	if (!f) {
		cmd_error("badblocks", name, "%s", strerror(errno));
		return -1;
	}
	/* Never NULL, even for an empty list: empty means "no errors". */
	*list = malloc(sizeof(**list));
	*count = 0;
	cap = 1;
	if (!*list)
		goto nomem;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sector, n;
		char *p = line, *end;

		lineno++;
		p[strcspn(p, "#\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			continue;
		errno = 0;
		sector = strtoull(p, &end, 0);
		if (errno || end == p || (*end != ' ' && *end != '\t'))
			goto bad;
		p = end;
		n = strtoull(p, &end, 0);
		while (*end == ' ' || *end == '\t')
			end++;
		if (errno || end == p || *end || n == 0 || *p == '-' || strchr(line, '-'))
			goto bad;
		if (*count == cap) {
			struct daxpolicy_sector_range *v;

			cap *= 2;
			v = realloc(*list, cap * sizeof(*v));
			if (!v)
				goto nomem;
			*list = v;
		}
		(*list)[(*count)++] = (struct daxpolicy_sector_range){ sector, n };
	}
	if (f != stdin)
		fclose(f);
	return 0;
bad:
	fprintf(stderr, "dax-admin badblocks: %s: line %u: expected 'SECTOR COUNT' (two whole numbers, COUNT > 0)\n",
		name, lineno);
	goto fail;
nomem:
	cmd_error("badblocks", name, "out of memory");
fail:
	if (f != stdin)
		fclose(f);
	free(*list);
	*list = NULL;
	return -1;
}

/* A whole number of bytes (decimal or 0x hex). */
static int parse_u64(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || strchr(s, '-') ? -1 : 0;
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
		case 'n':
			if (parse_u64(optarg, opt == 'o' ? &offset : &length) < 0 || (opt == 'n' && !length)) {
				cmd_error("badblocks", NULL, "--offset and --length take a whole number of bytes (length > 0)");
				return EXIT_USAGE;
			}
			*(opt == 'o' ? &have_offset : &have_length) = true;
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
		if (list_name && read_list(list_name, &list, &count) < 0)
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
	if (list_name && read_list(list_name, &list, &count) < 0)
		return EXIT_USAGE;
	out = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		struct daxpolicy_badblocks *bb;
		int err = daxpolicy_badblocks_scan(ctx, argv[i], list, count, &bb);

		if (err < 0) {
			fprintf(stderr, "dax-admin badblocks: ");
			print_escaped(stderr, argv[i]);
			fprintf(stderr, ": %s\n", err == -ENOENT ? "no such file or directory" :
				err == -ENODEV ? "not on a block device (no media to have errors)" :
				err == -EINVAL ? "a range lies beyond the end of the device" :
				err == -EOPNOTSUPP ? "a device-mapper device with a target that is not linear: "
						     "its disks' bad sectors are not mapped through it; give "
						     "them with --from-list, numbered on this device" :
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
