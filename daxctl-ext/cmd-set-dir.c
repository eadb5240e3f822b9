// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin set-dir --direct|--sync|--page-cache|--clear DIR...: set the
 * per-directory DAX policy, only on an empty directory unless asked
 * otherwise, and prove with a real probe that new files get it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "holders.h"
#include "json.h"
#include "probe-paths.h"
#include "tree-walk.h"

struct options {
	enum daxpolicy_policy policy;
	bool recursive, force, dry_run, allow_ineffective, verbose;
};

static void complain(const char *dir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void complain(const char *dir, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dax-admin set-dir: ");
	print_escaped(stderr, dir);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Entries of the directory, "." and ".." aside; negative errno on error. */
static long count_entries(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	long n = 0;
	DIR *dir;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

/* Does the probe of a new file match the policy? */
static bool policy_met(enum daxpolicy_policy policy, struct daxpolicy_report *r)
{
	switch (policy) {
	case DAXPOLICY_POLICY_DIRECT: return daxpolicy_report_get_dax(r);
	case DAXPOLICY_POLICY_SYNC: return daxpolicy_report_get_dax(r) && daxpolicy_report_get_map_sync(r);
	case DAXPOLICY_POLICY_PAGE_CACHE: return !daxpolicy_report_get_dax(r);
	default: return true;
	}
}

/* Files whose flag changed but whose state did not follow: still open or
 * mapped somewhere. */
static struct json_object *pending_files(struct tree_walk *w)
{
	struct json_object *pending = json_object_new_array();

	for (size_t i = 0; i < w->nfiles; i++) {
		struct json_object *o;
		struct statx stx;

		if (statx(AT_FDCWD, w->files[i].path, AT_SYMLINK_NOFOLLOW, STATX_INO, &stx) < 0 ||
		    stx.stx_ino != w->files[i].ino ||
		    !(stx.stx_attributes_mask & STATX_ATTR_DAX) ||
		    !!(stx.stx_attributes & STATX_ATTR_DAX) == w->on)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "path", json_path(w->files[i].path));
		json_object_object_add(o, "pids", holders_of(w->files[i].dev, w->files[i].ino));
		json_object_array_add(pending, o);
	}
	return pending;
}

/* Lists longer than this are cut (the counts stay whole) unless --verbose:
 * a tree of 100,000 files must not print 100,000 paths. */
#define LIST_LIMIT 100

/* counts{} and the lists of what the walk did, each cut to LIST_LIMIT. */
static void add_lists(struct json_object *o, struct tree_walk *w, struct json_object *pending,
		      bool verbose)
{
	struct json_object *counts = json_object_new_object();
	struct { const char *key; struct json_object *list; } lists[] = {
		{ "changed", w->changed }, { "unchanged", w->unchanged }, { "pending", pending },
		{ "skipped", w->skipped }, { "failed", w->failed },
	};
	bool truncated = false;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		size_t n = json_object_array_length(lists[i].list);

		json_object_object_add(counts, lists[i].key, json_object_new_uint64(n));
		if (!verbose && n > LIST_LIMIT) {
			json_object_array_del_idx(lists[i].list, LIST_LIMIT, n - LIST_LIMIT);
			truncated = true;
		}
	}
	json_object_object_add(o, "counts", counts);
	json_object_object_add(o, "truncated", json_object_new_boolean(truncated));
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		json_object_object_add(o, lists[i].key, lists[i].list);
	w->changed = w->unchanged = w->skipped = w->failed = NULL;
}

static int set_one(struct daxpolicy_ctx *ctx, const char *dir, const struct options *opt,
		   struct json_object *out)
{
	enum daxpolicy_policy old_own, old_effective;
	struct daxpolicy_report *r = NULL;
	struct json_object *o = json_object_new_object(), *verified;
	struct tree_walk w = { .ctx = ctx };
	bool met = true, top_changed = false;
	struct stat st;
	long entries;
	int fd, rc = EXIT_OK, err;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		const char *why;

		err = errno;
		why = err == ELOOP ? "is a symbolic link; name the directory itself" :
		      err == ENOTDIR ? "not a directory" : err == ENOENT ? "no such directory" : strerror(err);
		complain(dir, "%s", why);
		json_object_array_add(out, json_failure(dir, err, why));
		json_object_put(o);
		return EXIT_USAGE;
	}
	fstat(fd, &st);
	entries = count_entries(fd);
	if (entries < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot read the directory: %s", strerror((int)-entries));
		complain(dir, "%s", why);
		json_object_array_add(out, json_failure(dir, (int)-entries, why));
		rc = EXIT_UNMET;
		goto out;
	}
	if (entries > 0 && !opt->recursive && !opt->force) {
		char why[320];

		snprintf(why, sizeof(why), "not empty (%ld entr%s): the policy would reach only new files. "
			 "Empty it, or use --recursive to apply it to the existing tree, or --force to "
			 "set it on this directory only", entries, entries == 1 ? "y" : "ies");
		complain(dir, "%s", why);
		json_object_array_add(out, json_failure(dir, ENOTEMPTY, why));
		rc = EXIT_UNMET;
		goto out;
	}
	if (daxpolicy_dir_get_policy(ctx, fd, &old_own, &old_effective, NULL, 0) < 0)
		old_own = old_effective = DAXPOLICY_POLICY_INHERIT;

	w.on = opt->policy == DAXPOLICY_POLICY_DIRECT || opt->policy == DAXPOLICY_POLICY_SYNC;
	w.dry_run = opt->dry_run;
	w.dev = st.st_dev;
	w.changed = json_object_new_array();
	w.unchanged = json_object_new_array();
	w.skipped = json_object_new_array();
	w.failed = json_object_new_array();
	top_changed = old_own != opt->policy;

	if (!opt->dry_run) {
		err = daxpolicy_dir_set_policy(ctx, fd, opt->policy);
		if (err < 0) {
			complain(dir, "cannot set the policy: %s", strerror(-err));
			json_object_array_add(w.failed, json_failure(dir, -err, strerror(-err)));
			rc = EXIT_UNMET;
			goto report;
		}
		/* The proof: what does a new file here really get? */
		if (daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_TMPFILE, &r) == 0) {
			met = policy_met(opt->policy, r);
			if (!met && !opt->allow_ineffective) {
				/* Put the directory back as it was: a policy that
				 * cannot work is not left behind. */
				daxpolicy_dir_set_policy(ctx, fd, old_own);
				complain(dir, "%s", "the policy does not take effect here; nothing was changed:");
				for (struct daxpolicy_reason *reason = daxpolicy_report_get_first_reason(r);
				     reason; reason = daxpolicy_reason_get_next(reason)) {
					if (daxpolicy_reason_get_severity(reason) == DAXPOLICY_SEVERITY_INFO)
						continue;
					fprintf(stderr, "  %s: ", daxpolicy_reason_get_code(reason));
					print_escaped(stderr, daxpolicy_reason_get_message(reason));
					fputc('\n', stderr);
				}
				rc = EXIT_UNMET;
				top_changed = false;
				goto report;
			}
		}
	}
	if (opt->policy == DAXPOLICY_POLICY_INHERIT && !opt->dry_run) {
		/* Cleared: the tree below takes the flag the top now inherits. */
		struct fsxattr fsx;

		if (ioctl(fd, FS_IOC_FSGETXATTR, &fsx) == 0)
			w.on = (fsx.fsx_xflags & FS_XFLAG_DAX) != 0;
	}
	if (top_changed)
		json_object_array_add(w.changed, json_path(dir));
	else
		json_object_array_add(w.unchanged, json_path(dir));
	if (opt->recursive && tree_walk(&w, fd, dir) < 0) {
		complain(dir, "%s", "out of memory");
		rc = EXIT_UNMET;
	}
	if (json_object_array_length(w.failed) > 0)
		rc = EXIT_UNMET;
