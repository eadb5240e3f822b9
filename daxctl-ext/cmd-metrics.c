// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin metrics [--output FILE] [--no-scan] [MOUNT...]: the DAX state
 * and media errors of every mount that could be DAX (or of each MOUNT), and
 * the nvdimm namespaces, in the Prometheus text format for node_exporter's
 * textfile collector. With --output the file is replaced atomically (a
 * temporary file in the same directory, renamed over it), so the collector
 * never reads half of it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmount.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "metrics-text.h"
#include "namespaces.h"
#include "parse-options.h"
#include "probe-paths.h"

#define CMD "metrics"

struct mount_row {
	char *mount, *device, *fstype, *dax_mode, *policy;
	enum daxpolicy_state state;
	bool dax, map_sync, expected;
	bool has_list;              /* its disk keeps a list of bad sectors */
	bool scanned;               /* the media error scan worked */
	uint64_t bad_sectors, files, bytes_lost;
	time_t scan_time;
};

struct ns_row {
	char *ns, *region, *mode, *device, *domain;
	uint64_t size;
};

struct rows {
	struct mount_row *m;
	size_t nm;
	struct ns_row *n;
	size_t nn;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Bad sectors, files hit and their bytes lost, from a scan of @row's mount. */
static void scan(struct daxpolicy_ctx *ctx, struct mount_row *row)
{
	struct daxpolicy_badblocks *bb;
	uint64_t *inodes = NULL;
	size_t n = 0, cap = 0;

	if (daxpolicy_badblocks_scan(ctx, row->mount, NULL, 0, &bb) < 0)
		return;
	row->scanned = true;
	row->scan_time = time(NULL);
	for (struct daxpolicy_badrange *r = daxpolicy_badblocks_get_first(bb); r; r = daxpolicy_badrange_get_next(r)) {
		row->bad_sectors += daxpolicy_badrange_get_count(r);
		for (struct daxpolicy_badhit *h = daxpolicy_badrange_get_first_hit(r); h;
		     h = daxpolicy_badhit_get_next(h)) {
			if (daxpolicy_badhit_get_kind(h) != DAXPOLICY_HIT_FILE)
				continue;
			row->bytes_lost += daxpolicy_badhit_get_length(h);
			if (n == cap) {
				uint64_t *v = realloc(inodes, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (!v)
					continue;
				inodes = v;
			}
			inodes[n++] = daxpolicy_badhit_get_inode(h);
		}
	}
	if (n) {
		qsort(inodes, n, sizeof(*inodes), cmp_u64);
		row->files = 1;
		for (size_t i = 1; i < n; i++)
			row->files += inodes[i] != inodes[i - 1];
	}
	free(inodes);
	daxpolicy_badblocks_free(bb);
}

static char *dup_or(const char *s, const char *none)
{
	return strdup(s && s[0] ? s : none);
}

/* Add the mount of @r; -ENOMEM or 0. */
static int add_mount(struct daxpolicy_ctx *ctx, struct rows *rows, struct daxpolicy_report *r, bool scan_it)
{
	struct mount_row *v = realloc(rows->m, (rows->nm + 1) * sizeof(*v)), *row;
	enum daxpolicy_dax_mode mode = daxpolicy_report_get_mount_dax_mode(r);
	enum daxpolicy_policy policy = daxpolicy_report_get_policy(r);

	if (!v)
		return -ENOMEM;
	rows->m = v;
	for (size_t i = 0; i < rows->nm; i++)
		if (strcmp(v[i].mount, daxpolicy_report_get_mount_target(r)) == 0)
			return 0;   /* named twice */
	row = &v[rows->nm];
	*row = (struct mount_row){
		.mount = dup_or(daxpolicy_report_get_mount_target(r), daxpolicy_report_get_path(r)),
		.device = dup_or(daxpolicy_report_get_device_name(r), "none"),
		.fstype = dup_or(daxpolicy_report_get_mount_fstype(r), "unknown"),
		.dax_mode = dup_or(daxpolicy_dax_mode_name(mode), "none"),
		.policy = dup_or(daxpolicy_policy_name(policy), "inherit"),
		.state = daxpolicy_report_get_state(r),
		.dax = daxpolicy_report_get_dax(r),
		.map_sync = daxpolicy_report_get_map_sync(r),
		/* Asked for: dax=always, a direct or sync policy at the root,
		 * or pmem showing dax=never (what XFS shows when dax=always
		 * was asked of a device that cannot do DAX). */
		.expected = mode == DAXPOLICY_DAX_MODE_ALWAYS || policy == DAXPOLICY_POLICY_DIRECT ||
			    policy == DAXPOLICY_POLICY_SYNC ||
			    (mode == DAXPOLICY_DAX_MODE_NEVER &&
			     strcmp(daxpolicy_report_get_device_kind(r), "pmem") == 0),
	};
	if (!row->mount || !row->device || !row->fstype || !row->dax_mode || !row->policy)
		return -ENOMEM;
	rows->nm++;
	if (scan_it && strcmp(row->device, "none") != 0) {
		const char *disk = daxpolicy_report_get_device_disk(r);
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "/sys/block/%s/badblocks", disk[0] ? disk : row->device);
		row->has_list = access(path, R_OK) == 0;
		if (row->has_list)
			scan(ctx, row);
	}
	return 0;
}

/* A mount is a candidate as for 'dax-admin status': its device is (or sits
 * on) pmem, or it was mounted with a dax option. */
static bool could_be_dax(struct daxpolicy_report *r)
{
	return strcmp(daxpolicy_report_get_device_kind(r), "pmem") == 0 ||
	       daxpolicy_report_get_device_dax(r) == 1 ||
	       strstr(daxpolicy_report_get_device_slaves(r), "pmem") != NULL ||
	       daxpolicy_report_get_mount_dax_mode_explicit(r);
}

static int all_mounts(struct daxpolicy_ctx *ctx, struct rows *rows, bool scan_it)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int rc = 0;

