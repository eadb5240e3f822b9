// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdaxpolicy-enforce.so: the directory policy for programs that were
 * never written for it, through LD_PRELOAD. A client of libdaxpolicy like
 * any other: it uses the public header only.
 *
 * A regular file opened under a directory whose policy is "direct" or
 * "sync" must meet it: in enforce mode (the default) the open fails with
 * EOPNOTSUPP and a message naming the file and the reasons (stderr and
 * syslog); in warn mode (DAXPOLICY_ENFORCE=warn, read with secure_getenv:
 * a set-user-ID program always enforces) the message is given and the open
 * goes ahead. Shared mappings of files under a "sync" policy are made with
 * MAP_SYNC. Files elsewhere pass through: the policy of their directory
 * comes from a small cache keyed by the directory's path, so an open
 * outside policy directories costs a hash lookup and no system call.
 *
 * A shared mapping is decided on the file behind the descriptor at mmap
 * time: the policy found at open is used only when the descriptor still
 * refers to the same file (device and inode); any other descriptor (made
 * by dup, fcntl, the C library's fopen, memfd_create, or a number reused
 * after a close the enforcer did not see) is looked up through
 * /proc/self/fd. Where no decision can be made (the directory cannot be
 * opened or named, no memory, no file descriptor left), enforce mode
 * refuses and says why; warn mode warns and goes ahead.
 *
 * Covered: open, open64, openat, openat64 (and their _FORTIFY_SOURCE
 * forms), creat, creat64, mmap, mmap64, close, chdir, fchdir. O_PATH opens
 * pass through (they cannot be read or mapped); O_TMPFILE opens are checked
 * against the directory the file is made in.
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

/* The file an fd was checked as at open, valid while it is the same file. */
struct tracked {
	dev_t dev;
	ino_t ino;
	unsigned char policy;        /* a direct or sync policy, 0: none */
};

static struct {
	pthread_once_t once;
	struct daxpolicy_ctx *ctx;
	int ctx_error;               /* why there is no ctx */
	bool warn;                   /* see warn_mode() */
	int (*openat)(int, const char *, int, ...);
	int (*close)(int);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*chdir)(const char *);
	int (*fchdir)(int);
	pthread_mutex_t lock;
	struct slot slots[CACHE_SLOTS];
	char cwd[PATH_MAX];          /* "" when it cannot be named */
	struct tracked fds[MAX_TRACKED_FD];
} e = { .once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER };

/* Set while the enforcer itself runs: the library's own opens pass. */
static __thread int busy;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * The mode, read once the environment is there: a library loaded before
 * the enforcer (a sanitizer runtime, say) may open files before the C
 * library has set it up. Until then the enforcer enforces.
 */
static pthread_once_t mode_once = PTHREAD_ONCE_INIT;

static void read_mode(void)
{
	const char *mode = secure_getenv("DAXPOLICY_ENFORCE");

	e.warn = mode && strcmp(mode, "warn") == 0;
	if (mode && strcmp(mode, "warn") && strcmp(mode, "enforce"))
		say("DAXPOLICY_ENFORCE=%s is neither 'enforce' nor 'warn': enforcing", mode);
}

static bool warn_mode(void)
{
	if (!environ)
		return false;
	pthread_once(&mode_once, read_mode);
	return e.warn;
}

static void init(void)
{
	int rc;

	e.openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	e.close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	e.mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
	e.chdir = (int (*)(const char *))dlsym(RTLD_NEXT, "chdir");
	e.fchdir = (int (*)(int))dlsym(RTLD_NEXT, "fchdir");
	busy++;
	rc = daxpolicy_new(&e.ctx);
	if (rc < 0) {
		e.ctx = NULL;
		e.ctx_error = -rc;
	}
	if (!getcwd(e.cwd, sizeof(e.cwd)))
		e.cwd[0] = '\0';
	busy--;
}

/* @in with every control character and backslash written as \xNN or \\,
 * so that a file name cannot start a new line of a log. */
