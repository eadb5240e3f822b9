// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library context: reference counting, logging and user data. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "private.h"

static int log_priority_from_string(const char *s)
{
	char *end;
	long prio;

	errno = 0;
	prio = strtol(s, &end, 10);
	if (errno == 0 && end != s && (*end == '\0' || isspace((unsigned char)*end)))
		return (int)prio;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return LOG_ERR;
}

static void free_refusal(void *report)
{
	daxpolicy_report_free(report);
}

DAXPOLICY_EXPORT int daxpolicy_new(struct daxpolicy_ctx **ctx)
{
	const char *log_env = secure_getenv("DAXPOLICY_LOG");
	const char *req_env = secure_getenv("DAXPOLICY_REQUIRE");
	const char *root_env = secure_getenv("DAXPOLICY_SYSROOT");
	struct daxpolicy_ctx *c;
	struct utsname uts;
	unsigned int req = 0;

	if (!ctx)
		return -EINVAL;
	/* An administrator's stricter requirement for this program: a typo
	 * must not silently turn it off. */
	if (req_env && dp_parse_requirements(req_env, &req) < 0)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	/* Tests point the library at a captured /sys and /proc tree. */
	if (root_env && dp_snprintf(c->sysroot, sizeof(c->sysroot), "%s", root_env) < 0) {
		free(c);
		return -ENAMETOOLONG;
	}
	if (pthread_key_create(&c->refusal_key, free_refusal) != 0) {
		free(c);
		return -EAGAIN;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->refcount = 1;
	c->env_req = req;
	c->log_priority = log_env ? log_priority_from_string(log_env) : LOG_ERR;
	if (uname(&uts) == 0 &&
	    sscanf(uts.release, "%u.%u", &c->kernel_major, &c->kernel_minor) != 2)
		c->kernel_major = c->kernel_minor = 0;
	*ctx = c;
	return 0;
}

DAXPOLICY_EXPORT struct daxpolicy_ctx *daxpolicy_ref(struct daxpolicy_ctx *ctx)
{
	if (ctx)
		__atomic_add_fetch(&ctx->refcount, 1, __ATOMIC_SEQ_CST);
	return ctx;
}

DAXPOLICY_EXPORT struct daxpolicy_ctx *daxpolicy_unref(struct daxpolicy_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (__atomic_sub_fetch(&ctx->refcount, 1, __ATOMIC_SEQ_CST) > 0)
		return ctx;
	/* This thread's refusal; other threads' go with their exit. */
	daxpolicy_report_free(pthread_getspecific(ctx->refusal_key));
	pthread_key_delete(ctx->refusal_key);
	dp_mappings_free(ctx->mappings);
	dp_mount_cache_free(ctx->mounts);
	dp_device_cache_free(ctx->devices);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
	return NULL;
}

/* The log function, apart from ctx->lock: messages come from code that
 * holds ctx->lock. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

DAXPOLICY_EXPORT void daxpolicy_set_log_fn(struct daxpolicy_ctx *ctx,
					   daxpolicy_log_fn fn, void *data)
{
	pthread_mutex_lock(&log_lock);
	ctx->log_fn = fn;
	ctx->log_data = data;
	pthread_mutex_unlock(&log_lock);
}

DAXPOLICY_EXPORT int daxpolicy_get_log_priority(struct daxpolicy_ctx *ctx)
{
	return __atomic_load_n(&ctx->log_priority, __ATOMIC_RELAXED);
}

DAXPOLICY_EXPORT void daxpolicy_set_log_priority(struct daxpolicy_ctx *ctx,
						 int priority)
{
	__atomic_store_n(&ctx->log_priority, priority, __ATOMIC_RELAXED);
}

DAXPOLICY_EXPORT void daxpolicy_set_userdata(struct daxpolicy_ctx *ctx,
					     void *userdata)
{
	ctx->userdata = userdata;
}

DAXPOLICY_EXPORT void *daxpolicy_get_userdata(struct daxpolicy_ctx *ctx)
{
	return ctx->userdata;
}

DAXPOLICY_EXPORT const char *daxpolicy_get_version(void)
{
	return PACKAGE_VERSION;
}

void daxpolicy_log(struct daxpolicy_ctx *ctx, int priority, const char *file,
		   int line, const char *fn, const char *format, ...)
{
	daxpolicy_log_fn log_fn;
	void *data;
	va_list args;

	pthread_mutex_lock(&log_lock);
	log_fn = ctx->log_fn;
	data = ctx->log_data;
	pthread_mutex_unlock(&log_lock);
	if (!log_fn)
		return;
	va_start(args, format);
	log_fn(data, priority, file, line, fn, format, args);
	va_end(args);
}
