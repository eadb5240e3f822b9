/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdaxpolicy - probe and enforce DAX (direct access to persistent memory)
 * per mount, directory and file, and fail loudly instead of silently falling
 * back to the page cache.
 *
 * Conventions of the whole API:
 *  - Every function that can fail returns 0 (or a non-negative value where
 *    documented) on success and a negative errno on failure.  It never exits,
 *    aborts or prints; diagnostics go to the log callback of the context.
 *  - Reports, media-error scans and repairs are owned by the caller, who
 *    releases them with their _free() function; what is reached from them
 *    (reasons, ranges, hits, strings) belongs to them and stays valid until
 *    then. Any other object is owned by the object that returned it.
 *  - A context may be used from several threads at once unless a function
 *    says otherwise.
 */
#ifndef LIBDAXPOLICY_H
#define LIBDAXPOLICY_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Library context
 * ------------------------------------------------------------------------ */

/* Opaque library context: holds the log settings and the caches of mount and
 * device facts.  Create one per program (or per thread that wants its own
 * caches). */
struct daxpolicy_ctx;

/*
 * daxpolicy_new - create a context with a reference count of 1.
 * @ctx: receives the new context.
 *
 * The log priority starts at LOG_ERR, or at the value of the environment
 * variable DAXPOLICY_LOG ("err", "info", "debug" or a syslog number).
 * No log function is installed: messages are dropped until
 * daxpolicy_set_log_fn() installs one. DAXPOLICY_REQUIRE (see below) is read
 * here too.
 *
 * Returns 0, -ENOMEM, or -EINVAL (also for a DAXPOLICY_REQUIRE that is not
 * a list of "direct" and "sync": a typo must not silently lift it).
 */
int daxpolicy_new(struct daxpolicy_ctx **ctx);

/* Take a reference; returns @ctx (NULL stays NULL). */
struct daxpolicy_ctx *daxpolicy_ref(struct daxpolicy_ctx *ctx);

/* Drop a reference; frees the context and everything it owns when the last
 * reference goes.  Returns NULL when freed, @ctx otherwise. */
struct daxpolicy_ctx *daxpolicy_unref(struct daxpolicy_ctx *ctx);

/*
 * Log callback.  @data is the pointer given to daxpolicy_set_log_fn();
 * @priority is a syslog priority (LOG_ERR, LOG_INFO, LOG_DEBUG); @file,
 * @line and @fn locate the message in the library's sources.
 */
typedef void (*daxpolicy_log_fn)(void *data, int priority, const char *file,
				 int line, const char *fn, const char *format,
				 va_list args);

/* Install @fn (NULL to drop messages) with its opaque @data. */
void daxpolicy_set_log_fn(struct daxpolicy_ctx *ctx, daxpolicy_log_fn fn,
			  void *data);
int daxpolicy_get_log_priority(struct daxpolicy_ctx *ctx);
void daxpolicy_set_log_priority(struct daxpolicy_ctx *ctx, int priority);

/* Caller-owned pointer carried by the context, for callbacks. */
void daxpolicy_set_userdata(struct daxpolicy_ctx *ctx, void *userdata);
void *daxpolicy_get_userdata(struct daxpolicy_ctx *ctx);

/* The library's version string, e.g. "0.1.0". */
const char *daxpolicy_get_version(void);

/* ------------------------------------------------------------------------
 * DAX verdicts: probing a path or an open file
 * ------------------------------------------------------------------------
 *
 * A probe answers for one object -- a regular file, a directory (meaning:
 * the files that will be created in it), a mount point or another inode --
 * whether DAX is effective, whether MAP_SYNC mappings are possible, what
 * requested DAX, and the reasons when it is not (or not fully) in effect.
 * Probing never modifies the object.
 */

/* Opaque probe result, immutable, owned by the caller: release with
 * daxpolicy_report_free().  Its strings live as long as the report. */
struct daxpolicy_report;

/* One reason inside a report (owned by the report). */
struct daxpolicy_reason;

enum daxpolicy_state {
	DAXPOLICY_STATE_ACTIVE = 0,      /* DAX is in effect */
	DAXPOLICY_STATE_INACTIVE,        /* possible here, but not requested */
	DAXPOLICY_STATE_PENDING,         /* requested, takes effect once the
					    inode is evicted (all closed) */
	DAXPOLICY_STATE_UNSUPPORTED,     /* requested or not, cannot happen */
};

enum daxpolicy_object_type {
	DAXPOLICY_OBJECT_FILE = 0,       /* regular file */
	DAXPOLICY_OBJECT_DIRECTORY,      /* directory: verdict for new files */
	DAXPOLICY_OBJECT_OTHER,          /* device node, socket, ... */
	DAXPOLICY_OBJECT_DEVICE,         /* a block device or nvdimm namespace
					    (daxpolicy_probe_device()) */
};

enum daxpolicy_severity {
	DAXPOLICY_SEVERITY_INFO = 0,     /* worth knowing */
	DAXPOLICY_SEVERITY_WARNING,      /* DAX works, but degraded */
	DAXPOLICY_SEVERITY_ERROR,        /* blocks DAX or MAP_SYNC */
};

/* The mount's DAX mode, from its super options. */
enum daxpolicy_dax_mode {
	DAXPOLICY_DAX_MODE_NONE = 0,     /* filesystem has no DAX modes */
	DAXPOLICY_DAX_MODE_INODE,        /* per-inode flag (also the default) */
	DAXPOLICY_DAX_MODE_ALWAYS,       /* every regular file */
	DAXPOLICY_DAX_MODE_NEVER,        /* no file */
};

/* How the map_sync answer was obtained. */
enum daxpolicy_evidence {
	DAXPOLICY_EVIDENCE_DERIVED = 0,  /* from the rules and facts */
	DAXPOLICY_EVIDENCE_PROBED,       /* a real MAP_SYNC mmap was tried */
};

/* Flags for the probe functions. */
enum {
	/* Skip the real MAP_SYNC test mapping of a regular file and derive
	 * map_sync from the facts (cheaper; used on hot paths). */
	DAXPOLICY_PROBE_NO_MMAP = 1 << 0,
	/* For a directory: create an unnamed O_TMPFILE in it to see what a new
	 * file really gets (needs write permission; allocates and frees an
	 * inode, nothing stays behind). */
	DAXPOLICY_PROBE_TMPFILE = 1 << 1,
	/* The hot-path verdict: statx and the cached mount and device facts
	 * only. Implies NO_MMAP; the object's flag is not read (get_flag()
	 * says -1, so no pending state is told) and daxpolicy_probe_fd()
	 * leaves the report's path empty. Such a verdict depends on nothing
	 * but the mount, the object type and the effective DAX bit, so the
	 * context keeps one per mount and hands it out again (still released
	 * with daxpolicy_report_free()). */
	DAXPOLICY_PROBE_FAST = 1 << 2,
};

