// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The file behind a mapping, asked of the kernel when it is needed rather
 * than remembered when the mapping is made (see map-registry.c): its name
 * from /proc/self/map_files (one VMA, found in O(log n) by the kernel) or,
 * failing that, from /proc/self/maps; the file opened again by that name,
 * checked to be the inode the kernel maps. Async-signal-safe throughout:
 * open, read, readlink, fstat and close, plain loops, no stdio, no
 * allocation -- daxpolicy_sigbus_lookup() runs this in a SIGBUS handler.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "map-registry.h"
#include "sigsafe-str.h"

int dp_vma_name(uintptr_t start, uintptr_t end, char *path, size_t size)
{
	char link[64];
	size_t len = 0;
	ssize_t n;

	if (!dp_sig_append(link, sizeof(link), &len, "/proc/self/map_files/") ||
	    !dp_sig_append_num(link, sizeof(link), &len, start, 16) ||
	    !dp_sig_append(link, sizeof(link), &len, "-") ||
	    !dp_sig_append_num(link, sizeof(link), &len, end, 16))
		return -ENAMETOOLONG;
	n = readlink(link, path, size - 1);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	return 0;
}

/* One line of /proc/self/maps being read:
 *   START-END PERMS OFFSET MAJOR:MINOR INODE   PATH */
struct maps_line {
	uint64_t v[7];             /* start end - offset major minor inode */
	int field;                 /* 0..6, 7: the path */
	size_t plen;
};

int dp_vma_by_maps(uintptr_t addr, char *path, size_t size, uint64_t *dev, uint64_t *ino,
		   uint64_t *offset)
{
	struct maps_line l = { .field = 0 };
	char buf[512];
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), rc = -ENOENT;

	if (fd < 0)
		return -errno;
	while (rc == -ENOENT && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			bool here = l.field >= 2 && addr >= l.v[0] && addr < l.v[1];

			if (c == '\n') {
				if (here && l.field >= 6 && l.v[6] != 0 && l.plen) {
					path[l.plen] = '\0';
					*dev = makedev(l.v[4], l.v[5]);
					*ino = l.v[6];
					*offset = l.v[3] + (addr - l.v[0]);
					rc = 0;
					break;
				}
				l = (struct maps_line){ .field = 0 };
			} else if (l.field == 7) {
				if (here && (l.plen || c != ' ') && l.plen + 1 < size)
					path[l.plen++] = c;
			} else if ((l.field == 0 && c == '-') || (l.field == 4 && c == ':') || c == ' ') {
				l.field++;
			} else if (l.field != 2) {
				unsigned int d = c >= '0' && c <= '9' ? (unsigned int)(c - '0') :
						 c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10) : 0;

				l.v[l.field] = l.v[l.field] * (l.field == 6 ? 10 : 16) + d;
			}
		}
	}
	if (n < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int dp_vma_open(const char *path, uint64_t *dev, uint64_t *ino, int flags)
{
	char proc[32];
	size_t len = 0;
	struct stat st;
	int pfd, fd, rc;

	/* Which inode the name leads to now, without opening it for I/O
	 * (it may have become a FIFO or a device node)... */
	pfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) < 0) {
		rc = -errno;
		close(pfd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || ((*dev || *ino) && ((uint64_t)st.st_dev != *dev ||
							 (uint64_t)st.st_ino != *ino))) {
		close(pfd);
		return -ESTALE;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	/* ... then that very inode, through /proc/self/fd/N. */
	dp_sig_append(proc, sizeof(proc), &len, "/proc/self/fd/");
	dp_sig_append_num(proc, sizeof(proc), &len, (uint64_t)pfd, 10);
	fd = open(proc, flags | O_CLOEXEC | O_NOCTTY);
	rc = fd < 0 ? -errno : fd;
	close(pfd);
	return rc;
}
