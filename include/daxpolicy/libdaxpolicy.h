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
 *  - Objects handed out by a context are owned by it (or by the object that
 *    returned them) and stay valid until that owner is released.
 *  - A context may be used from several threads at once unless a function
 *    says otherwise.
 */
#ifndef LIBDAXPOLICY_H
#define LIBDAXPOLICY_H

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
 * daxpolicy_set_log_fn() installs one.
 *
 * Returns 0 or -ENOMEM / -EINVAL.
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

#ifdef __cplusplus
}
#endif

#endif /* LIBDAXPOLICY_H */
