/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * daxtest: small probes of kernel DAX behaviour, used by the VM test tier.
 *
 * Each subcommand prints one short machine-readable answer on stdout and
 * exits 0 for "yes"/success, 1 for "no", 2 for an error (message on stderr).
 * It deliberately uses nothing but libc and kernel headers, so that what it
 * reports is the kernel's answer and not the project's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
/* Kernels 5.8 up to the December 2020 stable fix reported DAX as 0x2000,
 * which is STATX_ATTR_MOUNT_ROOT on every later kernel. */
#define STATX_ATTR_DAX_OLD 0x00002000
#ifndef FS_XFLAG_DAX
#define FS_XFLAG_DAX 0x00008000
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

enum { EXIT_YES = 0, EXIT_NO = 1, EXIT_ERR = 2 };

static const char *prog = "daxtest";

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

/* Parse "4096", "8K", "2M", "1G" (binary units). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		return -1;
	}
	if (*end && end[1] != '\0')
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* The pattern written by "create" and checked by "verify": every 8-byte
 * word holds its own file offset mixed with a constant, so a block that
 * reads back as zeros, or from the wrong place, is noticed. */
static uint64_t pattern_word(uint64_t off)
{
	return off ^ UINT64_C(0x5a17da5a5a17da5a) ^ (off << 29);
}

static void fill_pattern(unsigned char *buf, size_t len, uint64_t off)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t o = off + i;
		uint64_t w = pattern_word(o & ~UINT64_C(7));

		buf[i] = (unsigned char)(w >> (8 * (o & 7)));
	}
}

static int print_statx_dax(int dirfd, const char *path, int flags)
{
	struct statx stx;

	if (statx(dirfd, path, flags, STATX_BASIC_STATS, &stx) < 0)
		return fail("statx %s: %s", *path ? path : "(fd)",
			    strerror(errno));
	if (stx.stx_attributes_mask & STATX_ATTR_DAX) {
		int dax = !!(stx.stx_attributes & STATX_ATTR_DAX);

		printf("dax=%d\n", dax);
		return dax ? EXIT_YES : EXIT_NO;
	}
	printf("dax=unknown\n");
	if (stx.stx_attributes_mask & STATX_ATTR_DAX_OLD)
		return fail("kernel reports attribute 0x2000 but not 0x200000: "
			    "0x2000 meant DAX only on 5.8-era kernels before "
			    "the December 2020 fix (it is MOUNT_ROOT since), "
			    "so the DAX state cannot be trusted");
	return fail("kernel does not report STATX_ATTR_DAX in "
		    "stx_attributes_mask (needs Linux 5.8 or later)");
}

static int cmd_statx_dax(int argc, char **argv)
{
	if (argc != 1)
		return fail("usage: statx-dax PATH");
	return print_statx_dax(AT_FDCWD, argv[0], AT_SYMLINK_NOFOLLOW);
}

/* Return 1 if the VmFlags line of the smaps entry that starts at addr
 * contains "sf", 0 if not, -1 if the mapping was not found. */