/*
 * daxpolicy_probe_path - probe the object at @path.
 * daxpolicy_probe_fd - probe an open file descriptor (O_PATH is fine for
 *	directories; a regular file needs a readable descriptor for the
 *	MAP_SYNC test, otherwise map_sync is derived).
 * @flags: DAXPOLICY_PROBE_* flags.
 * @report: receives a new report.
 *
 * Symbolic links are followed for @path itself (as stat(2) does).
 * Returns 0 when a report was made -- even if DAX is off; that is in the
 * report -- or a negative errno when the object cannot be inspected at all:
 * -ENOENT, -EACCES, -ENOTDIR, -ENOMEM ...
 *
 * Mount and device facts are cached in @ctx and re-read when the mount table
 * changes, so repeated probes on the same mount are cheap.
 */
int daxpolicy_probe_path(struct daxpolicy_ctx *ctx, const char *path,
			 unsigned int flags, struct daxpolicy_report **report);
int daxpolicy_probe_fd(struct daxpolicy_ctx *ctx, int fd, unsigned int flags,
		       struct daxpolicy_report **report);
void daxpolicy_report_free(struct daxpolicy_report *report);

/*
 * daxpolicy_probe_device - can this device hold DAX files?
 * @name: a block device ("pmem0", "/dev/pmem0p1", "dm-0") or an nvdimm
 *	namespace ("namespace0.0", also when it has no block device, as in
 *	devdax mode or when its driver module is not loaded).
 *
 * The report's dax says whether the device is DAX-capable, map_sync whether
 * it is synchronous, huge whether 2 MiB mappings are possible; the reasons
 * say why not (raw or sector mode, a missing module, ...). The mount getters
 * return "". -ENOENT when there is no such device or namespace.
 */
int daxpolicy_probe_device(struct daxpolicy_ctx *ctx, const char *name,
			   unsigned int flags, struct daxpolicy_report **report);

/* The verdict. */
const char *daxpolicy_report_get_path(struct daxpolicy_report *report);
enum daxpolicy_object_type daxpolicy_report_get_type(struct daxpolicy_report *report);
bool daxpolicy_report_get_dax(struct daxpolicy_report *report);
bool daxpolicy_report_get_map_sync(struct daxpolicy_report *report);
enum daxpolicy_evidence daxpolicy_report_get_map_sync_evidence(struct daxpolicy_report *report);
/* 2 MiB (PMD) page faults are possible for DAX mappings here. */
bool daxpolicy_report_get_huge(struct daxpolicy_report *report);
enum daxpolicy_state daxpolicy_report_get_state(struct daxpolicy_report *report);

/* What requests DAX: the FS_XFLAG_DAX flag of the object itself (for a file;
 * for a directory its own flag, which new files inherit) -- 1 set, 0 clear,
 * -1 unknown (no flag support or not readable). */
int daxpolicy_report_get_flag(struct daxpolicy_report *report);

/* The mount holding the object. Strings are never NULL ("" when unknown). */
const char *daxpolicy_report_get_mount_target(struct daxpolicy_report *report);
const char *daxpolicy_report_get_mount_source(struct daxpolicy_report *report);
const char *daxpolicy_report_get_mount_fstype(struct daxpolicy_report *report);
enum daxpolicy_dax_mode daxpolicy_report_get_mount_dax_mode(struct daxpolicy_report *report);
/* True when the mode came from an explicit mount option, false when it is
 * the filesystem's default. */
bool daxpolicy_report_get_mount_dax_mode_explicit(struct daxpolicy_report *report);
unsigned long daxpolicy_report_get_block_size(struct daxpolicy_report *report);
unsigned long daxpolicy_report_get_page_size(struct daxpolicy_report *report);

/* The block device under the mount ("" / 0 when there is none, as for
 * tmpfs). @kind is one of "pmem", "dm", "loop", "virtio-blk", "nvme", "scsi",
 * "other", "none". */
const char *daxpolicy_report_get_device_name(struct daxpolicy_report *report);
const char *daxpolicy_report_get_device_kind(struct daxpolicy_report *report);
/* The whole disk holding a partition ("" when the device is no partition). */
const char *daxpolicy_report_get_device_disk(struct daxpolicy_report *report);
/* Partition start in bytes (0 for a whole disk). */
unsigned long long daxpolicy_report_get_device_start(struct daxpolicy_report *report);
/* queue/dax of the device: 1, 0, or -1 when it could not be read. */
int daxpolicy_report_get_device_dax(struct daxpolicy_report *report);
/* The device is synchronous (MAP_SYNC capable): false for virtio-pmem. */
bool daxpolicy_report_get_device_sync(struct daxpolicy_report *report);
/* The device-dax character device of a devdax namespace (dax0.0), or "". */
const char *daxpolicy_report_get_device_dax_dev(struct daxpolicy_report *report);
/* The pmem disks under a device-mapper device, space separated. */
const char *daxpolicy_report_get_device_slaves(struct daxpolicy_report *report);

/* The nvdimm namespace behind a pmem device ("" / 0 when none). @mode is
 * "fsdax", "raw", "sector", "devdax" or "unknown"; @map is "dev" or "mem";
 * @persistence_domain "cpu_cache", "memory_controller" or "unknown". */
const char *daxpolicy_report_get_namespace(struct daxpolicy_report *report);
const char *daxpolicy_report_get_namespace_mode(struct daxpolicy_report *report);
unsigned long daxpolicy_report_get_namespace_align(struct daxpolicy_report *report);
const char *daxpolicy_report_get_namespace_map(struct daxpolicy_report *report);
unsigned long long daxpolicy_report_get_namespace_size(struct daxpolicy_report *report);
const char *daxpolicy_report_get_region(struct daxpolicy_report *report);
const char *daxpolicy_report_get_persistence_domain(struct daxpolicy_report *report);

/*
 * The CXL chain behind a pmem device whose nvdimm region is a CXL region
 * (NULL when the region is not on CXL, or its chain could not be read: the
 * report's reasons then say why). Owned by the report.
 * Region: its name under /sys/bus/cxl ("region0"), uuid, mode ("pmem"),
 * host physical base and size, interleave ways and granularity (bytes),
 * and the nvdimm region's persistence domain.
 */
struct daxpolicy_cxl;
struct daxpolicy_cxl *daxpolicy_report_get_cxl(struct daxpolicy_report *report);
const char *daxpolicy_cxl_get_region(struct daxpolicy_cxl *cxl);
const char *daxpolicy_cxl_get_uuid(struct daxpolicy_cxl *cxl);
const char *daxpolicy_cxl_get_mode(struct daxpolicy_cxl *cxl);
unsigned long long daxpolicy_cxl_get_resource(struct daxpolicy_cxl *cxl);
unsigned long long daxpolicy_cxl_get_size(struct daxpolicy_cxl *cxl);
unsigned int daxpolicy_cxl_get_ways(struct daxpolicy_cxl *cxl);
unsigned int daxpolicy_cxl_get_granularity(struct daxpolicy_cxl *cxl);
const char *daxpolicy_cxl_get_persistence_domain(struct daxpolicy_cxl *cxl);
/* At each interleave position @pos (0 .. ways - 1): the memdev ("mem0"),
 * its endpoint decoder ("decoder2.0"), host (PCI address), firmware
 * revision ("" when the kernel does not give it), serial number, and the
 * device physical range the decoder maps. Out of range: "" or 0. */
