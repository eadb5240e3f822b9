// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "monitor-disks.h"
#include "monitor-events.h"
#include "parse-list.h"

struct disk *monitor_find_disk(struct monitor *m, const char *name, bool add)
{
	struct disk *d, **v;

	for (size_t i = 0; i < m->ndisks; i++)
		if (strcmp(m->disks[i]->name, name) == 0)
			return m->disks[i];
	if (!add || strlen(name) >= sizeof(d->name))
		return NULL;
	d = calloc(1, sizeof(*d));
	v = realloc(m->disks, (m->ndisks + 1) * sizeof(*v));
	if (!d || !v) {
		free(d);
		if (v)
			m->disks = v;
		return NULL;
	}
	m->disks = v;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->fd = -1;
	m->disks[m->ndisks++] = d;
	return d;
}

/* Read all of a sysfs attribute from its start (which also re-arms poll);
 * a malloc'ed string, or NULL with errno. */
static char *read_attr(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);

	if (!buf)
		return NULL;
	if (lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *b = realloc(buf, cap * 2 + 1);

			if (!b)
				goto fail;
			buf = b;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
fail:
	free(buf);
	return NULL;
}

/* Re-read a region's attribute to re-arm it; false when it went away. */
static bool rearm(int fd)
{
	char *text = read_attr(fd);
	bool ok = text != NULL;

	free(text);
	return ok;
}

int monitor_open_disk(struct disk *d)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/block/%s/badblocks", d->name);
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	return d->fd < 0 ? -errno : 0;
}

/* The disk's list now, and on a CXL region its memdevs' poison (polled:
 * the kernel does not notify it), also kept apart in @cxl; -errno when it
 * cannot be read (the disk went away, or the poison lists cannot be read:
 * said on stderr). */
