// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the repair (badblocks-repair.c, badblocks-resume.c,
 * badblocks-intent.c): intent records (written, read back, torn or
 * corrupted ones refused), the quarantine directory's checks (a 0777
 * directory, a symlink, a FIFO, a file in its place), the argument checks
 * of daxpolicy_badblocks_repair(), and, as root on a loop-mounted ext4,
 * daxpolicy_badblocks_repair() itself (in place; moved when the device
 * still fails to read) and daxpolicy_badblocks_finish() of a repair
 * interrupted after the punch, and of one whose block was written since.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"
#include "private.h"
#include "unit.h"

static char dir[64];
static int dirfd_ = -1;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/daxpolicy-repair.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dirfd_, 0);
}

static void teardown(void)
{
	char cmd[128];

	close(dirfd_);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sample(struct bb_intent *in, unsigned char *data)
{
	memset(in, 0, sizeof(*in));
	in->dev = 0x803;
	in->ino = 12;
	in->generation = 77;
	in->have_generation = true;
	in->handle_type = 1;
	in->handle_bytes = 8;
	memcpy(in->handle, "handle!!", 8);
	snprintf(in->path, sizeof(in->path), "db/wal");
	in->file_offset = 4096;
	in->length = 4096;
	in->block_size = 4096;
	in->old_sector = 16528;
	in->file_size = 65536;
	in->bad[0] = 1u << 3;
	for (int i = 0; i < 4096; i++)
		data[i] = (unsigned char)(i * 7);
	in->data = data;
}

START_TEST(intent_round_trip)
{
	static unsigned char data[4096];
	struct bb_intent in, out;
	char name[128];

	sample(&in, data);
	ck_assert_int_eq(bb_intent_write(dirfd_, &in, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "repair-12-4096.intent");
	ck_assert(bb_intent_is_record(name));
	ck_assert_int_eq(bb_intent_read(dirfd_, name, &out), 0);
	ck_assert_uint_eq(out.ino, 12);
	ck_assert_uint_eq(out.generation, 77);
	ck_assert_uint_eq(out.old_sector, 16528);
	ck_assert_uint_eq(out.bad[0], 1u << 3);
	ck_assert_str_eq(out.path, "db/wal");
	ck_assert_mem_eq(out.handle, "handle!!", 8);
	ck_assert_mem_eq(out.data, data, 4096);
	free(out.data);
	/* A second record of the same block is refused: the first must be
	 * finished before. */
	ck_assert_int_eq(bb_intent_write(dirfd_, &in, name, sizeof(name)), -EEXIST);
	ck_assert_int_eq(bb_intent_remove(dirfd_, name), 0);
	ck_assert_int_eq(faccessat(dirfd_, name, F_OK, 0), -1);
	ck_assert(!bb_intent_is_record("loop0-16528"));
	ck_assert(!bb_intent_is_record(".intent"));
}
END_TEST

START_TEST(intent_torn_or_corrupt)
{
	static unsigned char data[4096];
	struct bb_intent in, out;
	char name[128], path[256];
	struct stat st;
	int fd;

	sample(&in, data);
	ck_assert_int_eq(bb_intent_write(dirfd_, &in, name, sizeof(name)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* Torn: the last sector of the contents never reached the disk. */
	ck_assert_int_eq(truncate(path, st.st_size - 512), 0);
	ck_assert_int_eq(bb_intent_read(dirfd_, name, &out), -EBADMSG);
	ck_assert_ptr_null(out.data);
	ck_assert_int_eq(bb_intent_remove(dirfd_, name), 0);
	/* One byte of the contents changed: the checksum says so. */
	ck_assert_int_eq(bb_intent_write(dirfd_, &in, name, sizeof(name)), 0);
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "x", 1, st.st_size - 100), 1);
	close(fd);
	ck_assert_int_eq(bb_intent_read(dirfd_, name, &out), -EBADMSG);
	/* Not the caller's to trust: writable by others. */
	ck_assert_int_eq(bb_intent_remove(dirfd_, name), 0);
	ck_assert_int_eq(bb_intent_write(dirfd_, &in, name, sizeof(name)), 0);
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(bb_intent_read(dirfd_, name, &out), -EPERM);
}
END_TEST

START_TEST(qdir_checks)
{
	struct daxpolicy_ctx *ctx;
	char q[128];
	struct stat st;
	int fd;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	daxpolicy_set_log_priority(ctx, 0);
	ck_assert_int_eq(fstat(dirfd_, &st), 0);
	snprintf(q, sizeof(q), "%s/%s", dir, DAXPOLICY_QUARANTINE_DIR);

	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, false, &fd), -ENOENT);
	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), 0);
	close(fd);
	ck_assert_int_eq(stat(q, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	/* Open to others: refused, even though the caller owns it. */
	ck_assert_int_eq(chmod(q, 0777), 0);
	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), -EPERM);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(chmod(q, 0770), 0);
	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), -EPERM);
	ck_assert_int_eq(rmdir(q), 0);
	/* A symlink to a directory the caller owns: not followed. */
	ck_assert_int_eq(symlink(dir, q), 0);
	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), -EPERM);
	ck_assert_int_eq(unlink(q), 0);
	ck_assert_int_eq(mkfifo(q, 0600), 0);
	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), -EPERM);
	ck_assert_int_eq(unlink(q), 0);
	fd = open(q, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), -EPERM);
	ck_assert_int_eq(unlink(q), 0);
	/* Owned by someone else (as root only: chown). */
	if (geteuid() == 0) {
		ck_assert_int_eq(mkdir(q, 0700), 0);
		ck_assert_int_eq(chown(q, 65534, 65534), 0);
		ck_assert_int_eq(bb_qdir_open(ctx, dirfd_, st.st_dev, true, &fd), -EPERM);
	}
	daxpolicy_unref(ctx);
}
END_TEST

