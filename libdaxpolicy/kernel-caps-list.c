// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel capability list: the public entry point (gather, then judge)
 * and the accessors of its entries.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct daxpolicy_kcap *dp_kernel_add(struct daxpolicy_kernel *k, const char *name,
				     enum daxpolicy_kcap_state state, const char *method,
				     const char *value, const char *fmt, ...)
{
	struct daxpolicy_kcap *c = calloc(1, sizeof(*c));
	va_list ap;

	if (!c)
		return NULL;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->state = state;
	snprintf(c->method, sizeof(c->method), "%s", method);
	snprintf(c->value, sizeof(c->value), "%s", value ? value : "");
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
	if (k->last)
		k->last->next = c;
	else
		k->first = c;
	k->last = c;
	return c;
}

DAXPOLICY_EXPORT int daxpolicy_kernel_probe(struct daxpolicy_ctx *ctx, const char *dir,
					    struct daxpolicy_kernel **out)
{
	struct dp_kernel_facts *f;
	int rc;

	if (!ctx || !out)
		return -EINVAL;
	*out = NULL;
	f = calloc(1, sizeof(*f));   /* several paths: too large for a stack */
	if (!f)
		return -ENOMEM;
	rc = dp_kernel_gather(ctx, dir, f);
	if (rc == 0)
		rc = dp_kernel_judge(f, out);
	if (rc < 0)
		err(ctx, "kernel capabilities: %s", strerror(-rc));
	free(f);
	return rc;
}

DAXPOLICY_EXPORT void daxpolicy_kernel_free(struct daxpolicy_kernel *kernel)
{
	struct daxpolicy_kcap *c, *next;

	if (!kernel)
		return;
	for (c = kernel->first; c; c = next) {
		next = c->next;
		free(c);
	}
	free(kernel);
}

DAXPOLICY_EXPORT const char *daxpolicy_kernel_get_release(struct daxpolicy_kernel *kernel)
{
	return kernel ? kernel->release : NULL;
}

DAXPOLICY_EXPORT struct daxpolicy_kcap *daxpolicy_kernel_get_first(struct daxpolicy_kernel *kernel)
{
	return kernel ? kernel->first : NULL;
}

DAXPOLICY_EXPORT struct daxpolicy_kcap *daxpolicy_kcap_get_next(struct daxpolicy_kcap *cap)
{
	return cap ? cap->next : NULL;
}

DAXPOLICY_EXPORT struct daxpolicy_kcap *daxpolicy_kernel_get_cap(struct daxpolicy_kernel *kernel,
								 const char *name)
{
	struct daxpolicy_kcap *c;

	if (!kernel || !name)
		return NULL;
	for (c = kernel->first; c; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

DAXPOLICY_EXPORT const char *daxpolicy_kcap_get_name(struct daxpolicy_kcap *cap)
{
	return cap ? cap->name : NULL;
}

DAXPOLICY_EXPORT enum daxpolicy_kcap_state daxpolicy_kcap_get_state(struct daxpolicy_kcap *cap)
{
	return cap ? cap->state : DAXPOLICY_KCAP_UNKNOWN;
}

DAXPOLICY_EXPORT const char *daxpolicy_kcap_get_method(struct daxpolicy_kcap *cap)
{
	return cap ? cap->method : NULL;
}

DAXPOLICY_EXPORT const char *daxpolicy_kcap_get_value(struct daxpolicy_kcap *cap)
{
	return cap && cap->value[0] ? cap->value : NULL;
}

DAXPOLICY_EXPORT const char *daxpolicy_kcap_get_reason(struct daxpolicy_kcap *cap)
{
	return cap ? cap->reason : NULL;
}

DAXPOLICY_EXPORT const char *daxpolicy_kcap_state_name(enum daxpolicy_kcap_state state)
{
	switch (state) {
	case DAXPOLICY_KCAP_YES:
		return "yes";
	case DAXPOLICY_KCAP_NO:
		return "no";
	case DAXPOLICY_KCAP_UNKNOWN:
		break;
	}
	return "unknown";
}
