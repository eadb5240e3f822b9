// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A CXL memdev's health through the mailbox command Get Health Info
 * (libcxl). The command needs the memdev's character device (/dev/cxl/memN),
 * so it fails without root or when the device does not answer: the
 * failure is kept with the facts, never turned into an error of the probe.
 */
#include "config.h"

#include <cxl/libcxl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <daxpolicy/libdaxpolicy.h>

#include "cxl-region.h"

static struct cxl_memdev *find_memdev(struct cxl_ctx *cctx, const char *name)
{
	struct cxl_memdev *memdev;

	cxl_memdev_foreach(cctx, memdev)
		if (strcmp(cxl_memdev_get_devname(memdev), name) == 0)
			return memdev;
	return NULL;
}

static void fail(struct dp_cxl_health *h, int rc, const char *what)
{
	h->rc = rc;
	dp_snprintf(h->error, sizeof(h->error), "%s", what);
}

static const char *media_status(struct cxl_cmd *cmd)
{
	if (cxl_cmd_health_info_get_media_data_lost(cmd) > 0)
		return "data_lost";
	if (cxl_cmd_health_info_get_media_persistence_lost(cmd) > 0)
		return "persistence_lost";
	if (cxl_cmd_health_info_get_media_not_ready(cmd) > 0)
		return "not_ready";
	if (cxl_cmd_health_info_get_media_normal(cmd) > 0)
		return "normal";
	return "";
}

static void decode(struct cxl_cmd *cmd, struct dp_cxl_health *h)
{
	int v;

	dp_snprintf(h->media, sizeof(h->media), "%s", media_status(cmd));
	if (cxl_cmd_health_info_get_maintenance_needed(cmd) > 0)
		h->flags |= DAXPOLICY_CXL_HEALTH_MAINTENANCE_NEEDED;
	if (cxl_cmd_health_info_get_performance_degraded(cmd) > 0)
		h->flags |= DAXPOLICY_CXL_HEALTH_PERFORMANCE_DEGRADED;
	if (cxl_cmd_health_info_get_hw_replacement_needed(cmd) > 0)
		h->flags |= DAXPOLICY_CXL_HEALTH_HW_REPLACEMENT_NEEDED;
	if (cxl_cmd_health_info_get_media_persistence_loss_imminent(cmd) > 0 ||
	    cxl_cmd_health_info_get_media_data_loss_imminent(cmd) > 0)
		h->flags |= DAXPOLICY_CXL_HEALTH_LOSS_IMMINENT;
	/* 0xff and 0xffff: the device does not implement the field */
	v = cxl_cmd_health_info_get_life_used(cmd);
	h->life_used = v >= 0 && v <= 100 ? v : -1;
	v = cxl_cmd_health_info_get_temperature(cmd);
	h->temperature = v >= 0 && v != 0xffff ? (int)(short)v : DP_CXL_NO_TEMPERATURE;
	v = cxl_cmd_health_info_get_dirty_shutdowns(cmd);
	h->dirty_shutdowns = v >= 0 ? (long long)(unsigned int)v : -1;
	v = cxl_cmd_health_info_get_pmem_errors(cmd);
	h->pmem_errors = v >= 0 ? (long long)(unsigned int)v : -1;
}

void dp_cxl_health_read(struct daxpolicy_ctx *ctx, const char *memdev, struct dp_cxl_health *h)
{
	struct cxl_memdev *md;
	struct cxl_ctx *cctx;
	struct cxl_cmd *cmd;
	char why[160], node[64];
	int rc, fd;

	memset(h, 0, sizeof(*h));
	h->life_used = -1;
	h->temperature = DP_CXL_NO_TEMPERATURE;
	h->dirty_shutdowns = -1;
	h->pmem_errors = -1;
	rc = cxl_new(&cctx);
	if (rc < 0) {
		fail(h, rc, "cannot create a libcxl context");
		return;
	}
	cxl_set_log_priority(cctx, 0);
	md = find_memdev(cctx, memdev);
	/* libcxl opens the node for each command; say exactly why it cannot. */
	snprintf(node, sizeof(node), "/dev/cxl/%s", memdev);
	fd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, sizeof(why), "cannot open %s for Get Health Info: %s%s", node,
			 strerror(-rc), rc == -EACCES || rc == -EPERM ? " (needs root)" : "");
		fail(h, rc, why);
		cxl_unref(cctx);
		return;
	}
	close(fd);
	cmd = md ? cxl_cmd_new_get_health_info(md) : NULL;
	if (!md) {
		fail(h, -ENODEV, "libcxl does not list the memdev");
	} else if (!cmd) {
		fail(h, -EOPNOTSUPP, "the device does not offer Get Health Info (libcxl cannot make the command)");
	} else if ((rc = cxl_cmd_submit(cmd)) < 0) {
		snprintf(why, sizeof(why), "Get Health Info failed: %s%s", strerror(-rc),
			 rc == -EACCES || rc == -EPERM ? " (needs root)" : "");
		fail(h, rc, why);
	} else if ((rc = cxl_cmd_get_mbox_status(cmd)) != 0) {
		snprintf(why, sizeof(why), "Get Health Info: the device answered with mailbox status %d", rc);
		fail(h, -EIO, why);
	} else {
		decode(cmd, h);
	}
	if (h->rc)
		dbg(ctx, "CXL %s: %s", memdev, h->error);
	if (cmd)
		cxl_cmd_unref(cmd);
	cxl_unref(cctx);
}