	if (!tb || !itr) {
		mnt_free_iter(itr);
		mnt_unref_table(tb);
		cmd_error(CMD, "/proc/self/mountinfo", "cannot read the mount table");
		return EXIT_UNMET;
	}
	while (rc == 0 && mnt_table_next_fs(tb, itr, &fs) == 0) {
		const char *opts = mnt_fs_get_fs_options(fs);
		struct daxpolicy_report *r;

		if (major(mnt_fs_get_devno(fs)) == 0 && !(opts && strstr(opts, "dax")))
			continue;
		if (daxpolicy_probe_path(ctx, mnt_fs_get_target(fs), DAXPOLICY_PROBE_NO_MMAP, &r) < 0)
			continue;
		if (could_be_dax(r))
			rc = add_mount(ctx, rows, r, scan_it);
		daxpolicy_report_free(r);
	}
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	return rc ? EXIT_UNMET : EXIT_OK;
}

static void add_namespace(void *arg, struct daxpolicy_report *r, const char *ns, const char *region,
			  uint64_t size)
{
	struct rows *rows = arg;
	struct ns_row *v = realloc(rows->n, (rows->nn + 1) * sizeof(*v));

	if (!v)
		return;
	rows->n = v;
	v[rows->nn++] = (struct ns_row){
		.ns = dup_or(ns, "unknown"),
		.region = dup_or(region, "unknown"),
		.mode = dup_or(daxpolicy_report_get_namespace_mode(r), "unknown"),
		.device = dup_or(daxpolicy_report_get_device_name(r), "none"),
		.domain = dup_or(daxpolicy_report_get_persistence_domain(r), "unknown"),
		/* Usable bytes, as 'ndctl list' says (less than the raw
		 * size in fsdax and devdax mode). */
		.size = daxpolicy_report_get_namespace_size(r) ? daxpolicy_report_get_namespace_size(r) : size,
	};
}

static void namespaces(struct daxpolicy_ctx *ctx, struct rows *rows)
{
	foreach_namespace(ctx, DAXPOLICY_PROBE_NO_MMAP, add_namespace, rows);
}

enum field { F_DAX, F_MAP_SYNC, F_EXPECTED, F_SCANNED, F_BAD, F_FILES, F_LOST, F_TIME };