report:
	json_object_object_add(o, "path", json_path(dir));
	json_object_object_add(o, "policy", json_object_new_string(daxpolicy_policy_name(opt->policy)));
	json_object_object_add(o, "previous_policy", json_object_new_string(daxpolicy_policy_name(old_own)));
	json_object_object_add(o, "dry_run", json_object_new_boolean(opt->dry_run));
	/* Pending only means something where the policy takes effect. */
	add_lists(o, &w, r && met ? pending_files(&w) : json_object_new_array(), opt->verbose);
	json_object_object_add(o, "verified", NULL);
	json_object_object_add(o, "reasons", json_object_new_array());
	if (r) {
		verified = json_object_new_object();
		json_object_object_add(verified, "new_files_dax", json_object_new_boolean(daxpolicy_report_get_dax(r)));
		json_object_object_add(verified, "new_files_map_sync",
				       json_object_new_boolean(daxpolicy_report_get_map_sync(r)));
		json_object_object_add(verified, "effective", json_object_new_boolean(met));
		json_object_object_add(o, "verified", verified);
		json_object_object_add(o, "reasons", reasons_to_json(r));
		if (!met && opt->allow_ineffective)
			complain(dir, "%s", "the policy is recorded but does not take effect here (--allow-ineffective)");
		if (daxpolicy_report_has_reason(r, "dax_flag_redundant") ||
		    (w.on && daxpolicy_report_get_mount_dax_mode(r) == DAXPOLICY_DAX_MODE_ALWAYS))
			complain(dir, "%s", "note: the mount is dax=always, so every file is DAX whatever this policy says");
		daxpolicy_report_free(r);
	}
	json_object_array_add(out, o);
	o = NULL;
