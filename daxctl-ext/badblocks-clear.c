// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dax-admin badblocks --clear FILE --offset N --length N --yes [--force]:
 * make the bad bytes of a range of one file readable again (as zeros), and
 * say what changed. dax-admin badblocks --finish PATH --yes: finish the
 * repairs on a filesystem that were interrupted.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include <daxpolicy/libdaxpolicy.h>

#include "badblocks-clear.h"
#include "builtin.h"
#include "holders.h"
#include "json.h"
#include "probe-paths.h"

/* The library's error messages during a repair, kept for the JSON result
 * of a failure (and printed as dax-admin prints them otherwise). */
static struct json_object *said;

static struct json_object *repair_to_json(const char *path, const struct daxpolicy_repair *r,
					  unsigned int flags)
{
	struct json_object *o = json_object_new_object(), *zeroed = json_object_new_array(),
			   *blocks = json_object_new_array();

	for (size_t i = 0; i < r->zeroed_count; i++) {
		struct json_object *z = json_object_new_object();

		json_object_object_add(z, "file_offset", json_offset(r->zeroed[i].offset, flags));
		json_object_object_add(z, "length", json_size(r->zeroed[i].length, flags));
		json_object_array_add(zeroed, z);
	}
	for (size_t i = 0; i < r->block_count; i++) {
		const struct daxpolicy_repair_block *b = &r->blocks[i];
		struct json_object *bo = json_object_new_object();

		json_object_object_add(bo, "file_offset", json_offset(b->file_offset, flags));
		json_object_object_add(bo, "length", json_size(b->length, flags));
		json_object_object_add(bo, "method", json_object_new_string(b->cleared ? "cleared" : "moved"));
		json_object_object_add(bo, "old_sector", json_object_new_uint64(b->old_sector));
		json_object_object_add(bo, "new_sector", json_object_new_uint64(b->new_sector));
		json_add_path(bo, "quarantine", b->quarantine[0] ? b->quarantine : NULL);
		json_object_object_add(bo, "resumed", json_object_new_boolean(b->resumed));
		json_object_array_add(blocks, bo);
	}
	json_add_path(o, "path", path);
	json_object_object_add(o, "zeroed", zeroed);
	json_object_object_add(o, "blocks", blocks);
	json_object_object_add(o, "verified", json_object_new_boolean(true));
	return o;
}

/* Print what a repair did and free it; the exit status. */
static int print_repair(const char *path, struct daxpolicy_repair *r, unsigned int flags)
{
	struct json_object *o = repair_to_json(path, r, flags);
	int rc;

	daxpolicy_repair_free(r);
	json_object_put(said);
	said = NULL;
	rc = json_print(stdout, o) < 0 ? EXIT_UNMET : EXIT_OK;
	json_object_put(o);
	return rc;
}