const char *daxpolicy_cxl_get_memdev(struct daxpolicy_cxl *cxl, unsigned int pos);
const char *daxpolicy_cxl_get_decoder(struct daxpolicy_cxl *cxl, unsigned int pos);
const char *daxpolicy_cxl_get_host(struct daxpolicy_cxl *cxl, unsigned int pos);
const char *daxpolicy_cxl_get_firmware(struct daxpolicy_cxl *cxl, unsigned int pos);
unsigned long long daxpolicy_cxl_get_serial(struct daxpolicy_cxl *cxl, unsigned int pos);
unsigned long long daxpolicy_cxl_get_dpa_resource(struct daxpolicy_cxl *cxl, unsigned int pos);
unsigned long long daxpolicy_cxl_get_dpa_size(struct daxpolicy_cxl *cxl, unsigned int pos);
/* The memdev's health (mailbox command Get Health Info): @health_errno is
 * 0 when the device answered, else a negative errno (-EACCES without root)
 * with @health_error saying why. @media_status is "normal", "not_ready",
 * "persistence_lost", "data_lost" or "" (unknown); @health_flags the
 * DAXPOLICY_CXL_HEALTH_* bits; @life_used a percentage, @dirty_shutdowns
 * and @pmem_errors counts (-1 unknown); @temperature in degrees Celsius
 * (DAXPOLICY_CXL_NO_TEMPERATURE unknown). */
#define DAXPOLICY_CXL_HEALTH_MAINTENANCE_NEEDED   (1u << 0)
#define DAXPOLICY_CXL_HEALTH_PERFORMANCE_DEGRADED (1u << 1)
#define DAXPOLICY_CXL_HEALTH_HW_REPLACEMENT_NEEDED (1u << 2)
#define DAXPOLICY_CXL_HEALTH_LOSS_IMMINENT        (1u << 3)
#define DAXPOLICY_CXL_NO_TEMPERATURE (-1000)
int daxpolicy_cxl_get_health_errno(struct daxpolicy_cxl *cxl, unsigned int pos);
const char *daxpolicy_cxl_get_health_error(struct daxpolicy_cxl *cxl, unsigned int pos);
const char *daxpolicy_cxl_get_media_status(struct daxpolicy_cxl *cxl, unsigned int pos);
unsigned int daxpolicy_cxl_get_health_flags(struct daxpolicy_cxl *cxl, unsigned int pos);
int daxpolicy_cxl_get_life_used(struct daxpolicy_cxl *cxl, unsigned int pos);
int daxpolicy_cxl_get_temperature(struct daxpolicy_cxl *cxl, unsigned int pos);
long long daxpolicy_cxl_get_dirty_shutdowns(struct daxpolicy_cxl *cxl, unsigned int pos);
long long daxpolicy_cxl_get_pmem_errors(struct daxpolicy_cxl *cxl, unsigned int pos);

/* Kernel capabilities seen while probing: statx reports STATX_ATTR_DAX
 * (and with which value: 0x00200000, or 0x2000 on 5.8 kernels before the
 * Dec 2020 fix; 0 when unsupported). */
unsigned int daxpolicy_report_get_statx_dax_attr(struct daxpolicy_report *report);

/* XFS geometry of the filesystem (false elsewhere) and, for a file, whether
 * it is a realtime file. */
bool daxpolicy_report_get_xfs_reflink(struct daxpolicy_report *report);
bool daxpolicy_report_get_xfs_rmapbt(struct daxpolicy_report *report);
bool daxpolicy_report_get_realtime(struct daxpolicy_report *report);

/*
 * Reasons, in the order found.  Codes are stable API: scripts match on them
 * and a code never changes meaning.  The list is in libdaxpolicy(3).
 */
struct daxpolicy_reason *daxpolicy_report_get_first_reason(struct daxpolicy_report *report);
struct daxpolicy_reason *daxpolicy_reason_get_next(struct daxpolicy_reason *reason);
#define daxpolicy_reason_foreach(report, reason)                              \
	for (reason = daxpolicy_report_get_first_reason(report); reason;       \
	     reason = daxpolicy_reason_get_next(reason))
const char *daxpolicy_reason_get_code(struct daxpolicy_reason *reason);
enum daxpolicy_severity daxpolicy_reason_get_severity(struct daxpolicy_reason *reason);
/* One line naming the concrete objects (device, mount point, sizes). */
const char *daxpolicy_reason_get_message(struct daxpolicy_reason *reason);
/* What to change. */
const char *daxpolicy_reason_get_hint(struct daxpolicy_reason *reason);
/* True when the report holds a reason with @code. */
bool daxpolicy_report_has_reason(struct daxpolicy_report *report, const char *code);

/* Names for the enums, as printed by dax-admin ("active", "error", ...). */
const char *daxpolicy_state_name(enum daxpolicy_state state);
const char *daxpolicy_severity_name(enum daxpolicy_severity severity);
const char *daxpolicy_dax_mode_name(enum daxpolicy_dax_mode mode);
const char *daxpolicy_object_type_name(enum daxpolicy_object_type type);

/* ------------------------------------------------------------------------
 * Directory policy
 * ------------------------------------------------------------------------
 *
 * A directory's policy says what files created below it should get:
 *   direct      FS_XFLAG_DAX on the directory; new files and directories
 *               inherit it (the kernel's dax=inode mechanism);
 *   sync        direct, plus the requirement that mappings use MAP_SYNC;
 *   page-cache  explicitly not DAX (the flag cleared);
 *   inherit     nothing recorded here: the nearest ancestor's applies.
 * The policy is recorded in the extended attribute "user.daxpolicy" of the
 * directory and found by walking up to the root of its mount.
 *
 * Trust model: user.* attributes can be written by the directory's owner
 * (and root). The recorded policy is the owner's statement of intent; it
 * never grants anything. The library and the enforcer use it only to refuse
 * (a sync directory refuses non-MAP_SYNC mappings), so a forged attribute
 * can make a program fail, never make unsafe storage look safe: the DAX and
 * MAP_SYNC facts always come from the kernel.
 */
enum daxpolicy_policy {
	DAXPOLICY_POLICY_INHERIT = 0,
	DAXPOLICY_POLICY_DIRECT,
	DAXPOLICY_POLICY_SYNC,
	DAXPOLICY_POLICY_PAGE_CACHE,
};

/* "inherit", "direct", "sync", "page-cache". */
const char *daxpolicy_policy_name(enum daxpolicy_policy policy);
/* The policy named @name; -EINVAL for an unknown name. */
int daxpolicy_policy_from_name(const char *name, enum daxpolicy_policy *policy);

/*
 * daxpolicy_dir_set_policy - record @policy on the directory open at @dirfd
 * (any open mode, O_PATH included) and set or clear its FS_XFLAG_DAX.
 * INHERIT removes the record and gives the directory its parent's flag.
 * Only the directory itself changes: existing files keep their state (see
 * dax-admin set-dir --recursive). Nothing is verified here; see
 * daxpolicy_probe_fd() with DAXPOLICY_PROBE_TMPFILE.
 * Returns 0, -ENOTDIR, -EPERM/-EACCES (not the owner), -EOPNOTSUPP (the
 * filesystem has no DAX flag or no user extended attributes) ...
 */