START_TEST(repair_arguments)
{
	struct daxpolicy_sector_range one = { 1, 1 };
	struct daxpolicy_repair *r = (void *)1;
	struct daxpolicy_ctx *ctx;

	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	ck_assert_int_eq(daxpolicy_badblocks_repair(NULL, "/x", 0, 1, NULL, 0, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, NULL, 0, 1, NULL, 0, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, "/x", 0, 0, NULL, 0, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, "/x", UINT64_MAX, 2, NULL, 0, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, "/x", 0, 1, NULL, 1, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_repair_flags(ctx, "/x", 0, 1, &one, 1, 0x100, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_finish(ctx, "/x", 0x100, &r), -EINVAL);
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, "/nonexistent/x", 0, 1, &one, 1, &r), -ENOENT);
	ck_assert_ptr_null(r);
	daxpolicy_unref(ctx);
}
END_TEST

/* ---- as root: a loop-mounted ext4 ---- */

static char img[128], mnt[128], loopdev[32];
static int loopfd = -1;
static bool mounted;

static void loop_setup(void)
{
	char cmd[512];
	int ctl, n, fd;

	setup();
	if (geteuid() != 0 || access("/dev/loop-control", F_OK) < 0)
		return;
	/* The mount lives in a mount namespace of the test's own (where one
	 * can be made) and the loop device clears itself once nothing holds
	 * it: a test killed midway leaves neither behind. */
	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(cmd, sizeof(cmd), "truncate -s 32M '%s' && mkfs.ext4 -q -F -b 4096 '%s' 2>/dev/null", img, img);
	if (system(cmd) != 0)
		return;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	n = ctl < 0 ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (ctl >= 0)
		close(ctl);
	if (n < 0)
		return;
	snprintf(loopdev, sizeof(loopdev), "/dev/loop%d", n);
	loopfd = open(loopdev, O_RDWR | O_CLOEXEC);
	fd = open(img, O_RDWR | O_CLOEXEC);
	if (loopfd < 0 || fd < 0 || ioctl(loopfd, LOOP_SET_FD, fd) < 0 ||
	    ioctl(loopfd, LOOP_SET_STATUS64, &(struct loop_info64){ .lo_flags = LO_FLAGS_AUTOCLEAR }) < 0) {
		if (loopfd >= 0)
			ioctl(loopfd, LOOP_CLR_FD, 0);
		if (fd >= 0)
			close(fd);
		if (loopfd >= 0)
			close(loopfd);
		loopfd = -1;
		return;
	}
	close(fd);
	mkdir(mnt, 0755);
	mounted = mount(loopdev, mnt, "ext4", 0, NULL) == 0;
}

static void loop_teardown(void)
{
	if (mounted)
		umount(mnt);
	mounted = false;
	if (loopfd >= 0) {
		ioctl(loopfd, LOOP_CLR_FD, 0);
		close(loopfd);
		loopfd = -1;
	}
	teardown();
}