out:
	json_object_put(o);
	tree_walk_release(&w);
	close(fd);
	return rc;
}

static const struct cmd_option options[] = {
	OPT_LONG('d', "direct", NULL, "new files are DAX (FS_XFLAG_DAX set)"),
	OPT_LONG('s', "sync", NULL, "new files are DAX and must allow MAP_SYNC mappings"),
	OPT_LONG('p', "page-cache", NULL, "new files use the page cache (flag cleared)"),
	OPT_LONG('c', "clear", NULL, "remove the directory's own policy: inherit it again"),
	OPT('R', "recursive", NULL, "apply the policy to the existing tree below as well"),
	OPT('f', "force", NULL, "set it on a non-empty directory only; files keep their state"),
	OPT_LONG('A', "allow-ineffective", NULL, "keep a policy that does not take effect (warns)"),
	OPT('n', "dry-run", NULL, "change nothing; report what would change"),
	OPT('v', "verbose", NULL, "list every path; without it each list holds at most 100"),
	OPT_END,
};
const struct cmd_spec set_dir_spec = {
	"set-dir", "--direct|--sync|--page-cache|--clear\n"
	" [-R|--recursive|-f|--force] [--allow-ineffective] [-n|--dry-run] DIR...", options
};

static void usage(FILE *out)
{
	cmd_usage(out, &set_dir_spec);
}

int cmd_set_dir(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct options opt = { 0 };
	struct json_object *out;
	int opt_ch, policies = 0, rc = EXIT_OK;

	while ((opt_ch = cmd_getopt(argc, argv, &set_dir_spec)) != -1) {
		switch (opt_ch) {
		case 'd': opt.policy = DAXPOLICY_POLICY_DIRECT; policies++; break;
		case 's': opt.policy = DAXPOLICY_POLICY_SYNC; policies++; break;
		case 'p': opt.policy = DAXPOLICY_POLICY_PAGE_CACHE; policies++; break;
		case 'c': opt.policy = DAXPOLICY_POLICY_INHERIT; policies++; break;
		case 'R': opt.recursive = true; break;
		case 'f': opt.force = true; break;
		case 'A': opt.allow_ineffective = true; break;
		case 'n': opt.dry_run = true; break;
		case 'v': opt.verbose = true; break;
		case 'h': cmd_help(stdout, &set_dir_spec); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (policies != 1 || optind == argc) {
		cmd_error("set-dir", NULL, "%s", policies != 1 ?
			  "give exactly one of --direct, --sync, --page-cache, --clear" : "no directory given");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (opt.recursive && opt.force) {
		cmd_error("set-dir", NULL, "--recursive and --force exclude each other");
		return EXIT_USAGE;
	}
	out = json_object_new_array();
	for (int i = optind; i < argc; i++) {
		int one = set_one(ctx, argv[i], &opt, out);

		if (one > rc)
			rc = one;
	}
	if (json_print_results(stdout, out, argc - optind == 1) < 0)
		rc = EXIT_UNMET;
	json_object_put(out);
	return rc;
}