static int smaps_has_sf(void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[1024];
	int in_map = 0;
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char perms[5];

		/* Header lines look like "7f00-7f10 rw-s 0000 fe:00 12 /f". */
		if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) == 3) {
			in_map = (start == (unsigned long)addr);
			continue;
		}
		if (in_map && strncmp(line, "VmFlags:", 8) == 0) {
			char *tok, *save = NULL;

			ret = 0;
			for (tok = strtok_r(line + 8, " \n", &save); tok;
			     tok = strtok_r(NULL, " \n", &save))
				if (strcmp(tok, "sf") == 0)
					ret = 1;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int cmd_mapsync(int argc, char **argv)
{
	struct stat st;
	uint64_t len = 0;
	void *addr;
	int fd, sf;
	volatile unsigned char *p;
	unsigned char v;

	if (argc < 1 || argc > 2)
		return fail("usage: mapsync PATH [LEN]");
	if (argc == 2 && (parse_size(argv[1], &len) || len == 0))
		return fail("bad length '%s'", argv[1]);
	fd = open(argv[0], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open %s: %s", argv[0], strerror(errno));
	if (fstat(fd, &st) < 0)
		return fail("fstat %s: %s", argv[0], strerror(errno));
	if (!len)
		len = st.st_size ? (uint64_t)st.st_size
				 : (uint64_t)sysconf(_SC_PAGESIZE);
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
	if (addr == MAP_FAILED) {
		printf("map_sync=0 errno=%d\n", errno);
		close(fd);
		return EXIT_NO;
	}
	/* Take a write fault through the synchronous path when the file has
	 * data there; the byte is written back unchanged. */
	if (st.st_size > 0) {
		p = addr;
		v = p[0];
		p[0] = v;
	}
	sf = smaps_has_sf(addr);
	munmap(addr, len);
	close(fd);
	if (sf < 0)
		return fail("mapping at %p not found in /proc/self/smaps", addr);
	printf("map_sync=1 sf=%d\n", sf);
	return sf ? EXIT_YES : EXIT_NO;
}

static int get_xflags(int fd, const char *path, struct fsxattr *fa)
{
	if (ioctl(fd, FS_IOC_FSGETXATTR, fa) < 0)
		return fail("FS_IOC_FSGETXATTR %s: %s", path, strerror(errno));
	return 0;
}

static int cmd_flag(int argc, char **argv, int op)
{
	struct fsxattr fa;
	int fd, dax;

	if (argc != 1)
		return fail("usage: getflag|setflag|clearflag PATH");
	fd = open(argv[0], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fail("open %s: %s", argv[0], strerror(errno));
	if (get_xflags(fd, argv[0], &fa))
		return EXIT_ERR;
	if (op) {
		if (op > 0)
			fa.fsx_xflags |= FS_XFLAG_DAX;
		else
			fa.fsx_xflags &= ~FS_XFLAG_DAX;
		if (ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0)
			return fail("FS_IOC_FSSETXATTR %s: %s", argv[0],
				    strerror(errno));
		if (get_xflags(fd, argv[0], &fa))
			return EXIT_ERR;
	}
	close(fd);
	dax = !!(fa.fsx_xflags & FS_XFLAG_DAX);
	printf("xflag_dax=%d\n", dax);
	if (op)
		return dax == (op > 0) ? EXIT_YES : EXIT_ERR;
	return dax ? EXIT_YES : EXIT_NO;
}

static int cmd_create(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	uint64_t size, off = 0;
	int fd;

	if (argc != 2)
		return fail("usage: create PATH SIZE");
	if (parse_size(argv[1], &size))
		return fail("bad size '%s'", argv[1]);
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("create %s: %s", argv[0], strerror(errno));
	while (off < size) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);
		ssize_t w;

		fill_pattern(buf, n, off);
		w = pwrite(fd, buf, n, off);
		if (w < 0)
			return fail("write %s at %" PRIu64 ": %s", argv[0], off,
				    strerror(errno));
		off += (uint64_t)w;
	}
	if (fsync(fd) < 0)
		return fail("fsync %s: %s", argv[0], strerror(errno));
	if (close(fd) < 0)
		return fail("close %s: %s", argv[0], strerror(errno));
	printf("created=%" PRIu64 "\n", size);
	return EXIT_YES;
}

static int cmd_verify(int argc, char **argv)
{
	static unsigned char buf[1 << 16], want[1 << 16];
	uint64_t off = 0;
	int fd;

	if (argc != 1)
		return fail("usage: verify PATH");
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open %s: %s", argv[0], strerror(errno));
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);
		ssize_t i;

		if (n < 0) {
			printf("verify=error offset=%" PRIu64 " errno=%d\n",
			       off, errno);
			return EXIT_NO;
		}
		if (n == 0)
			break;
		fill_pattern(want, (size_t)n, off);
		for (i = 0; i < n; i++)
			if (buf[i] != want[i]) {
				printf("verify=bad offset=%" PRIu64 "\n",
				       off + (uint64_t)i);
				return EXIT_NO;
			}
		off += (uint64_t)n;
	}
	close(fd);
	printf("verify=ok size=%" PRIu64 "\n", off);
	return EXIT_YES;
}

