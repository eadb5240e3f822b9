/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal declarations shared by the library's source files. */
#ifndef DAXPOLICY_PRIVATE_H
#define DAXPOLICY_PRIVATE_H

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>

#include <daxpolicy/libdaxpolicy.h>

#define DAXPOLICY_EXPORT __attribute__((visibility("default")))

struct dp_mount_cache;
struct dp_device_cache;

struct daxpolicy_ctx {
	pthread_mutex_t lock;
	int refcount;
	int log_priority;
	daxpolicy_log_fn log_fn;
	void *log_data;
	void *userdata;
	/* Prefix for every /sys and /proc path the library reads itself
	 * (DAXPOLICY_SYSROOT, for tests against captured trees); "" normally. */
	char sysroot[PATH_MAX];
	unsigned int kernel_major, kernel_minor;  /* running kernel, 0 unknown */
	struct dp_mount_cache *mounts;    /* guarded by lock */
	struct dp_device_cache *devices;  /* guarded by lock */
	unsigned int env_req;             /* DAXPOLICY_REQUIRE */
	pthread_key_t refusal_key;        /* each thread's last refusal */
	struct dp_map_registry *mappings; /* daxpolicy_mmap() and the SIGBUS
					     registry (map-registry.c); set
					     once, with an atomic store */
};

void daxpolicy_log(struct daxpolicy_ctx *ctx, int priority, const char *file,
		   int line, const char *fn, const char *format, ...)
	__attribute__((format(printf, 6, 7)));

#define dp_log_cond(ctx, prio, ...)                                           \
	do {                                                                  \
		if (daxpolicy_get_log_priority(ctx) >= (prio))                \
			daxpolicy_log(ctx, prio, __FILE__, __LINE__,          \
				      __func__, __VA_ARGS__);                 \
	} while (0)

#define err(ctx, ...) dp_log_cond(ctx, LOG_ERR, __VA_ARGS__)
#define info(ctx, ...) dp_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define dbg(ctx, ...) dp_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)

/* ---- sysfs.c: reading /sys and /proc through the re-rootable prefix ---- */