static int read_disk(struct monitor *m, struct disk *d, struct sector_set *cur, struct sector_set *cxl)
{
	struct daxpolicy_sector_range *v;
	struct sector_list_error e;
	size_t n;
	char *text;
	int rc;

	*cur = (struct sector_set){ 0 };
	*cxl = (struct sector_set){ 0 };
	if (d->fd < 0 && monitor_open_disk(d) < 0)
		return -errno;
	text = read_attr(d->fd);
	if (!text) {
		rc = -errno;
		close(d->fd);
		d->fd = -1;
		return rc;
	}
	/* The kernel's list has the format of a --from-list list: one
	 * parser for both. */
	rc = sector_list_parse(text, strlen(text), 0, &v, &n, &e);
	free(text);
	if (rc < 0) {
		cmd_error(MONITOR_CMD, d->name, "cannot read its badblocks: line %u: %s", e.line, e.message);
		return rc;
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sector_set_add(cur, v[i].sector, v[i].count);
	free(v);
	if (rc == 0) {
		int c = daxpolicy_cxl_poison_sectors(m->ctx, d->name, &v, &n);

		if (c < 0 && c != -ENOENT) {
			cmd_error(MONITOR_CMD, d->name, "cannot read the poison lists of its CXL memdevs: %s",
				  strerror(-c));
			return c;
		}
		for (size_t i = 0; c == 0 && rc == 0 && i < n; i++)
			if ((rc = sector_set_add(cur, v[i].sector, v[i].count)) == 0)
				rc = sector_set_add(cxl, v[i].sector, v[i].count);
		if (c == 0)
			free(v);
	}
	return rc;
}

int monitor_check_disk(struct monitor *m, struct disk *d, bool start)
{
	struct sector_set cur, cxl, cleared = { 0 }, fresh = { 0 };
	int rc = read_disk(m, d, &cur, &cxl);

	if (rc < 0) {
		sector_set_clear(&cur);
		sector_set_clear(&cxl);
		return 0;   /* gone for now; its filesystems are checked apart */
	}
	if (!start) {
		rc = sector_set_diff(&cleared, &d->seen, &cur);
		for (size_t i = 0; rc == 0 && i < cleared.n; i++)
			rc = sector_set_sub(&d->known, cleared.v[i].sector, cleared.v[i].count);
		if (rc == 0)
			rc = monitor_report_cleared(m, d, &cleared);   /* by the CXL part as it was */
	}
	sector_set_clear(&d->cxl);
	d->cxl = cxl;
	if (rc == 0)
		rc = sector_set_diff(&fresh, &cur, &d->known);
	for (size_t i = 0; rc == 0 && i < fresh.n; i++)
		rc = sector_set_add(&d->known, fresh.v[i].sector, fresh.v[i].count);
	if (rc == 0 && (!start || m->state.fd >= 0))
		rc = monitor_report_new(m, start ? "present" : "new", d, &fresh);
	sector_set_clear(&d->seen);
	d->seen = cur;
	sector_set_clear(&cleared);
	sector_set_clear(&fresh);
	if (rc == -ENOMEM) {
		cmd_error(MONITOR_CMD, d->name, "out of memory");
		rc = m->failed = EXIT_UNMET;
	}
	return rc;
}

int monitor_start_fresh(struct monitor *m)
{
	for (size_t i = 0; i < m->ndisks && !monitor_count_reached(m); i++) {
		struct disk *d = m->disks[i];

		if (!d->fresh || !d->watched)
			continue;
		d->fresh = false;
		if (d->fd < 0 && monitor_open_disk(d) < 0) {
			cmd_error(MONITOR_CMD, d->name, "cannot open its badblocks: %s", strerror(errno));
			return m->failed = EXIT_UNMET;
		}
		if (monitor_check_disk(m, d, true))
			return m->failed ? m->failed : EXIT_UNMET;
	}
	return EXIT_OK;
}

void monitor_open_regions(struct monitor *m)
{
	glob_t g;

	if (glob("/sys/bus/nd/devices/region*/badblocks", 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct region *slot = NULL, *v;
		int fd;

		for (size_t j = 0; j < m->nregions; j++)
			if (strcmp(m->regions[j].path, g.gl_pathv[i]) == 0)
				slot = &m->regions[j];
		if (slot && slot->fd >= 0)
			continue;
		fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!rearm(fd)) {
			close(fd);
			continue;
		}
		if (!slot) {
			char *path = strdup(g.gl_pathv[i]);

			v = path ? realloc(m->regions, (m->nregions + 1) * sizeof(*v)) : NULL;
			if (!v) {
				free(path);
				close(fd);
				continue;
			}
			m->regions = v;
			slot = &m->regions[m->nregions++];
			slot->path = path;
		}
		slot->fd = fd;
	}
	globfree(&g);
}

struct pollfd *monitor_poll_set(const struct monitor *m, int sigfd, size_t *n)
{
	struct pollfd *pfd = calloc(2 + m->ndisks + m->nregions, sizeof(*pfd));

	*n = 0;
	if (!pfd)
		return NULL;
	pfd[(*n)++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
	pfd[(*n)++] = (struct pollfd){ .fd = m->mounts_fd, .events = POLLPRI };
	for (size_t i = 0; i < m->ndisks; i++)
		pfd[(*n)++] = (struct pollfd){ .fd = m->disks[i]->watched ? m->disks[i]->fd : -1,
					       .events = POLLPRI };
	for (size_t i = 0; i < m->nregions; i++)
		pfd[(*n)++] = (struct pollfd){ .fd = m->regions[i].fd, .events = POLLPRI };
	return pfd;
}

bool monitor_poll_woken(struct monitor *m, const struct pollfd *pfd)
{
	bool woken = false;

	for (size_t i = 0; i < m->ndisks; i++)
		if (pfd[2 + i].revents)
			woken = true;
	for (size_t i = 0; i < m->nregions; i++) {
		struct region *r = &m->regions[i];

		if (!pfd[2 + m->ndisks + i].revents)
			continue;
		woken = true;
		if (!rearm(r->fd)) {
			close(r->fd);   /* the region went away */
			r->fd = -1;
		}
	}
	return woken;
}

void monitor_disks_release(struct monitor *m)
{
	for (size_t i = 0; i < m->ndisks; i++) {
		if (m->disks[i]->fd >= 0)
			close(m->disks[i]->fd);
		sector_set_clear(&m->disks[i]->seen);
		sector_set_clear(&m->disks[i]->cxl);
		sector_set_clear(&m->disks[i]->known);
		free(m->disks[i]);
	}
	free(m->disks);
	for (size_t i = 0; i < m->nregions; i++) {
		if (m->regions[i].fd >= 0)
			close(m->regions[i].fd);
		free(m->regions[i].path);
	}
	free(m->regions);
}
