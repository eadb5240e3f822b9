// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdaxpolicy-enforce.so: the directory policy for programs that were
 * never written for it, through LD_PRELOAD.
 *
 * A regular file opened under a directory whose policy is "direct" or
 * "sync" must meet it: in enforce mode (the default) the open fails with
 * EOPNOTSUPP and a message naming the file and the reasons (stderr and
 * syslog); in warn mode (DAXPOLICY_ENFORCE=warn) the message is given and
 * the open goes ahead. Shared mappings of files under a "sync" policy are
 * made with MAP_SYNC. Files elsewhere pass through: the policy of their
 * directory comes from a small cache keyed by the directory's path, so an
 * open outside policy directories costs a hash lookup and no system call.
 *
 * Covered: open, open64, openat, openat64 (and their _FORTIFY_SOURCE
 * forms), creat, creat64, mmap, mmap64, close, chdir, fchdir. Files opened
 * by the C library itself (fopen) are not seen.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "kernel-abi.h"

#define EXPORT __attribute__((visibility("default")))

/* How long a directory's policy is trusted before it is read again. */
#define CACHE_SECONDS 2
#define CACHE_SLOTS 512
#define MAX_TRACKED_FD 65536

struct slot {
	uint64_t hash;
	time_t expires;
	enum daxpolicy_policy policy;
	size_t len;
	char *dir;                   /* malloc'ed; replaced under e.lock */
};

static struct {
	pthread_once_t once;
	struct daxpolicy_ctx *ctx;
	bool warn;
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*chdir)(const char *);
	int (*fchdir)(int);
	pthread_mutex_t lock;
	struct slot slots[CACHE_SLOTS];
	char cwd[PATH_MAX];          /* "" when unknown (after fchdir) */
	/* The policy each open fd was checked against (0: none). */
	unsigned char fd_policy[MAX_TRACKED_FD];
} e = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Set while the enforcer itself runs: the library's own opens pass. */
static __thread int busy;

static void init(void)
{
	const char *mode = getenv("DAXPOLICY_ENFORCE");

	e.open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	e.openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	e.close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	e.mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	e.chdir = (int (*)(const char *))dlsym(RTLD_NEXT, "chdir");
	e.fchdir = (int (*)(int))dlsym(RTLD_NEXT, "fchdir");
	e.warn = mode && strcmp(mode, "warn") == 0;
	busy++;
	if (daxpolicy_new(&e.ctx) < 0)
		e.ctx = NULL;
	if (!getcwd(e.cwd, sizeof(e.cwd)))
		e.cwd[0] = '\0';
	busy--;
	if (mode && strcmp(mode, "warn") && strcmp(mode, "enforce"))
		fprintf(stderr, "daxpolicy-enforce: DAXPOLICY_ENFORCE=%s is neither 'enforce' nor 'warn': enforcing\n",
			mode);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "daxpolicy-enforce: %s\n", msg);
	syslog(LOG_WARNING, "daxpolicy-enforce: %s", msg);
}

static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The absolute directory of @path (relative to @dirfd), or false when it
 * cannot be named without a system call it is not worth. */
static bool directory_of(int dirfd, const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	int w;

	if (path[0] == '/') {
		w = snprintf(dir, len, "%.*s", (int)(n ? n : 1), path);
	} else if (dirfd == AT_FDCWD) {
		pthread_mutex_lock(&e.lock);
		w = !e.cwd[0] ? -1 : n ? snprintf(dir, len, "%s/%.*s", e.cwd, (int)n, path) :
			snprintf(dir, len, "%s", e.cwd);
		pthread_mutex_unlock(&e.lock);
	} else {
		char link[64], base[PATH_MAX];
		ssize_t got;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		got = readlink(link, base, sizeof(base) - 1);
		if (got <= 0)
			return false;
		base[got] = '\0';
		w = n ? snprintf(dir, len, "%s/%.*s", base, (int)n, path) : snprintf(dir, len, "%s", base);
	}
	return w > 0 && (size_t)w < len;
}

/* The cached policy of the directory @dir (@n bytes, not terminated);
 * false when it is not cached or has expired. */
static bool cached_policy(const char *dir, size_t n, enum daxpolicy_policy *policy)
{
	uint64_t h = hash_of(dir, n);
	struct slot *s = &e.slots[h % CACHE_SLOTS];
	struct timespec now;
	bool hit;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	pthread_mutex_lock(&e.lock);
	hit = s->hash == h && s->len == n && s->expires > now.tv_sec && memcmp(s->dir, dir, n) == 0;
	if (hit)
		*policy = s->policy;
	pthread_mutex_unlock(&e.lock);
	return hit;
}

static enum daxpolicy_policy policy_of(const char *dir)
{
	size_t n = strlen(dir);
	uint64_t h = hash_of(dir, n);
	struct slot *s = &e.slots[h % CACHE_SLOTS];
	enum daxpolicy_policy own, policy = DAXPOLICY_POLICY_INHERIT;
	struct timespec now;
	char *copy;
	int fd;

	if (cached_policy(dir, n, &policy))
		return policy;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	fd = e.open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		if (daxpolicy_dir_get_policy(e.ctx, fd, &own, &policy, NULL, 0) < 0)
			policy = DAXPOLICY_POLICY_INHERIT;
		e.close(fd);
	}
	copy = strdup(dir);
	if (!copy)
		return policy;
	pthread_mutex_lock(&e.lock);
	free(s->dir);
	s->dir = copy;
	s->len = n;
	s->hash = h;
	s->expires = now.tv_sec + CACHE_SECONDS;
	s->policy = policy;
	pthread_mutex_unlock(&e.lock);
	return policy;
}