int daxpolicy_dir_set_policy(struct daxpolicy_ctx *ctx, int dirfd,
			     enum daxpolicy_policy policy);

/*
 * daxpolicy_dir_forget_policy - remove the policy record of the directory
 * open at @dirfd, leaving its flag alone (used when a policy is applied to a
 * whole tree: the directories below then inherit the top's record).
 * *@had (may be NULL) tells whether there was one. 0 or a negative errno.
 */
int daxpolicy_dir_forget_policy(struct daxpolicy_ctx *ctx, int dirfd, bool *had);

/*
 * daxpolicy_set_dax_flag - set (@on) or clear FS_XFLAG_DAX of the file or
 * directory open at @fd (not O_PATH), keeping its other flags. *@changed
 * (may be NULL) tells whether it was different before. For a regular file
 * the new state takes effect once every process has closed it.
 * Returns 0, -EPERM (not the owner), -EOPNOTSUPP/-ENOTTY (no DAX flag on
 * this filesystem) ...
 */
int daxpolicy_set_dax_flag(struct daxpolicy_ctx *ctx, int fd, bool on, bool *changed);

/*
 * daxpolicy_dir_get_policy - the policy in force for the directory at
 * @dirfd: @own is what is recorded on it (INHERIT when nothing), @effective
 * what applies (its own, or the nearest ancestor's up to the mount root;
 * without any record, DIRECT when its DAX flag is set, else INHERIT).
 * @source (may be NULL) receives the directory the effective policy is
 * recorded on, "" when none is (@len bytes at most).
 */
int daxpolicy_dir_get_policy(struct daxpolicy_ctx *ctx, int dirfd,
			     enum daxpolicy_policy *own, enum daxpolicy_policy *effective,
			     char *source, size_t len);

/*
 * daxpolicy_dir_set_policy_ex - daxpolicy_dir_set_policy() with a proof
 * and, on request, the existing tree below.
 * @flags:
 *   DAXPOLICY_SET_RECURSIVE  also give every directory and regular file
 *	below the flag the directory now has, and remove the records of the
 *	directories below (they inherit this one's). The walk opens
 *	directories only from their parent's descriptor (openat2 with
 *	RESOLVE_BENEATH, RESOLVE_NO_XDEV, RESOLVE_NO_SYMLINKS and
 *	RESOLVE_NO_MAGICLINKS where the kernel has it), follows no symlink,
 *	and enters a directory only when its mount id is the top's: a
 *	concurrent rename or symlink swap cannot take it out of the tree or
 *	into a bind mount. Mount points are skipped.
 *   DAXPOLICY_SET_HARDLINKS  also change regular files with more than one
 *	link (skipped otherwise: a name outside the tree may reach them).
 *   DAXPOLICY_SET_DRY_RUN    change nothing; the result says what would.
 *   DAXPOLICY_SET_VERIFY     after setting the directory's policy, probe a
 *	new unnamed file in it (DAXPOLICY_PROBE_TMPFILE); when the policy
 *	does not take effect, put the directory back exactly as it was found
 *	(its flag and its record, each as they were) and fail.
 *   DAXPOLICY_SET_ALLOW_INEFFECTIVE  with VERIFY: keep the policy anyway.
 *   DAXPOLICY_SET_PENDING    with RECURSIVE and VERIFY, where the probe
 *	found that the policy takes effect (not in a dry run): after a regular
 *	file's flag changed and the walk closed it, look whether its DAX
 *	state followed (statx() STATX_ATTR_DAX, by name from its directory).
 *	The kernel switches the state when it next loads the inode, so a
 *	file that another process holds open or mapped keeps its old state
 *	until the last holder lets go: daxpolicy_set_entry_get_pending()
 *	says so. Costs one statx() per changed file.
 * @result: receives the result (free it with daxpolicy_set_result_free()),
 *	also after a failure once the directory could be opened (NULL then).
 * Returns 0 (per-entry failures are entries of the result), -EOPNOTSUPP
 * when VERIFY found the policy ineffective (the result's report says why),
 * -EINVAL, or the errors of daxpolicy_dir_set_policy().
 */
enum {
	DAXPOLICY_SET_RECURSIVE = 1 << 0,
	DAXPOLICY_SET_HARDLINKS = 1 << 1,
	DAXPOLICY_SET_DRY_RUN = 1 << 2,
	DAXPOLICY_SET_VERIFY = 1 << 3,
	DAXPOLICY_SET_ALLOW_INEFFECTIVE = 1 << 4,
	DAXPOLICY_SET_PENDING = 1 << 5,
};
struct daxpolicy_set_result;
struct daxpolicy_set_entry;
enum daxpolicy_set_outcome {
	DAXPOLICY_SET_CHANGED = 0,    /* its flag (or a directory's record) changed */
	DAXPOLICY_SET_UNCHANGED,      /* it already was as asked */
	DAXPOLICY_SET_SKIPPED,        /* left alone on purpose: see the reason */
	DAXPOLICY_SET_FAILED,         /* could not be read or changed: see errno */
};
int daxpolicy_dir_set_policy_ex(struct daxpolicy_ctx *ctx, int dirfd,
				enum daxpolicy_policy policy, unsigned int flags,
				struct daxpolicy_set_result **result);
void daxpolicy_set_result_free(struct daxpolicy_set_result *result);
/* What was recorded on the directory before. */
enum daxpolicy_policy daxpolicy_set_result_get_previous_policy(struct daxpolicy_set_result *result);
/* False when VERIFY found that new files do not get the policy. */
bool daxpolicy_set_result_get_effective(struct daxpolicy_set_result *result);
/* The FS_XFLAG_DAX state the tree was given. */
bool daxpolicy_set_result_get_dax_flag(struct daxpolicy_set_result *result);
/* The probe of a new file (VERIFY), owned by the result; else NULL. */
struct daxpolicy_report *daxpolicy_set_result_get_report(struct daxpolicy_set_result *result);
size_t daxpolicy_set_result_get_count(struct daxpolicy_set_result *result,
				      enum daxpolicy_set_outcome outcome);
/* The entries: the directory itself first (path "."), then what the walk
 * found, named from the directory ("a/b"), in no set order. */
struct daxpolicy_set_entry *daxpolicy_set_result_get_first(struct daxpolicy_set_result *result);
struct daxpolicy_set_entry *daxpolicy_set_entry_get_next(struct daxpolicy_set_entry *entry);
const char *daxpolicy_set_entry_get_path(struct daxpolicy_set_entry *entry);
enum daxpolicy_set_outcome daxpolicy_set_entry_get_outcome(struct daxpolicy_set_entry *entry);
/* Why it was skipped (a sentence), NULL otherwise. */
const char *daxpolicy_set_entry_get_reason(struct daxpolicy_set_entry *entry);
/* Why it failed (a positive errno), 0 otherwise. */
int daxpolicy_set_entry_get_errno(struct daxpolicy_set_entry *entry);
/* Its inode number (0 when not known), and whether it is a directory. */
uint64_t daxpolicy_set_entry_get_inode(struct daxpolicy_set_entry *entry);
bool daxpolicy_set_entry_get_is_dir(struct daxpolicy_set_entry *entry);
/* With DAXPOLICY_SET_PENDING: a changed regular file whose DAX state has
 * not followed its flag yet (held open or mapped elsewhere). */