static const struct {
	const char *name, *help;
	enum field field;
} mount_gauges[] = {
	{ "daxadmin_mount_dax", "Whether DAX is in effect at the mount's root directory (1) or not (0).", F_DAX },
	{ "daxadmin_mount_map_sync", "Whether MAP_SYNC mappings work at the mount's root directory.", F_MAP_SYNC },
	{ "daxadmin_mount_dax_expected", "Whether DAX is asked for: mounted dax=always, a direct or sync policy on the root directory, or persistent memory showing dax=never.", F_EXPECTED },
	{ "daxadmin_mount_badblocks_scan_success", "Whether the media error scan of the mount worked (only for disks that keep a list of bad sectors).", F_SCANNED },
	{ "daxadmin_mount_bad_sectors", "512-byte sectors of the mount's device listed as bad (media errors).", F_BAD },
	{ "daxadmin_mount_files_affected", "Regular files that lost bytes to media errors.", F_FILES },
	{ "daxadmin_mount_bytes_lost", "Bytes of regular files on bad sectors.", F_LOST },
	{ "daxadmin_mount_last_scan_timestamp_seconds", "When the mount was last scanned for media errors (Unix time).", F_TIME },
};

static double mount_value(const struct mount_row *r, enum field f)
{
	switch (f) {
	case F_DAX: return r->dax;
	case F_MAP_SYNC: return r->map_sync;
	case F_EXPECTED: return r->expected;
	case F_SCANNED: return r->scanned;
	case F_BAD: return (double)r->bad_sectors;
	case F_FILES: return (double)r->files;
	case F_LOST: return (double)r->bytes_lost;
	case F_TIME: return (double)r->scan_time;
	}
	return 0;
}

static void print_rows(FILE *out, const struct rows *rows)
{
	static const enum daxpolicy_state states[] = { DAXPOLICY_STATE_ACTIVE, DAXPOLICY_STATE_INACTIVE,
						       DAXPOLICY_STATE_PENDING, DAXPOLICY_STATE_UNSUPPORTED };

	metrics_family(out, "daxadmin_mount_info", "A mount that could be DAX: its device, filesystem type, dax= mount option and the policy of its root directory.");
	for (size_t i = 0; i < rows->nm; i++) {
		const struct mount_row *r = &rows->m[i];
		const char *labels[] = { "mount", r->mount, "device", r->device, "fstype", r->fstype,
					 "dax_mode", r->dax_mode, "policy", r->policy, NULL };

		metrics_sample(out, "daxadmin_mount_info", labels, 1);
	}
	metrics_family(out, "daxadmin_mount_dax_state", "The DAX state of the mount's root directory: 1 for the state it is in (active, inactive, pending, unsupported), 0 for the others.");
	for (size_t i = 0; i < rows->nm; i++)
		for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
			const char *labels[] = { "mount", rows->m[i].mount, "state", daxpolicy_state_name(states[s]), NULL };

			metrics_sample(out, "daxadmin_mount_dax_state", labels, rows->m[i].state == states[s]);
		}
	for (size_t g = 0; g < sizeof(mount_gauges) / sizeof(mount_gauges[0]); g++) {
		metrics_family(out, mount_gauges[g].name, mount_gauges[g].help);
		for (size_t i = 0; i < rows->nm; i++) {
			const struct mount_row *r = &rows->m[i];
			const char *labels[] = { "mount", r->mount, NULL };

			if ((mount_gauges[g].field == F_SCANNED && !r->has_list) ||
			    (mount_gauges[g].field > F_SCANNED && !r->scanned))
				continue;   /* no figure rather than a false 0 */
			metrics_sample(out, mount_gauges[g].name, labels, mount_value(r, mount_gauges[g].field));
		}
	}
	metrics_family(out, "daxadmin_namespace_info", "An nvdimm namespace: its region, mode (fsdax, devdax, sector, raw), block device and the persistence domain of its region.");
	for (size_t i = 0; i < rows->nn; i++) {
		const struct ns_row *n = &rows->n[i];
		const char *labels[] = { "namespace", n->ns, "region", n->region, "mode", n->mode,
					 "device", n->device, "persistence_domain", n->domain, NULL };

		metrics_sample(out, "daxadmin_namespace_info", labels, 1);
	}
	metrics_family(out, "daxadmin_namespace_size_bytes", "The usable size of an nvdimm namespace (as 'ndctl list' gives it).");
	for (size_t i = 0; i < rows->nn; i++) {
		const char *labels[] = { "namespace", rows->n[i].ns, NULL };

		metrics_sample(out, "daxadmin_namespace_size_bytes", labels, (double)rows->n[i].size);
	}
}

/* Write the rows to @path through a temporary file in the same directory,
 * renamed over it; an exit status. */
