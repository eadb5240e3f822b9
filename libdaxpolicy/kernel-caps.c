// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the running kernel can do for DAX users: gathering. Each probe asks
 * the kernel and keeps its raw answer (an errno, a mask, what sysfs holds)
 * in struct dp_kernel_facts; kernel-caps-judge.c turns the answers into
 * verdicts. Nothing here is changed on the system: the only file made is
 * an unnamed temporary one, gone when closed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fsmap.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel-abi.h"
#include "private.h"

#ifndef SYS_file_getattr
#define SYS_file_getattr 468      /* Linux 6.17, every architecture */
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#define DEBUGFS_MAGIC_NR 0x64626720

static int errno_of(long rc)
{
	return rc < 0 ? errno : 0;
}

/* MAP_SYNC on a file that cannot do it: a kernel that knows the flag
 * refuses with EOPNOTSUPP, one that does not know MAP_SHARED_VALIDATE with
 * EINVAL. A memfd is never DAX. */
static void probe_map_sync(struct dp_kernel_facts *f, int memfd)
{
	void *p;

	f->map_sync_errno = -1;
	if (memfd < 0)
		return;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC, memfd, 0);
	if (p == MAP_FAILED) {
		f->map_sync_errno = errno;
	} else {
		f->map_sync_errno = 0;
		munmap(p, 4096);
	}
}

static void probe_statx(struct dp_kernel_facts *f, int memfd)
{
	struct statx stx;

	f->statx_errno = -1;
	if (memfd >= 0) {
		f->statx_errno = errno_of(statx(memfd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
		if (!f->statx_errno)
			f->statx_attributes_mask = stx.stx_attributes_mask;
	}
	memset(&stx, 0, sizeof(stx));
	f->mnt_errno = errno_of(statx(AT_FDCWD, "/", 0, STATX_MNT_ID_UNIQUE | STATX_MNT_ID, &stx));
	if (!f->mnt_errno)
		f->mnt_mask = stx.stx_mask;
}

static void probe_config(struct daxpolicy_ctx *ctx, struct dp_kernel_facts *f)
{
	char path[PATH_MAX], line[256];
	FILE *fp;

	f->config_fs_dax = -1;
	if (dp_sys_path(ctx, path, sizeof(path), "/boot/config-%s", f->release) < 0)
		return;
	fp = fopen(path, "re");
	if (!fp)
		return;
	snprintf(f->config_path, sizeof(f->config_path), "/boot/config-%s", f->release);
	f->config_fs_dax = 0;
	while (fgets(line, sizeof(line), fp))
		if (strcmp(line, "CONFIG_FS_DAX=y\n") == 0)
			f->config_fs_dax = 1;
	fclose(fp);
}

static void probe_filesystems(struct daxpolicy_ctx *ctx, struct dp_kernel_facts *f)
{
	char path[PATH_MAX], line[128], name[64];
	FILE *fp;

	if (dp_sys_path(ctx, path, sizeof(path), "/proc/filesystems") < 0)
		return;
	fp = fopen(path, "re");
	if (!fp)
		return;
	f->fs_known = true;
	while (fgets(line, sizeof(line), fp)) {
		/* "nodev\tproc" or "\text4" */
		if (sscanf(line, "nodev %63s", name) != 1 && sscanf(line, "%63s", name) != 1)
			continue;
		if (strcmp(name, "ext4") == 0)
			f->fs_ext4 = true;
		else if (strcmp(name, "xfs") == 0)
			f->fs_xfs = true;
		else if (strcmp(name, "virtiofs") == 0)
			f->fs_virtiofs = true;
	}
	fclose(fp);
}

static const char *fs_name(long type, char *buf, size_t len)
{
	switch ((unsigned long)type) {
	case 0xEF53: return "ext4";
	case 0x58465342: return "xfs";
	case 0x01021994: return "tmpfs";
	case 0x9123683E: return "btrfs";
	case 0x794c7630: return "overlay";
	case 0xE0F5E1E2: return "erofs";
	case 0x65735546: return "fuse";
	}
	snprintf(buf, len, "0x%lx", (unsigned long)type);
	return buf;
}

static void probe_getfsmap(struct dp_kernel_facts *f, const char *dir)
{
	struct fsmap_head head;
	struct statfs sfs;
	char buf[24];
	int fd;

	snprintf(f->fsmap_dir, sizeof(f->fsmap_dir), "%s", dir);
	f->fsmap_errno = -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		f->fsmap_errno = errno;
		return;
	}
	if (fstatfs(fd, &sfs) == 0)
		snprintf(f->fsmap_fstype, sizeof(f->fsmap_fstype), "%s",
			 fs_name((long)sfs.f_type, buf, sizeof(buf)));
	/* Count only (fmh_count 0): nothing is copied back. */
	memset(&head, 0, sizeof(head));
	head.fmh_keys[1].fmr_device = ~0u;
	head.fmh_keys[1].fmr_flags = ~0u;
	head.fmh_keys[1].fmr_physical = ~0ull;
	head.fmh_keys[1].fmr_owner = ~0ull;
	head.fmh_keys[1].fmr_offset = ~0ull;
	f->fsmap_errno = errno_of(ioctl(fd, FS_IOC_GETFSMAP, &head));
	close(fd);
}

/* Entries of a sysfs folder whose names start with @prefix; with @attr,
 * only those that have that file. -1 when the folder is missing. */
static int count_entries(struct daxpolicy_ctx *ctx, const char *folder, const char *prefix,
			 const char *attr, unsigned int *count)
{
	char path[PATH_MAX], file[PATH_MAX];
	struct dirent *de;
	DIR *d;

	*count = 0;
	if (dp_sys_path(ctx, path, sizeof(path), "%s", folder) < 0)
		return -1;
	d = opendir(path);
	if (!d)
		return errno == EACCES || errno == EPERM ? -2 : -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (attr && (dp_snprintf(file, sizeof(file), "%s/%s/%s", path, de->d_name, attr) < 0 ||
			     access(file, F_OK) != 0))
			continue;
		(*count)++;
	}
	closedir(d);
	return 0;
}