static void escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 5 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else if (c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\\\");
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void say(const char *fmt, ...)
{
	char msg[1024], safe[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	escape(msg, safe, sizeof(safe));
	fprintf(stderr, "daxpolicy-enforce: %s\n", safe);
	syslog(LOG_WARNING, "daxpolicy-enforce: %s", safe);
}

static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
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

static void cache_policy(const char *dir, enum daxpolicy_policy policy)
{
	size_t n = strlen(dir);
	uint64_t h = hash_of(dir, n);
	struct slot *s = &e.slots[h % CACHE_SLOTS];
	struct timespec now;
	char *copy = strdup(dir);

	if (!copy)
		return;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	pthread_mutex_lock(&e.lock);
	free(s->dir);
	s->dir = copy;
	s->len = n;
	s->hash = h;
	s->expires = now.tv_sec + CACHE_SECONDS;
	s->policy = policy;
	pthread_mutex_unlock(&e.lock);
}

/* The effective policy of the directory open at @fd: 0 or negative errno. */
static int policy_of_fd(int fd, enum daxpolicy_policy *policy)
{
	enum daxpolicy_policy own;

	return daxpolicy_dir_get_policy(e.ctx, fd, &own, policy, NULL, 0);
}

/* The policy of the directory named @dir (absolute): 0 or negative errno. */
static int policy_of(const char *dir, enum daxpolicy_policy *policy)
{
	int fd, rc;

	if (cached_policy(dir, strlen(dir), policy))
		return 0;
	fd = e.openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = policy_of_fd(fd, policy);
	e.close(fd);
	if (rc == 0)
		cache_policy(dir, *policy);
	return rc;
}

/* The absolute name of @sub (@n bytes) relative to @dirfd, or false when
 * it cannot be named in @len bytes. */
static bool name_of(int dirfd, const char *sub, size_t n, char *dir, size_t len)
{
	int w;

	if (sub[0] == '/') {
		w = snprintf(dir, len, "%.*s", (int)n, sub);
	} else if (dirfd == AT_FDCWD) {
		pthread_mutex_lock(&e.lock);
		w = !e.cwd[0] ? -1 : n ? snprintf(dir, len, "%s/%.*s", e.cwd, (int)n, sub) :
			snprintf(dir, len, "%s", e.cwd);
		pthread_mutex_unlock(&e.lock);
	} else {
		char link[64], base[PATH_MAX];
		ssize_t got;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		got = readlink(link, base, sizeof(base));
		if (got <= 0 || (size_t)got >= sizeof(base) || base[0] != '/')
			return false;
		base[got] = '\0';
		w = n ? snprintf(dir, len, "%s/%.*s", base, (int)n, sub) : snprintf(dir, len, "%s", base);
	}
	return w > 0 && (size_t)w < len;
}

/*
 * The policy of the directory a file was opened in: @path relative to
 * @dirfd, or for O_TMPFILE (@is_dir) the directory @path itself. @dir gets
 * its name for messages. 0 or negative errno: no decision.
 */
static int policy_of_path(int dirfd, const char *path, bool is_dir, enum daxpolicy_policy *policy,
			  char *dir, size_t len)
{
	const char *slash = is_dir ? NULL : strrchr(path, '/');
	size_t n = is_dir ? strlen(path) : !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);
	char sub[PATH_MAX];
	int fd, rc;

	if (n >= sizeof(sub))
		return -ENAMETOOLONG;
	memcpy(sub, path, n);
	sub[n] = '\0';
	if (name_of(dirfd, sub, n, dir, len) && policy_of(dir, policy) == 0)
		return 0;
	/* No name (a working directory longer than PATH_MAX, say), or the
	 * name does not lead there: ask the directory itself, uncached. */
	snprintf(dir, len, "the directory of %s", path);
	fd = e.openat(dirfd, n ? sub : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = policy_of_fd(fd, policy);
	e.close(fd);
	return rc;
}

static bool is_policy(enum daxpolicy_policy policy)
{
	return policy == DAXPOLICY_POLICY_DIRECT || policy == DAXPOLICY_POLICY_SYNC;
}

static void remember(int fd, const struct stat *st, enum daxpolicy_policy policy)
{
	if (fd < 0 || fd >= MAX_TRACKED_FD)
		return;
	pthread_mutex_lock(&e.lock);
	e.fds[fd] = (struct tracked){ st->st_dev, st->st_ino, (unsigned char)policy };
	pthread_mutex_unlock(&e.lock);
}

static void forget(int fd)
{
	if (fd < 0 || fd >= MAX_TRACKED_FD || !__atomic_load_n(&e.fds[fd].policy, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&e.lock);
	e.fds[fd].policy = 0;
	pthread_mutex_unlock(&e.lock);
}

/* The policy @fd (the file @st) was opened under, when the enforcer saw
 * that open and the descriptor still refers to that file. */
static bool remembered(int fd, const struct stat *st, enum daxpolicy_policy *policy)
{
	bool hit = false;

	if (fd < 0 || fd >= MAX_TRACKED_FD)
		return false;
	pthread_mutex_lock(&e.lock);
	if (e.fds[fd].policy && e.fds[fd].dev == st->st_dev && e.fds[fd].ino == st->st_ino) {
		*policy = (enum daxpolicy_policy)e.fds[fd].policy;
		hit = true;
	}
	pthread_mutex_unlock(&e.lock);
	return hit;
}

/* A file that may not be used as it is (@why: negative errno when its
 * policy could not be decided). Returns true when it may go ahead. */
static bool refused(const char *what, enum daxpolicy_policy policy, const char *dir, int why)
{
	struct daxpolicy_reason *reason;
	struct daxpolicy_report *r;
	bool warn = warn_mode();

	if (why < 0) {
		say("%s: %s: cannot tell the policy of %s: %s%s", program_invocation_short_name, what,
		    dir, strerror(-why), warn ? " (warn mode: going ahead)" : " (enforce mode: refused)");
		return warn;
	}
	say("%s: %s: the %s policy of %s is not met%s", program_invocation_short_name, what,
	    daxpolicy_policy_name(policy), dir, warn ? " (warn mode: going ahead)" : "");
	r = daxpolicy_get_refusal(e.ctx);
	if (r) {
		daxpolicy_reason_foreach(r, reason)
			if (daxpolicy_reason_get_severity(reason) != DAXPOLICY_SEVERITY_INFO)
				say("  %s: %s", daxpolicy_reason_get_code(reason),
				    daxpolicy_reason_get_message(reason));
		daxpolicy_report_free(r);
	}
	return warn;
}

static int require(int fd, enum daxpolicy_policy policy)
{
	return daxpolicy_require_fd(e.ctx, fd, policy == DAXPOLICY_POLICY_SYNC ?
				    DAXPOLICY_REQ_SYNC : DAXPOLICY_REQ_DIRECT);
}

/* Check a freshly opened @fd; returns it, or -1 with errno set. */
static int check_open(int fd, int dirfd, const char *path, bool tmpfile)
{
	enum daxpolicy_policy policy = DAXPOLICY_POLICY_INHERIT;
	char dir[PATH_MAX + 32];
	struct stat st;
	int rc, err;

	if (fd < 0 || busy || !path)
		return fd;
	forget(fd);
	/* The common case, an absolute path in a directory without policy:
	 * no copy, no system call. */
	if (path[0] == '/' && !tmpfile && e.ctx) {
		const char *slash = strrchr(path, '/');
		size_t n = slash > path ? (size_t)(slash - path) : 1;

		if (cached_policy(path, n, &policy) && !is_policy(policy))
			return fd;
	}
	busy++;
	rc = e.ctx ? policy_of_path(dirfd, path, tmpfile, &policy, dir, sizeof(dir)) : -e.ctx_error;
	if (!e.ctx)
		snprintf(dir, sizeof(dir), "the directory of %s (no library context)", path);
	if ((rc == 0 && !is_policy(policy)) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		busy--;
		return fd;
	}
	if (rc == 0) {
		rc = require(fd, policy);
		if (rc == 0) {
			remember(fd, &st, policy);
			busy--;
			return fd;
		}
		rc = 0;
	}
	err = rc < 0 ? -rc : EOPNOTSUPP;
	if (refused(path, policy, dir, rc)) {
		if (rc == 0)
			remember(fd, &st, policy);
		busy--;
		return fd;
	}
	busy--;
	e.close(fd);
	errno = err;
	return -1;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	pthread_once(&e.once, init);
	/* An O_PATH descriptor cannot be read, written or mapped. */
	if (flags & O_PATH)
		return e.openat(dirfd, path, flags, mode);
	return check_open(e.openat(dirfd, path, flags, mode), dirfd, path,
			  (flags & O_TMPFILE) == O_TMPFILE);
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
	forget(fd);
	return e.close(fd);
}

/*
 * The policy of the regular file @st open at @fd, for a shared mapping:
 * what its open found when the enforcer saw it, else looked up now (and
 * the file checked against it as an open would be). 0, 1 when the file
 * was refused and may not be mapped, or negative errno: no decision.
 */
static int policy_at_map(int fd, const struct stat *st, enum daxpolicy_policy *policy,
			 char *dir, size_t len)
{
	char link[64], target[PATH_MAX];
	char *slash;
	ssize_t got;
	int rc;

	if (remembered(fd, st, policy))
		return 0;
	if (!e.ctx) {
		snprintf(dir, len, "the directory of fd %d (no library context)", fd);
		return -e.ctx_error;
	}
	snprintf(dir, len, "the directory of fd %d", fd);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	got = readlink(link, target, sizeof(target));
	if (got < 0)
		return -errno;
	if ((size_t)got >= sizeof(target))
		return -ENAMETOOLONG;
	target[got] = '\0';
	/* Not in a directory tree (an anonymous inode): no policy applies. */
	slash = strrchr(target, '/');
	if (target[0] != '/' || !slash) {
		*policy = DAXPOLICY_POLICY_INHERIT;
		return 0;
	}
	*slash = '\0';
	snprintf(dir, len, "%s", slash == target ? "/" : target);
	rc = policy_of(dir, policy);
	if (rc < 0 || !is_policy(*policy))
		return rc;
	if (require(fd, *policy) == 0) {
		remember(fd, st, *policy);
		return 0;
	}
	*slash = '/';
	return refused(target, *policy, dir, 0) ? 0 : 1;
}

EXPORT void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	enum daxpolicy_policy policy = DAXPOLICY_POLICY_INHERIT;
	int type = flags & MAP_TYPE;
	char dir[PATH_MAX + 64], what[64];
	struct stat st;
	void *p;
	int rc;

	pthread_once(&e.once, init);
	if (busy || fd < 0 || (type != MAP_SHARED && type != MAP_SHARED_VALIDATE) ||
	    (flags & MAP_SYNC) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return e.mmap(addr, length, prot, flags, fd, offset);
	busy++;
	rc = policy_at_map(fd, &st, &policy, dir, sizeof(dir));
	busy--;
	snprintf(what, sizeof(what), "fd %d", fd);
	if (rc < 0 && !refused(what, policy, dir, rc)) {
		errno = -rc;
		return MAP_FAILED;
	}
	if (rc == 1) {
		errno = EOPNOTSUPP;
		return MAP_FAILED;
	}
	if (rc < 0 || policy != DAXPOLICY_POLICY_SYNC)
		return e.mmap(addr, length, prot, flags, fd, offset);
	/* A file under a sync policy: the mapping is MAP_SYNC or nothing. */
	p = e.mmap(addr, length, prot, (flags & ~MAP_TYPE) | MAP_SHARED_VALIDATE | MAP_SYNC, fd, offset);
	if (p != MAP_FAILED || (errno != EOPNOTSUPP && errno != EINVAL))
		return p;
	say("%s: fd %d: MAP_SYNC refused under a sync policy%s", program_invocation_short_name, fd,
	    warn_mode() ? " (warn mode: mapping without it)" : "");
	if (warn_mode())
		return e.mmap(addr, length, prot, flags, fd, offset);
	errno = EOPNOTSUPP;
	return MAP_FAILED;
}

EXPORT void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	return mmap(addr, length, prot, flags, fd, offset);
}

/* Relative paths are named from the cached working directory ("" when it
 * is longer than PATH_MAX: then the directory itself is asked). */
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