static int write_atomically(const char *path, const struct rows *rows)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL, *tmp = NULL;
	const char *base = slash ? slash + 1 : path;
	int fd = -1, dfd = -1, rc = EXIT_UNMET;
	FILE *out = NULL;

	if (!dir || !*base) {
		cmd_error_path(CMD, path, "%s", dir ? "a file name is needed" : "out of memory");
		free(dir);
		return dir ? EXIT_USAGE : EXIT_UNMET;
	}
	if (slash)
		slash[slash == dir] = '\0';
	if (asprintf(&tmp, "%s/.%s.XXXXXX", slash ? dir : ".", base) < 0) {
		tmp = NULL;
		goto fail;
	}
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (dfd < 0 || fd < 0)
		goto fail;
	out = fdopen(fd, "w");
	if (!out)
		goto fail;
	fd = -1;
	print_rows(out, rows);
	/* Read by node_exporter, which does not run as root. */
	if (fflush(out) == EOF || fchmod(fileno(out), 0644) < 0 || fsync(fileno(out)) < 0)
		goto fail;
	if (fclose(out) == EOF) {
		out = NULL;
		goto fail;
	}
	out = NULL;
	if (rename(tmp, path) < 0)
		goto fail;
	fsync(dfd);
	rc = EXIT_OK;
	goto done;
fail:
	cmd_error_path(CMD, path, "cannot write it: %s", strerror(errno));
	if (tmp && (out || fd >= 0 || access(tmp, F_OK) == 0))
		unlink(tmp);
done:
	if (out)
		fclose(out);
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(tmp);
	free(dir);
	return rc;
}

static void rows_free(struct rows *rows)
{
	for (size_t i = 0; i < rows->nm; i++) {
		free(rows->m[i].mount);
		free(rows->m[i].device);
		free(rows->m[i].fstype);
		free(rows->m[i].dax_mode);
		free(rows->m[i].policy);
	}
	for (size_t i = 0; i < rows->nn; i++) {
		free(rows->n[i].ns);
		free(rows->n[i].region);
		free(rows->n[i].mode);
		free(rows->n[i].device);
		free(rows->n[i].domain);
	}
	free(rows->m);
	free(rows->n);
}

static const struct cmd_option options[] = {
	OPT('o', "output", "FILE", "write to FILE atomically (temporary file, then rename) instead of stdout"),
	OPT_LONG('n', "no-scan", NULL, "do not scan for media errors"),
	OPT_END,
};
const struct cmd_spec metrics_spec = { "metrics", "[-o|--output FILE] [--no-scan] [MOUNT...]", options };

int cmd_metrics(int argc, char **argv, struct daxpolicy_ctx *ctx)
{
	struct rows rows = { 0 };
	const char *output = NULL;
	bool scan_it = true;
	int opt, rc = EXIT_OK;

	while ((opt = cmd_getopt(argc, argv, &metrics_spec)) != -1) {
		switch (opt) {
		case 'o': output = optarg; break;
		case 'n': scan_it = false; break;
		case 'h': cmd_help(stdout, &metrics_spec); return EXIT_OK;
		default: cmd_usage(stderr, &metrics_spec); return EXIT_USAGE;
		}
	}
	if (output && !output[0]) {
		cmd_error(CMD, NULL, "--output: expected a file name");
		return EXIT_USAGE;
	}
	if (optind == argc)
		rc = all_mounts(ctx, &rows, scan_it);
	for (int i = optind; i < argc; i++) {
		struct daxpolicy_report *r = probe_or_complain(ctx, CMD, argv[i], DAXPOLICY_PROBE_NO_MMAP, NULL);

		if (!r) {
			rc = EXIT_USAGE;
			continue;
		}
		if (add_mount(ctx, &rows, r, scan_it) < 0) {
			cmd_error(CMD, NULL, "out of memory");
			rc = EXIT_UNMET;
		}
		daxpolicy_report_free(r);
	}
	if (rc == EXIT_OK) {
		namespaces(ctx, &rows);
		if (output)
			rc = write_atomically(output, &rows);
		else {
			print_rows(stdout, &rows);
			if (fflush(stdout) == EOF) {
				cmd_error(CMD, NULL, "write error on standard output: %s", strerror(errno));
				rc = EXIT_UNMET;
			}
		}
	}
	rows_free(&rows);
	return rc;
}