static void probe_sysfs(struct daxpolicy_ctx *ctx, struct dp_kernel_facts *f)
{
	char path[PATH_MAX];
	struct statfs sfs;
	unsigned int n;
	int rc;

	f->dax_bus = count_entries(ctx, "/sys/bus/dax/devices", "dax", NULL, &f->dax_devices) == 0;
	f->cxl_bus = count_entries(ctx, "/sys/bus/cxl/devices", "mem", NULL, &f->cxl_memdevs) == 0;
	count_entries(ctx, "/sys/bus/cxl/devices", "mem", "trigger_poison_list", &f->cxl_poison_list);
	rc = count_entries(ctx, "/sys/kernel/debug/cxl", "mem", "inject_poison", &f->cxl_inject);
	if (rc == 0) {
		f->debugfs = 1;
	} else if (rc == -2) {
		f->debugfs = -1;
	} else if (dp_sys_path(ctx, path, sizeof(path), "/sys/kernel/debug") == 0 &&
		   statfs(path, &sfs) == 0 && (unsigned long)sfs.f_type == DEBUGFS_MAGIC_NR) {
		/* Mounted, but nothing for CXL in it. */
		f->debugfs = count_entries(ctx, "/sys/kernel/debug", "", NULL, &n) == -2 ? -1 : 1;
	} else {
		f->debugfs = 0;
	}
}

/* userfaultfd(2), and registering a DAX mapping with it when @dir is on a
 * DAX filesystem. */
static void probe_userfaultfd(struct dp_kernel_facts *f, const char *dir, bool dir_given)
{
	struct uffdio_register reg;
	struct uffdio_api api;
	struct statx stx;
	int ufd, fd;
	void *p;

	f->uffd_dax_errno = -1;
	ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (ufd < 0 && errno == EPERM)   /* vm.unprivileged_userfaultfd=0 */
		ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (ufd < 0) {
		f->uffd_errno = errno;
		snprintf(f->uffd_dax_why, sizeof(f->uffd_dax_why), "userfaultfd(2) failed");
		return;
	}
	f->uffd_errno = 0;
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	if (ioctl(ufd, UFFDIO_API, &api) < 0) {
		f->uffd_errno = errno;
		snprintf(f->uffd_dax_why, sizeof(f->uffd_dax_why), "UFFDIO_API failed");
		close(ufd);
		return;
	}
	if (!dir_given) {
		snprintf(f->uffd_dax_why, sizeof(f->uffd_dax_why),
			 "no directory on a DAX filesystem was given to make a DAX mapping in");
		close(ufd);
		return;
	}
	snprintf(f->uffd_dax_file, sizeof(f->uffd_dax_file), "%s", dir);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(f->uffd_dax_why, sizeof(f->uffd_dax_why),
			 "cannot make a temporary file in %s: %s", dir, strerror(errno));
		close(ufd);
		return;
	}
	if (ftruncate(fd, 4096) < 0 ||
	    statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) < 0 ||
	    !(stx.stx_attributes & STATX_ATTR_DAX)) {
		snprintf(f->uffd_dax_why, sizeof(f->uffd_dax_why),
			 "a new file in %s is not DAX", dir);
		goto out;
	}
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		snprintf(f->uffd_dax_why, sizeof(f->uffd_dax_why),
			 "cannot map a DAX file in %s: %s", dir, strerror(errno));
		goto out;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (unsigned long)p;
	reg.range.len = 4096;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	f->uffd_dax_errno = errno_of(ioctl(ufd, UFFDIO_REGISTER, &reg));
	munmap(p, 4096);
out:
	close(fd);
	close(ufd);
}

int dp_kernel_gather(struct daxpolicy_ctx *ctx, const char *dir, struct dp_kernel_facts *f)
{
	struct utsname uts;
	int memfd;

	memset(f, 0, sizeof(*f));
	if (uname(&uts) == 0) {
		snprintf(f->release, sizeof(f->release), "%s", uts.release);
		if (sscanf(uts.release, "%u.%u", &f->major, &f->minor) != 2)
			f->major = f->minor = 0;
	}
	memfd = (int)syscall(SYS_memfd_create, "daxpolicy-kernel-probe", 1U /* MFD_CLOEXEC */);
	if (memfd >= 0 && ftruncate(memfd, 4096) < 0) {
		close(memfd);
		memfd = -1;
	}
	if (memfd < 0)
		dbg(ctx, "memfd_create: %s", strerror(errno));
	probe_map_sync(f, memfd);
	probe_statx(f, memfd);
	if (memfd >= 0)
		close(memfd);
	f->getattr_errno = errno_of(syscall(SYS_file_getattr, -1, "", NULL, (size_t)0, 0U));
	probe_config(ctx, f);
	probe_filesystems(ctx, f);
	probe_getfsmap(f, dir ? dir : "/");
	probe_sysfs(ctx, f);
	probe_userfaultfd(f, dir ? dir : "/", dir != NULL);
	return 0;
}
