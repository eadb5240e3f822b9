// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libmount.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "builtin.h"
#include "monitor-disks.h"
#include "monitor-events.h"
#include "monitor-watch.h"
#include "probe-paths.h"

/* The disk under @arg keeps no list to watch: say so as 'dax-admin
 * badblocks' does, with the library's no_error_source reason (its scan
 * stops at the missing list, before any walk). */
static void no_error_source(struct monitor *m, const char *arg, const char *disk, const char *kind)
{
	struct daxpolicy_badblocks *bb = NULL;

	if (daxpolicy_badblocks_scan(m->ctx, arg, NULL, 0, &bb) == -EOPNOTSUPP &&
	    print_refusal(m->ctx, MONITOR_CMD, arg))
		return;
	daxpolicy_badblocks_free(bb);
	cmd_error_path(MONITOR_CMD, arg, "%s (%s) keeps no list of bad sectors (no_error_source)", disk, kind);
}

static int add_watch(struct monitor *m, const char *arg, struct daxpolicy_report *r, bool quiet)
{
	const char *name = daxpolicy_report_get_device_name(r), *disk = daxpolicy_report_get_device_disk(r);
	const char *target = daxpolicy_report_get_mount_target(r);
	unsigned long long size = 0;
	char path[PATH_MAX];
	struct watch *v;
	struct stat st;
	FILE *f;

	if (!name[0]) {
		cmd_error_path(MONITOR_CMD, arg, "not on a block device (no media to have errors)");
		return EXIT_USAGE;
	}
	if (!disk[0])
		disk = name;
	snprintf(path, sizeof(path), "/sys/block/%s/badblocks", disk);
	if (access(path, R_OK) != 0) {
		if (quiet)
			return EXIT_OK;
		/* A repair from a list (--from-list) can be interrupted on
		 * any disk: said all the same. */
		if (target[0])
			monitor_report_repairs(m, target, name);
		no_error_source(m, arg, disk, daxpolicy_report_get_device_kind(r));
		return EXIT_USAGE;
	}
	if (!target[0] || stat(target, &st) < 0) {
		cmd_error_path(MONITOR_CMD, arg, "cannot find its mount point");
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < m->nwatches; i++)
		if (!m->watches[i].gone && m->watches[i].dev == st.st_dev)
			return EXIT_OK;   /* the same filesystem, named twice */
	v = realloc(m->watches, (m->nwatches + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	m->watches = v;
	v = &m->watches[m->nwatches];
	*v = (struct watch){ .dev = st.st_dev, .mount = strdup(target),
			     .disk = monitor_find_disk(m, disk, true),
			     .first = daxpolicy_report_get_device_start(r) / 512 };
	if (!v->mount || !v->disk) {
		free(v->mount);
		goto nomem;
	}
	snprintf(path, sizeof(path), "/sys/class/block/%s/size", name);
	f = fopen(path, "re");
	if (!f || fscanf(f, "%llu", &size) != 1)
		size = UINT64_MAX - v->first;
	if (f)
		fclose(f);
	v->sectors = size;
	if (!v->disk->watched)
		v->disk->fresh = true;   /* its list is to be read as at start */
	v->disk->watched = true;
	m->nwatches++;
	m->live++;
	if (m->started)
		cmd_error_path(MONITOR_CMD, v->mount, "mounted; watching %s", v->disk->name);
	return EXIT_OK;
nomem:
	cmd_error(MONITOR_CMD, arg, "out of memory");
	return EXIT_UNMET;
}

int monitor_watch_args(struct monitor *m, char **paths, int n)
{
	int rc = EXIT_OK;

	for (int i = 0; i < n; i++) {
		struct daxpolicy_report *r;
		int err = daxpolicy_probe_path(m->ctx, paths[i], DAXPOLICY_PROBE_NO_MMAP, &r);
		int status;

		if (err < 0) {
			cmd_error_path(MONITOR_CMD, paths[i], "%s",
				       err == -ENOENT ? "no such file or directory" :
				       err == -EACCES ? "permission denied (run as root)" : strerror(-err));
			rc = EXIT_USAGE;
			continue;
		}
		status = add_watch(m, paths[i], r, false);
		daxpolicy_report_free(r);
		if (status != EXIT_OK)
			rc = status;
	}
	return rc;
}

int monitor_watch_all(struct monitor *m)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int rc = EXIT_OK;

	if (!tb || !itr) {
		mnt_free_iter(itr);
		mnt_unref_table(tb);
		cmd_error(MONITOR_CMD, "/proc/self/mountinfo", "cannot read the mount table");
		return EXIT_UNMET;
	}
	while (rc == EXIT_OK && mnt_table_next_fs(tb, itr, &fs) == 0) {
		struct daxpolicy_report *r;

		if (major(mnt_fs_get_devno(fs)) == 0)
			continue;
		if (daxpolicy_probe_path(m->ctx, mnt_fs_get_target(fs), DAXPOLICY_PROBE_NO_MMAP, &r) < 0)
			continue;
		if (strcmp(daxpolicy_report_get_device_kind(r), "pmem") == 0)
			rc = add_watch(m, mnt_fs_get_target(fs), r, true);
		daxpolicy_report_free(r);
	}
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	if (rc == EXIT_OK && m->live == 0 && !m->wait) {
		cmd_error(MONITOR_CMD, NULL, "no filesystem on persistent memory is mounted; nothing to watch (mount one first, name a mount point, or give --wait)");
		rc = EXIT_USAGE;
	} else if (rc == EXIT_OK && m->live == 0 && !m->started) {
		cmd_error(MONITOR_CMD, NULL, "no filesystem on persistent memory is mounted; waiting for one");
	}
	return rc;
}

int monitor_mounts_open(struct monitor *m)
{
	m->mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (m->mounts_fd < 0) {
		cmd_error(MONITOR_CMD, "/proc/self/mountinfo", "cannot watch the mount table: %s",
			  strerror(errno));
		return EXIT_UNMET;
	}
	return EXIT_OK;
}

int monitor_mounts_changed(struct monitor *m)
{
	size_t before = m->live;
	int rc;

	monitor_check_mounts(m);
	rc = m->wait ? monitor_watch_all(m) : EXIT_OK;
	if (rc == EXIT_OK && m->wait && before && !m->live)
		cmd_error(MONITOR_CMD, NULL, "no filesystem on persistent memory is mounted; waiting for one");
	return rc;
}

void monitor_check_mounts(struct monitor *m)
{
	for (size_t i = 0; i < m->nwatches; i++) {
		struct watch *w = &m->watches[i];
		struct stat st;

		if (w->gone || (stat(w->mount, &st) == 0 && st.st_dev == w->dev))
			continue;
		w->gone = true;
		m->live--;
		cmd_error_path(MONITOR_CMD, w->mount, "no longer mounted; stopped watching it");
		/* Its disk may go away too: stop polling it when nothing else
		 * on it is watched. */
		w->disk->watched = false;
		for (size_t j = 0; j < m->nwatches; j++)
			if (m->watches[j].disk == w->disk && !m->watches[j].gone)
				w->disk->watched = true;
		if (!w->disk->watched && w->disk->fd >= 0) {
			close(w->disk->fd);
			w->disk->fd = -1;
		}
	}
}

void monitor_watches_release(struct monitor *m)
{
	if (m->mounts_fd >= 0)
		close(m->mounts_fd);
	m->mounts_fd = -1;
	for (size_t i = 0; i < m->nwatches; i++)
		free(m->watches[i].mount);
	free(m->watches);
	for (size_t i = 0; i < m->nrepairs_told; i++)
		free(m->repairs_told[i]);
	free(m->repairs_told);
}
