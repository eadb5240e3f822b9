// SPDX-License-Identifier: GPL-2.0-or-later
/* Which processes hold a file open or mapped, from /proc/PID/fd and maps,
 * and their command names (/proc/PID/comm). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "holders.h"

static bool holds_by_fd(const char *pid, dev_t dev, ino_t ino)
{
	char path[300];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, 0) == 0)
			found = st.st_dev == dev && st.st_ino == ino;
	}
	closedir(dir);
	return found;
}

/* maps lines: "start-end perms offset MAJ:MIN inode path". */
static bool holds_by_map(const char *pid, dev_t dev, ino_t ino)
{
	char path[300], line[PATH_MAX + 128];
	unsigned int maj, min;
	unsigned long long inode;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &inode) == 3)
			found = makedev(maj, min) == dev && inode == (unsigned long long)ino;
	}
	fclose(f);
	return found;
}

struct json_object *holders_of(dev_t dev, ino_t ino)
{
	struct json_object *pids = json_object_new_array();
	struct dirent *de;
	DIR *proc = opendir("/proc");

	if (!proc)
		return pids;
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (holds_by_fd(de->d_name, dev, ino) || holds_by_map(de->d_name, dev, ino))
			json_object_array_add(pids, json_object_new_int(atoi(de->d_name)));
	}
	closedir(proc);
	return pids;
}

/* "pid 123 (writer), pid 456 (db)" into @buf: the processes other than
 * this one that hold the inode; the number of them. */
int holders_describe(dev_t dev, ino_t ino, char *buf, size_t size)
{
	struct json_object *pids = holders_of(dev, ino);
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(pids); i++) {
		int pid = json_object_get_int(json_object_array_get_idx(pids, i));
		char path[64], comm[64] = "?";
		FILE *f;

		if (pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		if (used < size)
			used += (size_t)snprintf(buf + used, size - used, "%spid %d (%s)", n ? ", " : "", pid, comm);
		n++;
	}
	json_object_put(pids);
	return n;
}