/* Format "<sysroot><path>" into @buf; -ENAMETOOLONG when it does not fit. */
int dp_sys_path(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Read a small attribute file, trailing newline removed. Returns the length
 * or a negative errno. */
int dp_read_attr(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Read an attribute holding one unsigned number (decimal or 0x hex);
 * -EINVAL when it holds anything else. */
int dp_read_u64(struct daxpolicy_ctx *ctx, uint64_t *val, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The target of the symlink at the path; its length or a negative errno. */
int dp_read_link(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Last component of the target of the symlink at the path
 * ("../../../pmem0" -> "pmem0"). */
int dp_read_link_name(struct daxpolicy_ctx *ctx, char *buf, size_t len,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* snprintf that reports truncation as -ENAMETOOLONG. */
int dp_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- mount.c: the mount table (libmount), cached per context ---- */

/* One mount, shared by the cache and the reports that refer to it; immutable
 * once published, but for the filesystem facts filled in by the first probe. */
struct dp_mount {
	int refcount;
	bool placeholder;         /* static, never counted or freed */
	char *target;
	char *source;
	char *fstype;
	char *options;            /* super (filesystem) options */
	dev_t dev;
	int id;                   /* mountinfo id, reused by the kernel */
	uint64_t unique_id;       /* STATX_MNT_ID_UNIQUE, 0 until seen */
	enum daxpolicy_dax_mode dax_mode;
	bool dax_mode_explicit;
	/* Facts set once by the first probe on this mount (under ctx->lock). */
	bool fs_known;
	unsigned long block_size;
	bool xfs_reflink, xfs_rmapbt;
	struct dp_device *device;  /* a reference, or NULL */
	/* DAXPOLICY_PROBE_FAST verdicts, which depend on nothing but the mount,
	 * the object type and the effective DAX bit: [file/dir][dax]. */
	struct daxpolicy_report *fast[2][2];
};

/* A mount entry with copies of the strings (NULL means ""); NULL on ENOMEM. */
struct dp_mount *dp_mount_new(const char *target, const char *source,
			      const char *fstype, const char *options);
struct dp_mount *dp_mount_ref(struct dp_mount *m);
void dp_mount_unref(struct dp_mount *m);
/* The placeholder for an object whose mount is not in the table. */
extern struct dp_mount dp_mount_unknown;

/* Find the mount with mount id @mnt_id (from statx STATX_MNT_ID; -1 when
 * unknown) on device @dev; without an id, the mount of @dev whose target is
 * the longest prefix of @path. 0, -ENOENT, or another negative errno. */
int dp_mount_lookup(struct daxpolicy_ctx *ctx, int mnt_id, dev_t dev,
		    const char *path, struct dp_mount **out);
struct dp_object;
/* The mount with unique id @unique_id, if a probe has remembered it (no
 * system call: a unique id is never reused, so the entry cannot be stale),
 * with its remembered filesystem facts copied into @o and a reference to its
 * device in @device. NULL when not remembered. */
struct dp_mount *dp_mount_find_unique(struct daxpolicy_ctx *ctx, uint64_t unique_id,
				      struct dp_object *o, struct dp_device **device);
/* How statx named a mount: its unique id (0 when the kernel has none),
 * else its reusable id and device. */
struct dp_mount_key {
	uint64_t unique_id;
	int id;
	dev_t dev;
};
/* A remembered DAXPOLICY_PROBE_FAST verdict (a new reference), or NULL. */
struct daxpolicy_report *dp_mount_fast_verdict(struct daxpolicy_ctx *ctx, const struct dp_mount_key *key,
					       enum daxpolicy_object_type type, bool dax);
/* Remember @r as the FAST verdict for its type and DAX bit on @m. */
void dp_mount_keep_fast_verdict(struct daxpolicy_ctx *ctx, struct dp_mount *m,
				struct daxpolicy_report *r);
/* Remember the unique id (0: none), filesystem facts and device of @m. */
void dp_mount_remember(struct daxpolicy_ctx *ctx, struct dp_mount *m, uint64_t unique_id,
		       const struct dp_object *o, struct dp_device *device);
/* The DAX mode a filesystem applies, given its super options. */
void dp_mount_parse_dax(const char *fstype, const char *options,
			enum daxpolicy_dax_mode *mode, bool *explicit_mode);
/* Filesystems that can do DAX at all. */
bool dp_fstype_dax_capable(const char *fstype);
void dp_mount_cache_free(struct dp_mount_cache *cache);

/* ---- device.c: the block device chain under a filesystem ---- */

/* Shared like struct dp_mount; immutable once published. */
struct dp_device {
	int refcount;
	bool placeholder;         /* static (or on the stack), never counted */
	dev_t devno;
	char name[64];            /* e.g. pmem0p1, dm-0, loop3 */
	char disk[64];            /* whole disk of a partition, else "" */
	char kind[16];            /* pmem dm loop virtio-blk nvme scsi other none */
	uint64_t start;           /* partition start in bytes */
	int dax;                  /* queue/dax: 1, 0, -1 unknown */
	bool sync;                /* synchronous (MAP_SYNC capable) DAX */
	bool virtio_pmem;         /* asynchronous DAX through virtio-pmem */
	char slaves[256];         /* dm: component devices, space separated */
	/* the nvdimm namespace behind a pmem disk (libndctl) */
	char ns_name[64];         /* namespace0.0 */
	char ns_mode[16];         /* fsdax raw sector devdax unknown */
	char ns_map[8];           /* dev mem */
	uint64_t ns_align;
	uint64_t ns_size;
	char region[64];
	char persistence_domain[32];
	char dax_dev[64];         /* devdax: the character device (dax0.0) */
	char needs_module[32];    /* a module the namespace needs, not loaded */
	bool damaged;             /* some sysfs attribute was unreadable */
	char damage[256];         /* which one, for the reason message */
	struct daxpolicy_cxl *cxl; /* the CXL chain under the region, or NULL */
};

/* Facts about block device @devno; cached per context. 0 or -ENOMEM. */
int dp_device_lookup(struct daxpolicy_ctx *ctx, dev_t devno, struct dp_device **out);
/* Read the facts of @devno into @dev (no cache). */
void dp_device_read(struct daxpolicy_ctx *ctx, dev_t devno, struct dp_device *dev);
/* The CXL chain under @dev's nvdimm region into dev->cxl (left NULL when
 * the region is not on CXL; damage noted when it cannot be read). */
void dp_device_read_cxl(struct daxpolicy_ctx *ctx, struct dp_device *dev);
struct dp_device *dp_device_new(void);
struct dp_device *dp_device_ref(struct dp_device *d);
void dp_device_unref(struct dp_device *d);
extern struct dp_device dp_device_unknown;
void dp_device_cache_free(struct dp_device_cache *cache);

/* ---- nvdimm.c: namespace facts through libndctl ---- */

/* Fill the ns_* fields of @dev for the pmem disk named @disk. 0, or -ENOENT
 * when no namespace has that block device. */
int dp_nvdimm_lookup(struct daxpolicy_ctx *ctx, const char *disk, struct dp_device *dev);
/* Fill @dev for the namespace named @ns (namespace0.0), with its block
 * device's facts when it has one. 0, or -ENOENT when there is no such
 * namespace. */
int dp_nvdimm_namespace(struct daxpolicy_ctx *ctx, const char *ns, struct dp_device *dev);
/* Receives bad ranges (in 512-byte sectors) and the list that named them. */
typedef int (*dp_range_fn)(void *arg, uint64_t sector, uint64_t count, const char *source);

/* The bad ranges of the namespace behind pmem disk @disk, numbered like the
 * disk, passed to @add with source "namespace" or "region"; -ENOENT when
 * no nvdimm namespace has this disk. */
int dp_nvdimm_badblocks(struct daxpolicy_ctx *ctx, const char *disk, dp_range_fn add, void *arg);

/* ---- dm-table.c: a device-mapper device's table ---- */

struct dp_dm_target {
	uint64_t start, length;   /* sectors of the device-mapper device */
	char type[16];            /* linear striped error zero ... */
	dev_t dev;                /* linear: the device mapped to, */
	uint64_t offset;          /* and the sector there that @start maps to */
};

/* The targets of device-mapper device @dev, in its sector order (free()
 * them); -EACCES/-EPERM without CAP_SYS_ADMIN. */
int dp_dm_table(struct daxpolicy_ctx *ctx, dev_t dev, struct dp_dm_target **targets, size_t *count);
/* The targets in a DM_TABLE_STATUS answer of @size bytes; -EPROTO when it
 * is malformed. */
int dp_dm_parse_table(const void *buf, size_t size, struct dp_dm_target **targets, size_t *count);

/* ---- modules.c: kernel modules through libkmod ---- */

enum dp_module_state {
	DP_MODULE_LOADED,
	DP_MODULE_BUILTIN,
	DP_MODULE_AVAILABLE,     /* installed, not loaded */
	DP_MODULE_MISSING,       /* not installed for this kernel */
	DP_MODULE_UNKNOWN,
};
enum dp_module_state dp_module_state(struct daxpolicy_ctx *ctx, const char *name);

/* ---- reasons.c: the reason catalogue ---- */

struct daxpolicy_reason {
	struct daxpolicy_reason *next;
	const char *code;
	enum daxpolicy_severity severity;
	char *message;
	const char *hint;
};

/* Append a reason with @code (which must be in the catalogue) and a
 * formatted message naming the concrete objects, at *@tail. 0 or -ENOMEM. */
int dp_reason_append(struct daxpolicy_reason ***tail, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* The same, to a report. */
int dp_report_add_reason(struct daxpolicy_report *report, const char *code,
			 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- report.c, probe.c, evaluate.c ---- */

/* Facts about the probed inode itself. */
struct dp_object {
	enum daxpolicy_object_type type;
	unsigned int statx_dax_attr;  /* the DAX bit the kernel reports, 0 none */
	bool dax_now;             /* effective S_DAX (statx) */
	int flag;                 /* FS_XFLAG_DAX: 1, 0, -1 unknown */
	bool realtime;            /* FS_XFLAG_REALTIME */
	int map_sync_probe;       /* -1 not tried, 0 refused, 1 worked */
	int map_sync_errno;
	int tmpfile_dax;          /* directory O_TMPFILE probe: -1 none, 0, 1 */
	unsigned long block_size;
	bool xfs_reflink, xfs_rmapbt;
	unsigned int kernel_major, kernel_minor;
	enum daxpolicy_policy policy;  /* effective directory policy */
	char *policy_source;           /* where it is recorded, or NULL */
};

struct daxpolicy_report {
	int refcount;               /* FAST verdicts are shared */
	char *path;
	struct dp_object obj;
	struct dp_mount *mount;     /* a reference, never NULL */
	struct dp_device *device;   /* a reference, never NULL */
	unsigned long page_size;
	bool dax;
	bool map_sync;
	bool huge;
	enum daxpolicy_evidence map_sync_evidence;
	enum daxpolicy_state state;
	struct daxpolicy_reason *reasons;
	struct daxpolicy_reason **reasons_tail;
};

/* A zeroed report owning a copy of @path. NULL on ENOMEM. */
struct daxpolicy_report *dp_report_new(const char *path);
struct daxpolicy_report *dp_report_ref(struct daxpolicy_report *r);

void dp_report_clear_reasons(struct daxpolicy_report *report);

/* Apply the kernel's rules to the gathered facts: fills dax, map_sync,
 * huge, state and the reasons (replacing earlier ones). Pure: no system
 * calls. 0 or -ENOMEM. */
int dp_evaluate(struct daxpolicy_report *report);

/* ---- require.c, open.c, map.c: requirements ---- */

/* policy.c: the value of a "user.daxpolicy" record (@len bytes, not
 * terminated): a policy's name exactly, or -EINVAL (and INHERIT). */
int dp_policy_parse_record(const char *value, size_t len, enum daxpolicy_policy *policy);

#define DAXPOLICY_REQ_MASK (DAXPOLICY_REQ_DIRECT | DAXPOLICY_REQ_SYNC)
/* "direct,sync" -> bits; -EINVAL for an unknown word. */
int dp_parse_requirements(const char *text, unsigned int *req);
bool dp_report_meets(struct daxpolicy_report *r, unsigned int req);
/* Keep @r (consumed) as the calling thread's refusal; -EOPNOTSUPP. */
int dp_refuse(struct daxpolicy_ctx *ctx, struct daxpolicy_report *r);
/* Probe @fd for the refusal report; -EOPNOTSUPP (or the probe's error). */
int dp_refuse_fd(struct daxpolicy_ctx *ctx, int fd);
struct dp_map_registry;
void dp_mappings_free(struct dp_map_registry *reg);
/* How many mappings of daxpolicy_mmap() the context keeps (for tests). */
size_t dp_mappings_count(struct daxpolicy_ctx *ctx);
/* The context's registry of mappings (made on first use when @create;
 * NULL when there is none or on ENOMEM). Without @create it is
 * async-signal-safe: one atomic load, no lock. */
struct dp_map_registry *dp_mappings_sigbus(struct daxpolicy_ctx *ctx, bool create);

/* ---- kernel-caps.c, kernel-caps-judge.c, kernel-caps-list.c: what the
 * running kernel can do for DAX users ---- */

/* Raw answers of the kernel, gathered by kernel-caps.c (or built by a test).
 * An errno field holds 0 for success, a positive errno, or -1 when the
 * probe was not made. */
struct dp_kernel_facts {
	char release[65];                 /* uname -r */
	unsigned int major, minor;        /* 0 when unknown */
	int map_sync_errno;               /* mmap(MAP_SHARED_VALIDATE|MAP_SYNC) of a memfd */
	int statx_errno;                  /* statx of the memfd */
	uint64_t statx_attributes_mask;
	int mnt_errno;                    /* statx(STATX_MNT_ID_UNIQUE) of "/" */
	uint32_t mnt_mask;                /* stx_mask it returned */
	int getattr_errno;                /* file_getattr(-1, ...) */
	int config_fs_dax;                /* CONFIG_FS_DAX: 1 y, 0 unset, -1 no config */
	char config_path[PATH_MAX];       /* where that was read ("" none) */
	bool fs_ext4, fs_xfs, fs_virtiofs, fs_known; /* /proc/filesystems */
	int fsmap_errno;                  /* FS_IOC_GETFSMAP on the directory */
	char fsmap_dir[PATH_MAX];         /* that directory */
	char fsmap_fstype[32];            /* its filesystem (statfs magic name) */
	int dax_bus;                      /* /sys/bus/dax: 1 present, 0 absent */
	unsigned int dax_devices;
	int cxl_bus;                      /* /sys/bus/cxl: 1 present, 0 absent */
	unsigned int cxl_memdevs, cxl_poison_list; /* memdevs; with trigger_poison_list */
	int debugfs;                      /* 1 mounted and readable, 0 not, -1 denied */
	unsigned int cxl_inject;          /* memdevs with debugfs inject_poison */
	int uffd_errno;                   /* userfaultfd(2) */
	int uffd_dax_errno;               /* UFFDIO_REGISTER (missing) on a DAX mapping */
	char uffd_dax_file[PATH_MAX];     /* the directory that mapping was made in */
	char uffd_dax_why[160];           /* why it was not tried (uffd_dax_errno -1) */
};

struct daxpolicy_kcap {
	struct daxpolicy_kcap *next;
	char name[32];
	enum daxpolicy_kcap_state state;
	char method[16];                  /* probe, sysfs, version, config */
	char value[64];                   /* "" none */
	char reason[512];
};

struct daxpolicy_kernel {
	char release[65];
	struct daxpolicy_kcap *first, *last;
};

/* Gather the facts; @dir (may be NULL: "/") is where the per-filesystem
 * probes look. 0 or a negative errno (only ENOMEM-like failures: what the
 * kernel refuses is a fact). */
int dp_kernel_gather(struct daxpolicy_ctx *ctx, const char *dir, struct dp_kernel_facts *f);
/* Judge the facts into a capability list. Pure. 0 or -ENOMEM. */
int dp_kernel_judge(const struct dp_kernel_facts *f, struct daxpolicy_kernel **out);
/* Append a capability; NULL on ENOMEM. */
struct daxpolicy_kcap *dp_kernel_add(struct daxpolicy_kernel *k, const char *name,
				     enum daxpolicy_kcap_state state, const char *method,
				     const char *value, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif /* DAXPOLICY_PRIVATE_H */