/* What a new file in DIR gets: an unnamed O_TMPFILE inherits the
 * directory's flag, so this probes without leaving anything behind. */
static int cmd_tmpfile(int argc, char **argv)
{
	struct fsxattr fa;
	int fd, ret;

	if (argc != 1)
		return fail("usage: tmpfile DIR");
	fd = open(argv[0], O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("O_TMPFILE in %s: %s", argv[0], strerror(errno));
	if (get_xflags(fd, argv[0], &fa))
		return EXIT_ERR;
	printf("xflag_dax=%d ", !!(fa.fsx_xflags & FS_XFLAG_DAX));
	ret = print_statx_dax(fd, "", AT_EMPTY_PATH);
	close(fd);
	return ret;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_hold(int argc, char **argv)
{
	struct sigaction sa;
	uint64_t secs;
	int fd;

	if (argc != 2 || parse_size(argv[1], &secs))
		return fail("usage: hold PATH SECONDS");
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open %s: %s", argv[0], strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("held pid=%ld\n", (long)getpid());
	fflush(stdout);
	while (!stop && secs--)
		sleep(1);
	close(fd);
	return EXIT_YES;
}

/* Append 64-byte records "record NNNNNNNNNN" to PATH, each fsynced before
 * the next, until SIGTERM (or SECONDS); then print how many were fsynced.
 * A test checks that every one of them is still in the file. */
static int cmd_append(int argc, char **argv)
{
	struct sigaction sa;
	char rec[64];
	uint64_t secs;
	time_t end;
	unsigned int n = 0;
	int fd;

	if (argc != 2 || parse_size(argv[1], &secs))
		return fail("usage: append PATH SECONDS");
	fd = open(argv[0], O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return fail("open %s: %s", argv[0], strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("writing pid=%ld\n", (long)getpid());
	fflush(stdout);
	end = time(NULL) + (time_t)secs;
	while (!stop && time(NULL) < end) {
		memset(rec, ' ', sizeof(rec));
		snprintf(rec, sizeof(rec), "record %010u", n);
		rec[17] = ' ';
		rec[63] = '\n';
		if (write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec) || fsync(fd) < 0)
			return fail("record %u: %s", n, strerror(errno));
		n++;
	}
	close(fd);
	printf("appended %u\n", n);
	return EXIT_YES;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/* Write an MBR with one Linux partition (type 0x83) starting at START
 * bytes and SIZE bytes long (0: to the end of the disk), then ask the
 * kernel to re-read the table. */
static int cmd_mkpart(int argc, char **argv)
{
	unsigned char mbr[512];
	unsigned char *e = mbr + 446;
	uint64_t start, size, disk;
	int fd;

	if (argc != 3 || parse_size(argv[1], &start) ||
	    parse_size(argv[2], &size))
		return fail("usage: mkpart DEVICE START SIZE");
	fd = open(argv[0], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open %s: %s", argv[0], strerror(errno));
	if (ioctl(fd, BLKGETSIZE64, &disk) < 0)
		return fail("BLKGETSIZE64 %s: %s", argv[0], strerror(errno));
	if (start % 512 || size % 512 || start < 512 || start >= disk)
		return fail("start/size must be 512-byte multiples inside the disk");
	if (!size)
		size = disk - start;
	if (start + size > disk || (start + size) / 512 > UINT32_MAX)
		return fail("partition does not fit an MBR on %s", argv[0]);
	memset(mbr, 0, sizeof(mbr));
	e[0] = 0x00;		/* not bootable */
	e[1] = 0xfe; e[2] = 0xff; e[3] = 0xff;	/* CHS: use LBA */
	e[4] = 0x83;
	e[5] = 0xfe; e[6] = 0xff; e[7] = 0xff;
	put_le32(e + 8, (uint32_t)(start / 512));
	put_le32(e + 12, (uint32_t)(size / 512));
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	if (pwrite(fd, mbr, sizeof(mbr), 0) != (ssize_t)sizeof(mbr))
		return fail("write MBR to %s: %s", argv[0], strerror(errno));
	if (fsync(fd) < 0)
		return fail("fsync %s: %s", argv[0], strerror(errno));
	if (ioctl(fd, BLKRRPART) < 0)
		return fail("BLKRRPART %s: %s", argv[0], strerror(errno));
	close(fd);
	printf("start_sector=%" PRIu64 " sectors=%" PRIu64 "\n", start / 512,
	       size / 512);
	return EXIT_YES;
}

/* One line per PATH: its FS_XFLAG_DAX and its policy record (the bytes of
 * user.daxpolicy, "-" when it has none), so that one process shows a whole
 * tree's state. Symbolic links are not followed. */
static int cmd_state(int argc, char **argv)
{
	int ret = EXIT_YES;

	for (int i = 0; i < argc; i++) {
		struct fsxattr fa;
		char rec[256];
		ssize_t n;
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

		if (fd < 0) {
			printf("%s open:%d\n", argv[i], errno);
			ret = EXIT_ERR;
			continue;
		}
		if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0) {
			printf("%s getflag:%d", argv[i], errno);
			ret = EXIT_ERR;
		} else {
			printf("%s xflag_dax=%d", argv[i], !!(fa.fsx_xflags & FS_XFLAG_DAX));
		}
		n = fgetxattr(fd, "user.daxpolicy", rec, sizeof(rec) - 1);
		if (n >= 0) {
			rec[n] = '\0';
			printf(" record=%s\n", rec);
		} else {
			printf(" record=%s\n", errno == ENODATA || errno == ENOTSUP ? "-" : strerror(errno));
		}
		close(fd);
	}
	return ret;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: %s COMMAND ARGS\n"
		"  statx-dax PATH          effective DAX state (STATX_ATTR_DAX)\n"
		"  mapsync PATH [LEN]      try a MAP_SHARED_VALIDATE|MAP_SYNC mapping\n"
		"  getflag PATH            FS_XFLAG_DAX of a file or directory\n"
		"  setflag PATH            set FS_XFLAG_DAX\n"
		"  clearflag PATH          clear FS_XFLAG_DAX\n"
		"  state PATH...           FS_XFLAG_DAX and policy record of each PATH\n"
		"  create PATH SIZE        write SIZE bytes of a known pattern, fsync\n"
		"  verify PATH             check the pattern written by create\n"
		"  tmpfile DIR             flag and DAX state of a new O_TMPFILE in DIR\n"
		"  hold PATH SECONDS       keep PATH open\n"
		"  append PATH SECONDS     append fsynced 64-byte records until SIGTERM\n"
		"  mkpart DEVICE START SIZE  one-partition MBR (bytes; SIZE 0 = rest)\n",
		prog);
	return EXIT_ERR;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int ret;

	if (argc < 2)
		return usage();
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd, "statx-dax"))
		ret = cmd_statx_dax(argc, argv);
	else if (!strcmp(cmd, "mapsync"))
		ret = cmd_mapsync(argc, argv);
	else if (!strcmp(cmd, "getflag"))
		ret = cmd_flag(argc, argv, 0);
	else if (!strcmp(cmd, "setflag"))
		ret = cmd_flag(argc, argv, 1);
	else if (!strcmp(cmd, "clearflag"))
		ret = cmd_flag(argc, argv, -1);
	else if (!strcmp(cmd, "state"))
		ret = cmd_state(argc, argv);
	else if (!strcmp(cmd, "create"))
		ret = cmd_create(argc, argv);
	else if (!strcmp(cmd, "verify"))
		ret = cmd_verify(argc, argv);
	else if (!strcmp(cmd, "tmpfile"))
		ret = cmd_tmpfile(argc, argv);
	else if (!strcmp(cmd, "hold"))
		ret = cmd_hold(argc, argv);
	else if (!strcmp(cmd, "append"))
		ret = cmd_append(argc, argv);
	else if (!strcmp(cmd, "mkpart"))
		ret = cmd_mkpart(argc, argv);
	else if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage();
		return EXIT_YES;
	} else
		return usage();
	if (fflush(stdout) != 0 || ferror(stdout))
		return fail("writing stdout failed");
	return ret;
}