bool daxpolicy_set_entry_get_pending(struct daxpolicy_set_entry *entry);
/* "changed", "unchanged", "skipped", "failed". */
const char *daxpolicy_set_outcome_name(enum daxpolicy_set_outcome outcome);

/* The effective directory policy of the probed object (its parent's for a
 * file) and where it is recorded ("" when nowhere). DAXPOLICY_PROBE_FAST
 * reports do not read it (INHERIT, ""). */
enum daxpolicy_policy daxpolicy_report_get_policy(struct daxpolicy_report *report);
const char *daxpolicy_report_get_policy_source(struct daxpolicy_report *report);

/* ------------------------------------------------------------------------
 * Requirements: open and map that never silently fall back
 * ------------------------------------------------------------------------
 *
 * A requirement is what the caller relies on. The library checks it with
 * the kernel's own answers and refuses with -EOPNOTSUPP, keeping the report
 * behind the refusal for the calling thread (daxpolicy_get_refusal()).
 *
 * The environment variable DAXPOLICY_REQUIRE ("direct", "sync" or
 * "direct,sync"), read when the context is created, adds to every
 * requirement: an administrator can make a program that links the library
 * stricter without changing it.
 */

/* The file must be DAX: its data bypasses the page cache. */
#define DAXPOLICY_REQ_DIRECT 0x1u
/* Mappings must be MAP_SYNC: stores are durable once flushed from the CPU
 * caches, no msync()/fsync() needed. Implies DAXPOLICY_REQ_DIRECT. */
#define DAXPOLICY_REQ_SYNC 0x2u

/*
 * daxpolicy_require_fd - does the open file @fd meet @req now?
 * Returns 0, -EOPNOTSUPP when it does not (see daxpolicy_get_refusal()),
 * -EINVAL for unknown bits, or another negative errno when @fd cannot be
 * inspected. Cheap: about one statx() once the mount has been seen.
 */
int daxpolicy_require_fd(struct daxpolicy_ctx *ctx, int fd, unsigned int req);

/*
 * daxpolicy_open - open(2) that meets a requirement or fails.
 * @flags, @mode: as for open(2) (O_CLOEXEC is always added).
 * @req: the caller's requirement; the directory policy of @path adds to it
 *	(a sync directory adds DAXPOLICY_REQ_SYNC, a direct one
 *	DAXPOLICY_REQ_DIRECT), and so does DAXPOLICY_REQUIRE.
 *
 * Returns a file descriptor, or a negative errno: -EOPNOTSUPP when the file
 * cannot meet the requirement. A file that this call created and that turns
 * out not to meet it is removed again, so nothing stray is left behind.
 */
int daxpolicy_open(struct daxpolicy_ctx *ctx, const char *path, int flags, mode_t mode,
		   unsigned int req);

/*
 * daxpolicy_mmap - a shared mapping of @fd that meets @req, or none.
 * With DAXPOLICY_REQ_SYNC the mapping is made with
 * MAP_SHARED_VALIDATE|MAP_SYNC and never downgraded; with
 * DAXPOLICY_REQ_DIRECT the file must be DAX. @prot as for mmap(2).
 * Returns 0 and the address in *@addr, or a negative errno (-EOPNOTSUPP
 * when the requirement cannot be met). The context remembers the mapping
 * (for daxpolicy_madvise()); unmap it with daxpolicy_munmap().
 */
int daxpolicy_mmap(struct daxpolicy_ctx *ctx, int fd, off_t offset, size_t length, int prot,
		   unsigned int req, void **addr);
/* munmap(2) of a mapping (or part of one) made by daxpolicy_mmap(). */
int daxpolicy_munmap(struct daxpolicy_ctx *ctx, void *addr, size_t length);

/* The intent of the never-merged MADV_SYNC and MADV_DIRECT, in user space.
 * Their values do not collide with the kernel's MADV_* values. */
#define DAXPOLICY_MADV_SYNC 0x10000
#define DAXPOLICY_MADV_DIRECT 0x10001

/*
 * daxpolicy_madvise - advice on a range of a mapping.
 * DAXPOLICY_MADV_SYNC: turn the range of a daxpolicy_mmap() mapping into a
 *	MAP_SYNC mapping in place: same address, same contents (the file's);
 *	-EOPNOTSUPP, with the old mapping untouched, when the file cannot be
 *	mapped MAP_SYNC.
 * DAXPOLICY_MADV_DIRECT: check that the range is served without the page
 *	cache (the file is DAX); 0 or -EOPNOTSUPP.
 * Both return -EINVAL for a range that no daxpolicy_mmap() mapping covers.
 * Any other @advice is passed to madvise(2).
 */
int daxpolicy_madvise(struct daxpolicy_ctx *ctx, void *addr, size_t length, int advice);

/*
 * daxpolicy_get_refusal - the report behind the calling thread's last
 * -EOPNOTSUPP from daxpolicy_require_fd(), _open(), _mmap(), _madvise()
 * or _badblocks_scan() on @ctx: a new reference (release with
 * daxpolicy_report_free()), or NULL.
 * Each thread sees its own.
 */
struct daxpolicy_report *daxpolicy_get_refusal(struct daxpolicy_ctx *ctx);

/* ------------------------------------------------------------------------
 * Media errors (badblocks) to files
 * ------------------------------------------------------------------------
 *
 * Bad ranges are numbered in 512-byte sectors from the start of the whole
 * disk under the filesystem (for pmem: /dev/pmemN, the numbering of
 * /sys/block/pmemN/badblocks and of 'ndctl list -M'). Each is attributed to
 * the files and file byte ranges it hits, to filesystem metadata, or to
 * unallocated space.
 */
struct daxpolicy_badblocks;   /* the result of a scan, owned by the caller */
struct daxpolicy_badrange;    /* one bad range of the device */
struct daxpolicy_badhit;      /* what one bad range hits */
struct daxpolicy_poison;      /* a CXL poison record in a bad range */

enum daxpolicy_hit_kind {
	DAXPOLICY_HIT_FILE = 0,       /* bytes of a regular file */
	DAXPOLICY_HIT_METADATA,       /* filesystem metadata */
	DAXPOLICY_HIT_UNALLOCATED,    /* free space */
	DAXPOLICY_HIT_UNKNOWN,        /* not attributed (outside the filesystem,
					 or the filesystem cannot say) */
	DAXPOLICY_HIT_QUARANTINED,    /* a block a repair took out of use, kept
					 in DAXPOLICY_QUARANTINE_DIR */
};

/* The directory, at the root of a filesystem, where a repair keeps the bad
 * blocks it moved a file off, one file per block, so that the filesystem
 * never hands them out again. Deleting a file there returns its block to
 * free space (do that once the platform has cleared the error). */
#define DAXPOLICY_QUARANTINE_DIR ".dax-badblocks"

/* One bad range given by the caller. */
struct daxpolicy_sector_range {
	uint64_t sector;
	uint64_t count;
};

