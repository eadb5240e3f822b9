// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Requirements (DAXPOLICY_REQ_*): checking an open file against one, the
 * administrator's DAXPOLICY_REQUIRE, and the per-thread report behind the
 * last refusal.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

int dp_parse_requirements(const char *text, unsigned int *req)
{
	char buf[128], *save = NULL, *tok;

	*req = 0;
	if (dp_snprintf(buf, sizeof(buf), "%s", text) < 0)
		return -EINVAL;
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(tok, "direct") == 0)
			*req |= DAXPOLICY_REQ_DIRECT;
		else if (strcmp(tok, "sync") == 0)
			*req |= DAXPOLICY_REQ_SYNC;
		else
			return -EINVAL;
	}
	return 0;
}

bool dp_report_meets(struct daxpolicy_report *r, unsigned int req)
{
	if ((req & DAXPOLICY_REQ_SYNC) && !r->map_sync)
		return false;
	if ((req & (DAXPOLICY_REQ_DIRECT | DAXPOLICY_REQ_SYNC)) && !r->dax)
		return false;
	return true;
}

int dp_refuse(struct daxpolicy_ctx *ctx, struct daxpolicy_report *r)
{
	daxpolicy_report_free(pthread_getspecific(ctx->refusal_key));
	pthread_setspecific(ctx->refusal_key, r);
	return -EOPNOTSUPP;
}

int dp_refuse_fd(struct daxpolicy_ctx *ctx, int fd)
{
	struct daxpolicy_report *r;
	int rc = daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_NO_MMAP, &r);

	if (rc < 0)
		return rc;
	return dp_refuse(ctx, r);
}

DAXPOLICY_EXPORT struct daxpolicy_report *daxpolicy_get_refusal(struct daxpolicy_ctx *ctx)
{
	struct daxpolicy_report *r = ctx ? pthread_getspecific(ctx->refusal_key) : NULL;

	return r ? dp_report_ref(r) : NULL;
}

DAXPOLICY_EXPORT int daxpolicy_require_fd(struct daxpolicy_ctx *ctx, int fd, unsigned int req)
{
	struct daxpolicy_report *r;
	bool met;
	int rc;

	if (!ctx || fd < 0 || (req & ~DAXPOLICY_REQ_MASK))
		return -EINVAL;
	req |= ctx->env_req;
	if (!req)
		return 0;
	rc = daxpolicy_probe_fd(ctx, fd, DAXPOLICY_PROBE_FAST, &r);
	if (rc < 0)
		return rc;
	met = dp_report_meets(r, req);
	daxpolicy_report_free(r);
	if (met)
		return 0;
	/* The refusal gets the full report: path, flag, pending state. */
	return dp_refuse_fd(ctx, fd);
}