/* The disk sector of byte @off of @path. */
static uint64_t sector_of(const char *path, uint64_t off)
{
	union {
		struct fiemap fm;
		char buf[sizeof(struct fiemap) + sizeof(struct fiemap_extent)];
	} u;
	int fd = open(path, O_RDONLY);

	memset(&u, 0, sizeof(u));
	u.fm.fm_start = off;
	u.fm.fm_length = 1;
	u.fm.fm_flags = FIEMAP_FLAG_SYNC;
	u.fm.fm_extent_count = 1;
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ioctl(fd, FS_IOC_FIEMAP, &u.fm), 0);
	close(fd);
	if (u.fm.fm_mapped_extents == 0 || u.fm.fm_extents[0].fe_logical > off)
		return 0;
	return (u.fm.fm_extents[0].fe_physical + off - u.fm.fm_extents[0].fe_logical) / 512;
}

static unsigned char orig[65536];

/* A 64 KiB file of known bytes; returns its path. */
static const char *make_file(char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/a", mnt);
	for (size_t i = 0; i < sizeof(orig); i++)
		orig[i] = (unsigned char)(i * 31 + i / 4096);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, orig, sizeof(orig)), (ssize_t)sizeof(orig));
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
	return path;
}

static void check_contents(const char *path)
{
	static unsigned char now[65536], want[65536];
	int fd = open(path, O_RDONLY);

	memcpy(want, orig, sizeof(want));
	memset(want + 5632, 0, 512);   /* the bad sector */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, now, sizeof(now)), (ssize_t)sizeof(now));
	close(fd);
	ck_assert_mem_eq(now, want, sizeof(want));
}

START_TEST(repair_on_loop)
{
	struct daxpolicy_sector_range bad;
	struct daxpolicy_repair *r;
	struct daxpolicy_ctx *ctx;
	char path[256];
	uint64_t pa;

	if (!mounted) {
		printf("SKIP: test-repair/repair_on_loop: needs root and a loop device\n");
		return;
	}
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	make_file(path, sizeof(path));
	pa = sector_of(path, 0);
	bad = (struct daxpolicy_sector_range){ pa + 11, 1 };
	/* The loop device takes the write: cleared in place. */
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, path, 5632, 512, &bad, 1, &r), 0);
	ck_assert_uint_eq(r->block_count, 1);
	ck_assert(r->blocks[0].cleared);
	ck_assert_uint_eq(r->blocks[0].new_sector, pa + 8);
	daxpolicy_repair_free(r);
	check_contents(path);

	/* The sector still fails to read after the write: moved, never
	 * "cleared" (the verification decides). */
	make_file(path, sizeof(path));
	pa = sector_of(path, 0);
	bad = (struct daxpolicy_sector_range){ pa + 11, 1 };
	setenv("DAXPOLICY_TEST_STILL_BAD", "1", 1);
	ck_assert_int_eq(daxpolicy_badblocks_repair(ctx, path, 5632, 512, &bad, 1, &r), 0);
	unsetenv("DAXPOLICY_TEST_STILL_BAD");
	ck_assert(!r->blocks[0].cleared);
	ck_assert_uint_ne(r->blocks[0].new_sector, pa + 8);
	ck_assert_uint_eq(sector_of(path, 4096), r->blocks[0].new_sector);
	daxpolicy_repair_free(r);
	check_contents(path);
	daxpolicy_unref(ctx);
}
END_TEST

/* A repair interrupted after the punch: the file reads zeros there, the
 * record holds the block. */
static void interrupt_after_punch(const char *path, char *record, size_t size)
{
	static unsigned char block[4096];
	struct {
		struct file_handle fh;
		unsigned char buf[BB_INTENT_MAX_HANDLE];
	} h;
	struct bb_intent in;
	struct stat st;
	char q[256];
	int fd, qfd, mnt_id, gen = 0;

	fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	memset(&in, 0, sizeof(in));
	in.dev = st.st_dev;
	in.ino = st.st_ino;
	in.have_generation = ioctl(fd, FS_IOC_GETVERSION, &gen) == 0;
	in.generation = (uint32_t)gen;
	h.fh.handle_bytes = BB_INTENT_MAX_HANDLE;
	ck_assert_int_eq(name_to_handle_at(fd, "", &h.fh, &mnt_id, AT_EMPTY_PATH), 0);
	in.handle_type = (uint32_t)h.fh.handle_type;
	in.handle_bytes = h.fh.handle_bytes;
	memcpy(in.handle, h.fh.f_handle, h.fh.handle_bytes);
	snprintf(in.path, sizeof(in.path), "a");
	in.file_offset = 4096;
	in.length = 4096;
	in.block_size = 4096;
	in.old_sector = sector_of(path, 4096);
	in.file_size = 65536;
	in.bad[0] = 1u << 3;
	memcpy(block, orig + 4096, 4096);
	memset(block + 1536, 0, 512);
	in.data = block;
	snprintf(q, sizeof(q), "%s/%s", mnt, DAXPOLICY_QUARANTINE_DIR);
	mkdir(q, 0700);
	qfd = open(q, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(qfd, 0);
	ck_assert_int_eq(bb_intent_write(qfd, &in, record, size), 0);
	close(qfd);
	ck_assert_int_eq(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096), 0);
	close(fd);
}

