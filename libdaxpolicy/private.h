/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal declarations shared by the library's source files. */
#ifndef DAXPOLICY_PRIVATE_H
#define DAXPOLICY_PRIVATE_H

#include <pthread.h>
#include <syslog.h>

#include <daxpolicy/libdaxpolicy.h>

#define DAXPOLICY_EXPORT __attribute__((visibility("default")))

struct daxpolicy_ctx {
	pthread_mutex_t lock;
	int refcount;
	int log_priority;
	daxpolicy_log_fn log_fn;
	void *log_data;
	void *userdata;
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

#endif /* DAXPOLICY_PRIVATE_H */
