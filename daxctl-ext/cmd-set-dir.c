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
#include <sys/stat.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "holders.h"
#include "json.h"
#include "probe-paths.h"

struct options {
	enum daxpolicy_policy policy;
	bool recursive, force, dry_run, allow_ineffective, hardlinks, verbose;
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

/* The name of a result entry for reports: @dir itself, or @dir/REL. */
static char *entry_path(const char *dir, const char *rel)
{
	size_t n = strlen(dir);
	char *p;

	if (strcmp(rel, ".") == 0)
		return strdup(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;   /* "dir/" given on the command line: no double slash */
	if (asprintf(&p, "%.*s%s%s", (int)n, dir, n == 1 && dir[0] == '/' ? "" : "/", rel) < 0)
		return NULL;
	return p;
}

/* A file whose flag changed but whose state did not follow (the library
 * looked): still open or mapped somewhere, by these processes. */
static struct json_object *pending_file(const char *path, dev_t dev, uint64_t ino)
{
	struct json_object *o = json_object_new_object();

	json_add_path(o, "path", path);
	json_object_object_add(o, "pids", holders_of(dev, (ino_t)ino));
	return o;
}

/* Lists longer than this are cut (the counts stay whole) unless --verbose:
 * a tree of 100,000 files must not print 100,000 paths. */
#define LIST_LIMIT 100

/* The result's entries into the report's counts{} and lists, each cut to
 * LIST_LIMIT unless @verbose; @top_failure (may be NULL) is added to the
 * failed list. */
static void add_entries(struct json_object *o, const char *dir, struct daxpolicy_set_result *res,
			dev_t dev, bool verbose, struct json_object *top_failure)
{
	static const char *const keys[] = { "changed", "unchanged", "pending", "skipped", "failed" };
	struct json_object *counts = json_object_new_object(), *all[5];
	size_t extra[DAXPOLICY_SET_FAILED + 1] = { 0 };   /* entries past a full list */
	bool truncated = false;
	struct json_object *lists[DAXPOLICY_SET_FAILED + 1], *pending = json_object_new_array();

	for (int i = 0; i <= DAXPOLICY_SET_FAILED; i++)
		lists[i] = json_object_new_array();
	for (struct daxpolicy_set_entry *e = daxpolicy_set_result_get_first(res); e;
	     e = daxpolicy_set_entry_get_next(e)) {
		enum daxpolicy_set_outcome outcome = daxpolicy_set_entry_get_outcome(e);
		struct json_object *item;
		char *path;
		int err;

		if (!verbose && json_object_array_length(lists[outcome]) >= LIST_LIMIT &&
		    !daxpolicy_set_entry_get_pending(e)) {
			extra[outcome]++;   /* only counted: the list is cut there anyway */
			continue;
		}
		path = entry_path(dir, daxpolicy_set_entry_get_path(e));
		if (!path)
			continue;
		switch (outcome) {
		case DAXPOLICY_SET_SKIPPED:
			item = json_object_new_object();
			json_add_path(item, "path", path);
			json_object_object_add(item, "reason",
					       json_object_new_string(daxpolicy_set_entry_get_reason(e)));
			break;
		case DAXPOLICY_SET_FAILED:
			err = daxpolicy_set_entry_get_errno(e);
			item = json_object_new_object();
			json_add_path(item, "path", path);
			json_object_object_add(item, "errno", json_object_new_int(err));
			json_object_object_add(item, "error", json_object_new_string(strerror(err)));
			break;
		default:
			if (!verbose && json_object_array_length(lists[outcome]) >= LIST_LIMIT) {
				item = NULL;
				extra[outcome]++;
			} else {
				item = json_path_item(path);
			}
			if (daxpolicy_set_entry_get_pending(e))
				json_object_array_add(pending, pending_file(path, dev, daxpolicy_set_entry_get_inode(e)));
			break;
		}
		if (item)
			json_object_array_add(lists[outcome], item);
		free(path);
	}
	if (top_failure)
		json_object_array_add(lists[DAXPOLICY_SET_FAILED], top_failure);
	all[0] = lists[DAXPOLICY_SET_CHANGED];
	all[1] = lists[DAXPOLICY_SET_UNCHANGED];
	all[2] = pending;
	all[3] = lists[DAXPOLICY_SET_SKIPPED];
	all[4] = lists[DAXPOLICY_SET_FAILED];
	for (size_t i = 0; i < 5; i++) {
		size_t n = json_object_array_length(all[i]);

		n += i == 0 ? extra[DAXPOLICY_SET_CHANGED] : i == 1 ? extra[DAXPOLICY_SET_UNCHANGED] :
		     i == 3 ? extra[DAXPOLICY_SET_SKIPPED] : i == 4 ? extra[DAXPOLICY_SET_FAILED] : 0;
		if (n > json_object_array_length(all[i]))
			truncated = true;
		json_object_object_add(counts, keys[i], json_object_new_uint64(n));
		if (!verbose && json_object_array_length(all[i]) > LIST_LIMIT) {
			json_object_array_del_idx(all[i], LIST_LIMIT, json_object_array_length(all[i]) - LIST_LIMIT);
			truncated = true;
		}
	}
	json_object_object_add(o, "counts", counts);
	json_object_object_add(o, "truncated", json_object_new_boolean(truncated));
	for (size_t i = 0; i < 5; i++)
		json_object_object_add(o, keys[i], all[i]);
}

static void print_reasons(struct daxpolicy_report *r)
{
	for (struct daxpolicy_reason *reason = daxpolicy_report_get_first_reason(r); reason;
	     reason = daxpolicy_reason_get_next(reason)) {
		if (daxpolicy_reason_get_severity(reason) == DAXPOLICY_SEVERITY_INFO)
			continue;
		fprintf(stderr, "  %s: ", daxpolicy_reason_get_code(reason));
		print_escaped(stderr, daxpolicy_reason_get_message(reason));
		fputc('\n', stderr);
	}
}

static int set_one(struct daxpolicy_ctx *ctx, const char *dir, const struct options *opt,
		   struct json_object *out)
{
	struct daxpolicy_set_result *res = NULL;
	struct daxpolicy_report *r;
	struct json_object *o, *verified;
	unsigned int flags = DAXPOLICY_SET_VERIFY | DAXPOLICY_SET_PENDING;
	enum daxpolicy_policy previous;
	bool met, ineffective;
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
		return EXIT_USAGE;
	}
	fstat(fd, &st);
	entries = count_entries(fd);
	if (entries < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot read the directory: %s", strerror((int)-entries));
		complain(dir, "%s", why);
		json_object_array_add(out, json_failure(dir, (int)-entries, why));
		close(fd);
		return EXIT_UNMET;
	}
	if (entries > 0 && !opt->recursive && !opt->force) {
		char why[320];

		snprintf(why, sizeof(why), "not empty (%ld entr%s): the policy would reach only new files. "
			 "Empty it, or use --recursive to apply it to the existing tree, or --force to "
			 "set it on this directory only", entries, entries == 1 ? "y" : "ies");
		complain(dir, "%s", why);
		json_object_array_add(out, json_failure(dir, ENOTEMPTY, why));
		close(fd);
		return EXIT_UNMET;
	}
	if (opt->recursive)
		flags |= DAXPOLICY_SET_RECURSIVE;
	if (opt->hardlinks)
		flags |= DAXPOLICY_SET_HARDLINKS;
	if (opt->dry_run)
		flags |= DAXPOLICY_SET_DRY_RUN;
	if (opt->allow_ineffective)
		flags |= DAXPOLICY_SET_ALLOW_INEFFECTIVE;
	err = daxpolicy_dir_set_policy_ex(ctx, fd, opt->policy, flags, &res);
	close(fd);
	if (!res) {
		complain(dir, "cannot set the policy: %s", strerror(-err));
		json_object_array_add(out, json_failure(dir, -err, strerror(-err)));
		return EXIT_UNMET;
	}
	r = daxpolicy_set_result_get_report(res);
	met = daxpolicy_set_result_get_effective(res);
	ineffective = r && !met && !opt->allow_ineffective;
	previous = daxpolicy_set_result_get_previous_policy(res);
	o = json_object_new_object();
	json_add_path(o, "path", dir);
	json_object_object_add(o, "policy", json_object_new_string(daxpolicy_policy_name(opt->policy)));
	json_object_object_add(o, "previous_policy", json_object_new_string(daxpolicy_policy_name(previous)));
	json_object_object_add(o, "dry_run", json_object_new_boolean(opt->dry_run));
	if (ineffective) {
		/* Put back as it was found, flag and record: nothing changed. */
		complain(dir, "%s", "the policy does not take effect here; nothing was changed:");
		print_reasons(r);
		rc = EXIT_UNMET;
		add_entries(o, dir, res, st.st_dev, opt->verbose, NULL);
		json_object_array_add(json_object_object_get(o, "unchanged"), json_path_item(dir));
		json_object_object_add(json_object_object_get(o, "counts"), "unchanged", json_object_new_uint64(1));
	} else if (err < 0) {
		complain(dir, "cannot set the policy: %s", strerror(-err));
		rc = EXIT_UNMET;
		add_entries(o, dir, res, st.st_dev, opt->verbose, json_failure(dir, -err, strerror(-err)));
	} else {
		add_entries(o, dir, res, st.st_dev, opt->verbose, NULL);
		if (daxpolicy_set_result_get_count(res, DAXPOLICY_SET_FAILED) > 0)
			rc = EXIT_UNMET;
	}
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
		if (!ineffective && (daxpolicy_report_has_reason(r, "dax_flag_redundant") ||
		    (daxpolicy_set_result_get_dax_flag(res) &&
		     daxpolicy_report_get_mount_dax_mode(r) == DAXPOLICY_DAX_MODE_ALWAYS)))
			complain(dir, "%s", "note: the mount is dax=always, so every file is DAX whatever this policy says");
	}
	json_object_array_add(out, o);
	daxpolicy_set_result_free(res);
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
	OPT_LONG('H', "hardlinks", NULL, "with --recursive: change files with several links too"),
	OPT('v', "verbose", NULL, "list every path; without it each list holds at most 100"),
	OPT_END,
};
const struct cmd_spec set_dir_spec = {
	"set-dir", "--direct|--sync|--page-cache|--clear\n"
	" [-R|--recursive [--hardlinks]|-f|--force] [--allow-ineffective] [-n|--dry-run] DIR...", options
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
		case 'H': opt.hardlinks = true; break;
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
	if (opt.hardlinks && !opt.recursive) {
		cmd_error("set-dir", NULL, "--hardlinks goes with --recursive");
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