static void dp_why(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void dp_why(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}


static void log_keep(void *data, int priority, const char *file, int line, const char *fn,
		     const char *format, va_list args)
{
	char msg[1024];

	(void)data, (void)file, (void)line;
	vsnprintf(msg, sizeof(msg), format, args);
	fprintf(stderr, "dax-admin: libdaxpolicy: %s: %s\n", fn, msg);
	if (said && priority <= LOG_ERR)
		json_object_array_add(said, json_object_new_string(msg));
}

static void keep_messages(struct daxpolicy_ctx *ctx)
{
	said = json_object_new_array();
	daxpolicy_set_log_fn(ctx, log_keep, NULL);
}

/* A failed --clear or --finish: what is said on stderr, and as a JSON object
 * on stdout ({path, errno, error, code, details[, holders]}); frees the kept
 * messages. */
static void print_failure(const char *path, int err, const char *code, const char *why,
			  struct json_object *holders)
{
	struct json_object *o = json_failure(path, err, why);

	cmd_error_path("badblocks", path, "%s", why);
	json_object_object_add(o, "code", json_object_new_string(code));
	json_object_object_add(o, "details", said ? said : json_object_new_array());
	said = NULL;
	if (holders)
		json_object_object_add(o, "holders", holders);
	json_print(stdout, o);
	json_object_put(o);
}

static struct json_object *holders_json(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? holders_of(st.st_dev, st.st_ino) : NULL;
}

/* The exit status for a failed repair, after saying why. */
static int repair_failed(struct daxpolicy_ctx *ctx, const char *path, int rc)
{
	struct daxpolicy_report *refusal;
	char why[1024];

	/* A disk that keeps no list of bad sectors: the library's reason. */
	if (rc == -EOPNOTSUPP && (refusal = daxpolicy_get_refusal(ctx))) {
		struct daxpolicy_reason *reason = daxpolicy_report_get_first_reason(refusal);

		if (reason) {
			dp_why(why, sizeof(why), "%s (%s); %s", daxpolicy_reason_get_message(reason),
			       daxpolicy_reason_get_code(reason), daxpolicy_reason_get_hint(reason));
			print_failure(path, -rc, daxpolicy_reason_get_code(reason), why, NULL);
			daxpolicy_report_free(refusal);
			return EXIT_USAGE;
		}
		daxpolicy_report_free(refusal);
	}
	if (rc == -ETXTBSY) {
		char who[512] = "";
		struct stat st;

		if (stat(path, &st) == 0)
			holders_describe(st.st_dev, st.st_ino, who, sizeof(who));
		dp_why(why, sizeof(why), "refused with --force: open or mapped by %s, and a block must move "
		       "off the bad sector, which here frees the bad block for an instant: a writer could "
		       "be given it and lose its write (see above); that block is as it was; stop them "
		       "and repair again",
		       *who ? who : "another process");
		print_failure(path, -rc, "force_unsafe", why, holders_json(path));
		return EXIT_UNMET;
	}
	print_failure(path, -rc,
		rc == -ENODATA ? "nothing_to_clear" : rc == -EINVAL ? "range_invalid" :
		rc == -EIO ? "move_failed" : rc == -EBUSY ? "file_in_use" :
		rc == -EPERM ? "quarantine_dir_unsafe" : rc == -ENODEV ? "not_block_device" :
		rc == -ENOENT ? "not_found" : "failed",
		rc == -ENODATA ? "no bad sector lies in that range: nothing to clear" :
		rc == -EINVAL ? "not a regular file, or the range leaves out bad bytes of a block it touches" :
		rc == -EIO ? "the repair could not move the file off the bad sectors; "
			     "the range now reads as zeros" :
		rc == -EBUSY ? "stopped, so that no other process's write is lost (see above)" :
		rc == -EPERM ? "refused: the quarantine directory is not safe (see above)" :
		rc == -ENODEV ? "not on a block device (no media to have errors)" : strerror(-rc),
		rc == -EBUSY ? holders_json(path) : NULL);
	return rc == -ENODATA || rc == -EINVAL || rc == -ENOENT || rc == -ENODEV ? EXIT_USAGE : EXIT_UNMET;
}

int badblocks_clear(struct daxpolicy_ctx *ctx, const char *path, uint64_t offset, uint64_t length,
		    const struct daxpolicy_sector_range *list, size_t count, bool yes, bool force,
		    unsigned int flags)
{
	struct daxpolicy_repair *r;
	char who[512];
	struct stat st;
	int rc;

	if (!yes) {
		char why[256];

		dp_why(why, sizeof(why), "--clear changes this file: its bad bytes in %" PRIu64 "+%" PRIu64
		       " will read as zeros, the rest stays; add --yes to go ahead", offset, length);
		print_failure(path, EINVAL, "confirmation_required", why, NULL);
		return EXIT_USAGE;
	}
	/* A file in use is refused by name; the library's lease catches the
	 * processes /proc does not show (and any that open it later). */
	if (!force && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    holders_describe(st.st_dev, st.st_ino, who, sizeof(who)) > 0) {
		char why[1024];

		dp_why(why, sizeof(why), "open or mapped by %s: a write of theirs during the repair could be "
		       "lost; stop them, or add --force (each block is then re-read just before it is "
		       "changed)", who);
		print_failure(path, EBUSY, "file_in_use", why, holders_json(path));
		return EXIT_UNMET;
	}
	keep_messages(ctx);
	rc = daxpolicy_badblocks_repair_flags(ctx, path, offset, length, list, count,
					      force ? DAXPOLICY_REPAIR_FORCE : 0, &r);
	if (rc < 0)
		return repair_failed(ctx, path, rc);
	return print_repair(path, r, flags);
}

int badblocks_finish(struct daxpolicy_ctx *ctx, const char *path, bool yes, bool force, unsigned int flags)
{
	struct daxpolicy_repair *r;
	int rc;

	if (!yes) {
		print_failure(path, EINVAL, "confirmation_required", "--finish writes the saved contents of "
			      "interrupted repairs back to their files; add --yes to go ahead", NULL);
		return EXIT_USAGE;
	}
	keep_messages(ctx);
	rc = daxpolicy_badblocks_finish(ctx, path, force ? DAXPOLICY_REPAIR_FORCE : 0, &r);
	if (rc < 0)
		return repair_failed(ctx, path, rc);
	return print_repair(path, r, flags);
}