/*
 * daxpolicy_badblocks_scan - find the bad ranges of the filesystem mounted
 * at (or containing) @path and the files they hit. @path may also name a
 * block device: its mounted filesystem, or with none mounted, its bad
 * ranges unattributed.
 * @list, @count: bad ranges to use instead of the device's own list (any
 *	block device; @count may be 0); @list NULL to read the device's
 *	badblocks.
 * The owners come from the filesystem's reverse map (GETFSMAP) where it
 * names them (XFS with rmapbt: the time grows with the number of bad
 * ranges, plus one directory walk for the paths); otherwise (ext4, XFS
 * without rmapbt) every regular file is mapped with FIEMAP and GETFSMAP
 * tells metadata from free space. Walks start at the mount root and never
 * follow symlinks or enter other filesystems.
 * On a device-mapper device the ranges of the devices beneath its linear
 * targets are moved through its table (read with DM_TABLE_STATUS, which
 * needs CAP_SYS_ADMIN) and numbered on the device-mapper device.
 * Returns 0, -EINVAL for a range beyond the device, -ENODEV when the
 * filesystem has no block device, -EOPNOTSUPP without @list when no list
 * of bad sectors can be read: the disk keeps none (a loop or nvme disk:
 * no /sys/block/DISK/badblocks), or a device-mapper device maps a device
 * through a target other than linear (striped, say). Never an empty,
 * "clean" result there: daxpolicy_get_refusal() then gives a report with
 * the reason "no_error_source", whose message names the device; only
 * @list can help. -EACCES or -EPERM when a device-mapper table cannot be
 * read, or another negative errno. A disk that keeps a list, empty or not
 * (pmem), gives 0.
 */
int daxpolicy_badblocks_scan(struct daxpolicy_ctx *ctx, const char *path,
			     const struct daxpolicy_sector_range *list, size_t count,
			     struct daxpolicy_badblocks **result);
void daxpolicy_badblocks_free(struct daxpolicy_badblocks *bb);

/* The disk the sectors are numbered on ("pmem0", or "dm-0" for a
 * device-mapper device), and the filesystem's mount point (NULL for a
 * device with no filesystem mounted). */
const char *daxpolicy_badblocks_get_disk(struct daxpolicy_badblocks *bb);
const char *daxpolicy_badblocks_get_mount(struct daxpolicy_badblocks *bb);
/* Where the ranges came from: "nvdimm" (the namespace's and region's lists,
 * through libndctl), "sysfs" (/sys/block/DISK/badblocks of another kind of
 * disk), "dm" (those of the devices beneath a device-mapper device) or
 * "list" (the caller's). */
const char *daxpolicy_badblocks_get_source(struct daxpolicy_badblocks *bb);
/* Reasons about the filesystem as a whole: "repair_interrupted" (a repair
 * was killed or cut by a power failure; daxpolicy_badblocks_finish()
 * finishes it), "quarantine_dir_unsafe". NULL when none; walk them with
 * daxpolicy_reason_get_next(). */
struct daxpolicy_reason *daxpolicy_badblocks_get_first_reason(struct daxpolicy_badblocks *bb);

struct daxpolicy_badrange *daxpolicy_badblocks_get_first(struct daxpolicy_badblocks *bb);
struct daxpolicy_badrange *daxpolicy_badrange_get_next(struct daxpolicy_badrange *range);
uint64_t daxpolicy_badrange_get_sector(struct daxpolicy_badrange *range);
uint64_t daxpolicy_badrange_get_count(struct daxpolicy_badrange *range);
/* Which list named the range: "namespace" (as 'ndctl list -M'), "region"
 * (reported for the region, as 'ndctl list -RM', not yet for the
 * namespace), "sysfs", "cxl" (a CXL memdev's poison list) or "list". */
const char *daxpolicy_badrange_get_source(struct daxpolicy_badrange *range);
/* The CXL poison records in the range, in disk order (NULL for other
 * sources); walk them with daxpolicy_poison_get_next(). Each names the
 * memdev and its device physical address range (as the memdev lists it)
 * and the bytes of the disk it poisons (64-byte precision: the range's
 * sectors are those bytes rounded out). When a range is made of poison
 * only, the byte ranges of its file hits are narrowed to those bytes. */
struct daxpolicy_poison *daxpolicy_badrange_get_first_poison(struct daxpolicy_badrange *range);
struct daxpolicy_poison *daxpolicy_poison_get_next(struct daxpolicy_poison *poison);
const char *daxpolicy_poison_get_memdev(struct daxpolicy_poison *poison);
uint64_t daxpolicy_poison_get_dpa(struct daxpolicy_poison *poison);
uint64_t daxpolicy_poison_get_dpa_length(struct daxpolicy_poison *poison);
/* Disk bytes, from the start of the disk. */
uint64_t daxpolicy_poison_get_offset(struct daxpolicy_poison *poison);
uint64_t daxpolicy_poison_get_length(struct daxpolicy_poison *poison);
/* The sectors of pmem disk @disk ("pmem0") that the poison lists of the
 * memdevs behind its CXL region name now, numbered on the disk (*@list
 * malloc'ed, free() it; may be empty). -ENOENT when the disk is not on a
 * CXL region; -EOPNOTSUPP (a refusal, reason no_error_source) when the
 * lists cannot be read (not root, no tracefs). For polling: each call
 * asks every memdev for its list. */
int daxpolicy_cxl_poison_sectors(struct daxpolicy_ctx *ctx, const char *disk,
				 struct daxpolicy_sector_range **list, size_t *count);

struct daxpolicy_badhit *daxpolicy_badrange_get_first_hit(struct daxpolicy_badrange *range);
struct daxpolicy_badhit *daxpolicy_badhit_get_next(struct daxpolicy_badhit *hit);
enum daxpolicy_hit_kind daxpolicy_badhit_get_kind(struct daxpolicy_badhit *hit);
/* The disk sectors of this hit (a part of the range). */
uint64_t daxpolicy_badhit_get_sector(struct daxpolicy_badhit *hit);
uint64_t daxpolicy_badhit_get_count(struct daxpolicy_badhit *hit);
/* For DAXPOLICY_HIT_FILE: the file (its path from the mount point; a file
 * with several links is named once), its inode, and the byte range. */
const char *daxpolicy_badhit_get_path(struct daxpolicy_badhit *hit);
uint64_t daxpolicy_badhit_get_inode(struct daxpolicy_badhit *hit);
uint64_t daxpolicy_badhit_get_file_offset(struct daxpolicy_badhit *hit);
uint64_t daxpolicy_badhit_get_length(struct daxpolicy_badhit *hit);
/* The extent is allocated but unwritten (reads as zeros). */
bool daxpolicy_badhit_get_unwritten(struct daxpolicy_badhit *hit);
/* The extent is shared (reflinked) with other files, listed as hits too. */
bool daxpolicy_badhit_get_shared(struct daxpolicy_badhit *hit);