START_TEST(finish_on_loop)
{
	struct daxpolicy_badblocks *bb;
	struct daxpolicy_repair *r;
	struct daxpolicy_ctx *ctx;
	char path[256], record[128], rpath[512];
	struct daxpolicy_reason *reason;
	int fd;

	if (!mounted) {
		printf("SKIP: test-repair/finish_on_loop: needs root and a loop device\n");
		return;
	}
	ck_assert_int_eq(daxpolicy_new(&ctx), 0);
	daxpolicy_set_log_priority(ctx, 0);
	make_file(path, sizeof(path));
	interrupt_after_punch(path, record, sizeof(record));
	snprintf(rpath, sizeof(rpath), "%s/%s/%s", mnt, DAXPOLICY_QUARANTINE_DIR, record);

	/* The scan reports it, naming the file and the command. */
	ck_assert_int_eq(daxpolicy_badblocks_scan(ctx, mnt, (struct daxpolicy_sector_range[]){ { 1, 1 } }, 1, &bb), 0);
	reason = daxpolicy_badblocks_get_first_reason(bb);
	ck_assert_ptr_nonnull(reason);
	ck_assert_str_eq(daxpolicy_reason_get_code(reason), "repair_interrupted");
	ck_assert_ptr_nonnull(strstr(daxpolicy_reason_get_message(reason), "/a (inode"));
	ck_assert_ptr_nonnull(strstr(daxpolicy_reason_get_message(reason), "dax-admin badblocks --finish"));
	daxpolicy_badblocks_free(bb);

	/* Finished: the saved contents are back, the record is gone. */
	ck_assert_int_eq(daxpolicy_badblocks_finish(ctx, mnt, 0, &r), 0);
	ck_assert_uint_eq(r->block_count, 1);
	ck_assert(r->blocks[0].resumed);
	ck_assert_uint_eq(r->zeroed_count, 1);
	ck_assert_uint_eq(r->zeroed[0].offset, 5632);
	daxpolicy_repair_free(r);
	check_contents(path);
	ck_assert_int_eq(access(rpath, F_OK), -1);
	ck_assert_int_eq(daxpolicy_badblocks_finish(ctx, mnt, 0, &r), 0);
	ck_assert_uint_eq(r->block_count, 0);
	daxpolicy_repair_free(r);

	/* Written by someone since the crash: not overwritten, the record
	 * stays. */
	make_file(path, sizeof(path));
	interrupt_after_punch(path, record, sizeof(record));
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "new data", 8, 4096 + 100), 8);
	close(fd);
	ck_assert_int_eq(daxpolicy_badblocks_finish(ctx, mnt, 0, &r), -EBUSY);
	ck_assert_int_eq(access(rpath, F_OK), 0);
	/* The file held open elsewhere: no lease, refused. */
	unlink(rpath);
	make_file(path, sizeof(path));
	interrupt_after_punch(path, record, sizeof(record));
	fd = open(path, O_RDONLY);
	ck_assert_int_eq(daxpolicy_badblocks_finish(ctx, mnt, 0, &r), -EBUSY);
	ck_assert_int_eq(access(rpath, F_OK), 0);
	/* With DAXPOLICY_REPAIR_FORCE it is finished. */
	ck_assert_int_eq(daxpolicy_badblocks_finish(ctx, mnt, DAXPOLICY_REPAIR_FORCE, &r), 0);
	close(fd);
	daxpolicy_repair_free(r);
	check_contents(path);
	daxpolicy_unref(ctx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("repair");
	TCase *tc = tcase_create("records");
	TCase *tl = tcase_create("loop");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, intent_round_trip);
	tcase_add_test(tc, intent_torn_or_corrupt);
	tcase_add_test(tc, qdir_checks);
	tcase_add_test(tc, repair_arguments);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tl, loop_setup, loop_teardown);
	tcase_set_timeout(tl, 60);
	tcase_add_test(tl, repair_on_loop);
	tcase_add_test(tl, finish_on_loop);
	suite_add_tcase(s, tl);
	return run_suite(s);
}