static void track(int fd, enum daxpolicy_policy policy)
{
	if (fd >= 0 && fd < MAX_TRACKED_FD)
		__atomic_store_n(&e.fd_policy[fd], (unsigned char)policy, __ATOMIC_RELAXED);
}

/* Check a freshly opened @fd; returns it, or -1 with errno set. */
static int check_open(int fd, int dirfd, const char *path)
{
	enum daxpolicy_policy policy;
	struct daxpolicy_reason *reason;
	struct daxpolicy_report *r;
	char dir[PATH_MAX];
	struct stat st;
	int rc;

	if (fd < 0 || busy || !path)
		return fd;
	track(fd, DAXPOLICY_POLICY_INHERIT);
	if (!e.ctx)
		return fd;
	/* The common case, an absolute path in a directory without policy:
	 * no copy, no system call. */
	if (path[0] == '/') {
		const char *slash = strrchr(path, '/');
		size_t n = slash > path ? (size_t)(slash - path) : 1;

		if (cached_policy(path, n, &policy) && policy != DAXPOLICY_POLICY_DIRECT &&
		    policy != DAXPOLICY_POLICY_SYNC)
			return fd;
	}
	if (!directory_of(dirfd, path, dir, sizeof(dir)))
		return fd;
	busy++;
	policy = policy_of(dir);
	if ((policy != DAXPOLICY_POLICY_DIRECT && policy != DAXPOLICY_POLICY_SYNC) ||
	    fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		busy--;
		return fd;
	}
	track(fd, policy);
	rc = daxpolicy_require_fd(e.ctx, fd, policy == DAXPOLICY_POLICY_SYNC ?
				  DAXPOLICY_REQ_SYNC : DAXPOLICY_REQ_DIRECT);
	if (rc == 0) {
		busy--;
		return fd;
	}
	say("%s: %s: the %s policy of %s is not met%s", program_invocation_short_name, path,
	    daxpolicy_policy_name(policy), dir, e.warn ? " (warn mode: going ahead)" : "");
	r = daxpolicy_get_refusal(e.ctx);
	if (r) {
		daxpolicy_reason_foreach(r, reason)
			if (daxpolicy_reason_get_severity(reason) != DAXPOLICY_SEVERITY_INFO)
				say("  %s: %s", daxpolicy_reason_get_code(reason),
				    daxpolicy_reason_get_message(reason));
		daxpolicy_report_free(r);
	}
	busy--;
	if (e.warn)
		return fd;
	track(fd, DAXPOLICY_POLICY_INHERIT);
	e.close(fd);
	errno = EOPNOTSUPP;
	return -1;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	pthread_once(&e.once, init);
	return check_open(e.openat(dirfd, path, flags, mode), dirfd, path);
}

EXPORT int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	return do_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

EXPORT int __open_2(const char *path, int flags);
EXPORT int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

EXPORT int __open64_2(const char *path, int flags);
EXPORT int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags);
EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags);
EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

EXPORT int creat(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

EXPORT int creat64(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE, mode);
}

EXPORT int close(int fd)
{
	pthread_once(&e.once, init);
	track(fd, DAXPOLICY_POLICY_INHERIT);
	return e.close(fd);
}

EXPORT void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	int type = flags & MAP_TYPE;
	void *p;

	pthread_once(&e.once, init);
	if (busy || fd < 0 || fd >= MAX_TRACKED_FD || (type != MAP_SHARED && type != MAP_SHARED_VALIDATE) ||
	    (flags & MAP_SYNC) ||
	    __atomic_load_n(&e.fd_policy[fd], __ATOMIC_RELAXED) != DAXPOLICY_POLICY_SYNC)
		return e.mmap(addr, length, prot, flags, fd, offset);
	/* A file under a sync policy: the mapping is MAP_SYNC or nothing. */
	p = e.mmap(addr, length, prot, (flags & ~MAP_TYPE) | MAP_SHARED_VALIDATE | MAP_SYNC, fd, offset);
	if (p != MAP_FAILED || (errno != EOPNOTSUPP && errno != EINVAL))
		return p;
	say("%s: fd %d: MAP_SYNC refused under a sync policy%s", program_invocation_short_name, fd,
	    e.warn ? " (warn mode: mapping without it)" : "");
	if (e.warn)
		return e.mmap(addr, length, prot, flags, fd, offset);
	errno = EOPNOTSUPP;
	return MAP_FAILED;
}

EXPORT void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	return mmap(addr, length, prot, flags, fd, offset);
}

/* Relative paths are resolved against the cached working directory. */
static int refresh_cwd(int rc)
{
	if (rc == 0) {
		pthread_mutex_lock(&e.lock);
		if (!getcwd(e.cwd, sizeof(e.cwd)))
			e.cwd[0] = '\0';
		pthread_mutex_unlock(&e.lock);
	}
	return rc;
}

EXPORT int chdir(const char *path)
{
	pthread_once(&e.once, init);
	return refresh_cwd(e.chdir(path));
}

EXPORT int fchdir(int fd)
{
	pthread_once(&e.once, init);
	return refresh_cwd(e.fchdir(fd));
}