/*
 * Repair: move a file off its bad sectors.
 *
 * daxpolicy_badblocks_repair - make the bytes [@offset, @offset + @length)
 * of the regular file @path readable again. Only the bad sectors inside
 * the range change: they read as zeros afterwards; every other byte of the
 * file (the good sectors of the same blocks are read from the device, a
 * sector at a time) and every other file stay as they were.
 * @list, @count: the bad ranges, as for daxpolicy_badblocks_scan().
 * Each filesystem block of the file that holds a bad sector of the range is
 * first rewritten in place, which clears the error where the platform can
 * (ACPI clear-error). Otherwise the block is moved: the bad block is kept
 * out of use in a file of DAXPOLICY_QUARANTINE_DIR (by reflink where the
 * filesystem has it, else by asking the allocator for it), the file's
 * block is punched out and written anew. Afterwards the file must no longer
 * map any bad sector; this is checked.
 * Returns 0 with @result (free it with daxpolicy_repair_free()); -ENODATA
 * when no bad sector lies in the range; -EINVAL for a file that is not
 * regular, or a range that leaves out a bad sector of a block it touches
 * (the block could not be moved without zeroing bytes outside the range);
 * -EIO when the filesystem handed a bad block back (the range then reads
 * as zeros); or another negative errno.
 */
struct daxpolicy_repair_block {
	uint64_t file_offset, length;   /* the filesystem block in the file */
	uint64_t old_sector, new_sector;   /* its first disk sector, before and after */
	bool cleared;                   /* rewritten in place: the platform
					   cleared the error (old == new) */
	char quarantine[256];           /* moved: the file holding the bad block,
					   relative to the mount point */
	bool resumed;                   /* an interrupted repair, finished */
};

struct daxpolicy_byte_range {
	uint64_t offset, length;        /* bytes of a file */
};

struct daxpolicy_repair {
	size_t zeroed_count;            /* bad byte ranges now read as zeros */
	struct daxpolicy_byte_range *zeroed;
	size_t block_count;
	struct daxpolicy_repair_block *blocks;
};

int daxpolicy_badblocks_repair(struct daxpolicy_ctx *ctx, const char *path, uint64_t offset,
			       uint64_t length, const struct daxpolicy_sector_range *list,
			       size_t count, struct daxpolicy_repair **result);
void daxpolicy_repair_free(struct daxpolicy_repair *repair);

/* The file may be open elsewhere: repair it without the write lease, and
 * re-read each block's good sectors just before changing it (a block that
 * keeps changing is left alone, -EBUSY). */
#define DAXPOLICY_REPAIR_FORCE 0x1

/*
 * daxpolicy_badblocks_repair_flags - daxpolicy_badblocks_repair() with
 * @flags (DAXPOLICY_REPAIR_*).
 *
 * Safe against a kill or a power failure at any point: before a block is
 * changed, its new contents (the good sectors, zeros for the bad ones) and
 * what is to be done are written to an intent record in
 * DAXPOLICY_QUARANTINE_DIR and made durable (the record and the directory
 * are fsynced); the record is removed once the block is rewritten and
 * verified. A repair (or daxpolicy_badblocks_finish()) on the filesystem
 * first finishes every interrupted one; until then daxpolicy_badblocks_scan()
 * reports each with the reason "repair_interrupted".
 * Without DAXPOLICY_REPAIR_FORCE the repair holds a write lease on the file
 * (F_SETLEASE) for its whole duration: -EBUSY when another process has the
 * file open or mapped, or opens it during the repair (the repair then
 * stops before the next block; the blocks done stay done, none is left
 * half done). The size of the file never changes: a bad block beyond its
 * end (preallocated) is allocated again, unwritten.
 * -EPERM when DAXPOLICY_QUARANTINE_DIR is not a directory owned by the
 * caller and closed to others (a symlink, a FIFO, a user's 0777 directory).
 * For tests only: DAXPOLICY_TEST_KILL_AT=N in the environment raises SIGKILL
 * just before the Nth step that changes something on disk (the steps are
 * logged at debug level), DAXPOLICY_TEST_STOP_AT=N raises SIGSTOP there, and DAXPOLICY_TEST_STILL_BAD=1 makes the device's
 * bad sectors still fail to read after the in-place write (a platform that
 * cannot clear errors). Both are ignored in setuid programs.
 */
int daxpolicy_badblocks_repair_flags(struct daxpolicy_ctx *ctx, const char *path, uint64_t offset,
				     uint64_t length, const struct daxpolicy_sector_range *list,
				     size_t count, unsigned int flags, struct daxpolicy_repair **result);

/*
 * daxpolicy_badblocks_finish - finish every interrupted repair on the
 * filesystem holding @path, from their intent records. @result lists the
 * blocks done (resumed set) and the bytes that read as zeros; none when
 * there was nothing to finish. -EBUSY when a block changed since its repair
 * was interrupted (its record stays) or its file is open elsewhere (without
 * DAXPOLICY_REPAIR_FORCE); -EPERM as above.
 */
int daxpolicy_badblocks_finish(struct daxpolicy_ctx *ctx, const char *path, unsigned int flags,
			       struct daxpolicy_repair **result);

/* ------------------------------------------------------------------------
 * Bus errors (SIGBUS) to files
 * ------------------------------------------------------------------------
 *
 * A load from a DAX mapping whose media is bad raises SIGBUS: BUS_ADRERR
 * when the kernel finds the page in the disk's badblocks list as it maps
 * it, BUS_MCEERR_AR after a machine check on the access itself,
 * BUS_MCEERR_AO for poison found elsewhere; a machine check tells the size
 * of the poisoned granule in si_addr_lsb (12: a 4 KiB page). The context
 * keeps a registry of file mappings -- every daxpolicy_mmap() mapping, and
 * those the caller registers -- which a SIGBUS handler searches with
 * daxpolicy_sigbus_lookup() to learn which file and bytes were lost.
 */

/*
 * daxpolicy_register_mapping - remember that [@addr, @addr + @length) maps
 * the file open at @fd from file offset @offset (as mmap(2) was given
 * them; the end is rounded up to a page, as the kernel maps whole pages).
 * The registry keeps the range and the offset, nothing else: no system
 * call, no file descriptor (the caller may close @fd); which file it is,
 * is asked of the kernel when a lookup needs it. A registration replaces
 * whatever was registered at those addresses before.
 * daxpolicy_unregister_mapping - forget [@addr, @addr + @length) (rounded
 * up to a page), which may be part of a registration or span several;
 * unregister before munmap(2) so that no SIGBUS is ever resolved to a
 * mapping the kernel has handed out again.
 * daxpolicy_mmap() and daxpolicy_munmap() do both themselves.
 * Neither is async-signal-safe; each is O(log n) in the number of
 * registered ranges.
 * Return 0, -EINVAL, -ENOMEM; when a range cannot be split, its part
 * beyond the hole is forgotten and -ENOMEM returned.
 */
int daxpolicy_register_mapping(struct daxpolicy_ctx *ctx, void *addr, size_t length, int fd,
			       off_t offset);
int daxpolicy_unregister_mapping(struct daxpolicy_ctx *ctx, void *addr, size_t length);

#define DAXPOLICY_SIGBUS_PATH_MAX 4096
#define DAXPOLICY_SIGBUS_DISK_MAX 32
#define DAXPOLICY_SIGBUS_BAD_MAX 8

/* One bad piece of the poisoned range: file bytes and the disk sectors
 * that hold them (512-byte sectors of the whole disk, numbered like
 * /sys/block/DISK/badblocks; partition start included). */
struct daxpolicy_sigbus_bad {
	uint64_t file_offset;
	uint64_t length;          /* bytes */
	uint64_t sector;
	uint64_t count;           /* sectors */
};

/* The answer of daxpolicy_sigbus_lookup(), filled in by it (about 4.4 KiB:
 * a static or per-thread one suits a small signal stack). */
struct daxpolicy_sigbus {
	int code;                 /* si_code: BUS_ADRERR, BUS_MCEERR_AR ... */
	void *addr;               /* si_addr */
	/* The file, as the kernel names the mapped file at the lookup
	 * (renames followed; " (deleted)" at the end once unlinked). */
	char path[DAXPOLICY_SIGBUS_PATH_MAX];
	uint64_t dev;             /* st_dev */
	uint64_t ino;
	uint64_t file_offset;     /* the byte at si_addr (a memory failure
				     gives the address of its page) */
	/* The poisoned range in the file: the granule of si_addr_lsb for a
	 * machine check, the page of si_addr otherwise; the part of it that
	 * the mapping covers. */
	uint64_t range_offset;
	uint64_t range_length;
	/* The disk the sectors are numbered on ("pmem0"; "" without one). */
	char disk[DAXPOLICY_SIGBUS_DISK_MAX];
	/* The bad sectors of the disk inside the range, from its badblocks
	 * list and the file's extents (FIEMAP), in file order per extent.
	 * bad_error is 0 when they could be read, otherwise a negative
	 * errno: -ENODEV (no badblocks list), -EOPNOTSUPP (no FIEMAP) ...
	 * A list that is empty while bad_error is 0 means the disk does not
	 * know the error (yet): platform errors are added asynchronously,
	 * and a MADV_HWPOISON never is. */
	int bad_error;
	unsigned int bad_count;
	bool bad_truncated;       /* more than DAXPOLICY_SIGBUS_BAD_MAX */
	struct daxpolicy_sigbus_bad bad[DAXPOLICY_SIGBUS_BAD_MAX];
};

/*
 * daxpolicy_sigbus_lookup - which file and bytes a SIGBUS is about.
 * @si: the siginfo of a SIGBUS (SA_SIGINFO handler); its si_addr is looked
 *	up in the registry of @ctx.
 * @out: filled in on success only.
 *
 * Async-signal-safe: it takes no lock, allocates nothing, calls no stdio,
 * and besides plain and atomic loads it only makes the system calls
 * readlink(2) (/proc/self/map_files, sysfs), open(2) (the mapped file again
 * by its name, first with O_PATH and checked to be a regular file, then
 * through /proc/self/fd; /proc/self/maps when the registered range is not
 * one whole kernel mapping; the disk's badblocks attribute), read(2),
 * fstat(2), ioctl(2) FS_IOC_FIEMAP, pread(2) and close(2); it keeps errno.
 * It needs about 2 KiB of stack besides @out. Its search is O(log n) in
 * the number of registered ranges. It is correct while other threads
 * change the registry; other calls on @ctx may run at the same time.
 * bad_error is -ESTALE when the file's name leads to another file by the
 * time of the lookup, -ENOENT when it was unlinked.
 *
 * Returns 0, -ENOENT when si_addr is in no registered mapping (or the
 * kernel maps no file there), -EINVAL
 * for a signal other than SIGBUS or one sent by a process (si_code <= 0),
 * -EAGAIN when the registry kept changing under it (a handler that
 * interrupted the registration of its own thread may see this).
 */
/* siginfo_t is POSIX: <signal.h> leaves it out in a strict ISO C mode
 * without a feature macro (cc -std=c99 alone), and so does this header. */
#if defined(_POSIX_C_SOURCE) || defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) || \
	defined(__cplusplus)
int daxpolicy_sigbus_lookup(struct daxpolicy_ctx *ctx, const siginfo_t *si,
			    struct daxpolicy_sigbus *out);
#endif

/*
 * ---- What the running kernel can do for DAX users (LIBDAXPOLICY_2) ----
 *
 * Each capability is found by asking the kernel where it can be asked (a
 * system call refused one way or another, sysfs, debugfs), and only
 * otherwise from a version landmark or the kernel's build configuration;
 * the method says which. Names (stable): map_sync, statx_dax, fs_dax,
 * dax_inode_ext4, dax_inode_xfs, dax_inode_virtiofs,
 * xfs_reflink_dax, getfsmap, file_getattr, mount_id_unique, device_dax,
 * cxl_poison_list, cxl_poison_inject, userfaultfd_dax.
 */
struct daxpolicy_kernel;
struct daxpolicy_kcap;

enum daxpolicy_kcap_state {
	DAXPOLICY_KCAP_UNKNOWN = 0,   /* could not be found out: see the reason */
	DAXPOLICY_KCAP_YES,
	DAXPOLICY_KCAP_NO,
};

/*
 * Probe the running kernel. @dir (NULL: "/") is where the probes that
 * depend on a filesystem are made: GETFSMAP, and userfaultfd on a DAX
 * mapping, which needs @dir on a DAX filesystem (an unnamed temporary file
 * is made there, and removed). Returns 0 and a list to free with
 * daxpolicy_kernel_free(), or a negative errno (-ENOMEM, -EINVAL).
 */
int daxpolicy_kernel_probe(struct daxpolicy_ctx *ctx, const char *dir,
			   struct daxpolicy_kernel **out);
void daxpolicy_kernel_free(struct daxpolicy_kernel *kernel);
/* uname -r */
const char *daxpolicy_kernel_get_release(struct daxpolicy_kernel *kernel);
struct daxpolicy_kcap *daxpolicy_kernel_get_first(struct daxpolicy_kernel *kernel);
struct daxpolicy_kcap *daxpolicy_kcap_get_next(struct daxpolicy_kcap *cap);
#define daxpolicy_kcap_foreach(kernel, cap)                                   \
	for (cap = daxpolicy_kernel_get_first(kernel); cap;                   \
	     cap = daxpolicy_kcap_get_next(cap))
/* The capability called @name, or NULL. */
struct daxpolicy_kcap *daxpolicy_kernel_get_cap(struct daxpolicy_kernel *kernel,
						const char *name);
const char *daxpolicy_kcap_get_name(struct daxpolicy_kcap *cap);
enum daxpolicy_kcap_state daxpolicy_kcap_get_state(struct daxpolicy_kcap *cap);
/* "probe", "sysfs", "version" or "config". */
const char *daxpolicy_kcap_get_method(struct daxpolicy_kcap *cap);
/* A value where the capability has one (the STATX_ATTR_DAX bit, a device
 * count), else NULL. */
const char *daxpolicy_kcap_get_value(struct daxpolicy_kcap *cap);
/* What was seen, and when missing why and what would give it. */
const char *daxpolicy_kcap_get_reason(struct daxpolicy_kcap *cap);
/* "yes", "no", "unknown". */
const char *daxpolicy_kcap_state_name(enum daxpolicy_kcap_state state);

#ifdef __cplusplus
}
#endif

#endif /* LIBDAXPOLICY_H */
