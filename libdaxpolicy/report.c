// SPDX-License-Identifier: LGPL-2.1-or-later
/* The report object handed to callers, and its accessors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "private.h"

struct daxpolicy_report *dp_report_new(const char *path)
{
	struct daxpolicy_report *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->path = strdup(path ? path : "");
	if (!r->path) {
		free(r);
		return NULL;
	}
	r->refcount = 1;
	r->reasons_tail = &r->reasons;
	r->obj.flag = -1;
	r->obj.map_sync_probe = -1;
	r->obj.tmpfile_dax = -1;
	r->mount = &dp_mount_unknown;
	r->device = &dp_device_unknown;
	return r;
}

void dp_report_clear_reasons(struct daxpolicy_report *r)
{
	struct daxpolicy_reason *reason, *next;

	for (reason = r->reasons; reason; reason = next) {
		next = reason->next;
		free(reason->message);
		free(reason);
	}
	r->reasons = NULL;
	r->reasons_tail = &r->reasons;
}

struct daxpolicy_report *dp_report_ref(struct daxpolicy_report *r)
{
	__atomic_add_fetch(&r->refcount, 1, __ATOMIC_RELAXED);
	return r;
}

DAXPOLICY_EXPORT void daxpolicy_report_free(struct daxpolicy_report *r)
{
	if (!r || __atomic_sub_fetch(&r->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	dp_report_clear_reasons(r);
	free(r->obj.policy_source);
	dp_mount_unref(r->mount);
	dp_device_unref(r->device);
	free(r->path);
	free(r);
}

#define GETTER(type, name, expr)                                              \
	DAXPOLICY_EXPORT type daxpolicy_report_get_##name(struct daxpolicy_report *r) \
	{                                                                     \
		return expr;                                                  \
	}

GETTER(const char *, path, r->path)
GETTER(enum daxpolicy_object_type, type, r->obj.type)
GETTER(bool, dax, r->dax)
GETTER(bool, map_sync, r->map_sync)
GETTER(enum daxpolicy_evidence, map_sync_evidence, r->map_sync_evidence)
GETTER(bool, huge, r->huge)
GETTER(enum daxpolicy_state, state, r->state)
GETTER(int, flag, r->obj.flag)
GETTER(const char *, mount_target, r->mount->target)
GETTER(const char *, mount_source, r->mount->source)
GETTER(const char *, mount_fstype, r->mount->fstype)
GETTER(enum daxpolicy_dax_mode, mount_dax_mode, r->mount->dax_mode)
GETTER(bool, mount_dax_mode_explicit, r->mount->dax_mode_explicit)
GETTER(unsigned long, block_size, r->obj.block_size)
GETTER(unsigned long, page_size, r->page_size)
GETTER(const char *, device_name, r->device->name)
GETTER(const char *, device_kind, r->device->kind[0] ? r->device->kind : "none")
GETTER(const char *, device_disk, r->device->disk)
GETTER(unsigned long long, device_start, r->device->start)
GETTER(int, device_dax, r->device->dax)
GETTER(bool, device_sync, r->device->sync)
GETTER(const char *, device_slaves, r->device->slaves)
GETTER(const char *, device_dax_dev, r->device->dax_dev)
GETTER(const char *, namespace, r->device->ns_name)
GETTER(const char *, namespace_mode, r->device->ns_mode)
GETTER(unsigned long, namespace_align, r->device->ns_align)
GETTER(const char *, namespace_map, r->device->ns_map)
GETTER(unsigned long long, namespace_size, r->device->ns_size)
GETTER(const char *, region, r->device->region)
GETTER(const char *, persistence_domain, r->device->persistence_domain)
GETTER(unsigned int, statx_dax_attr, r->obj.statx_dax_attr)
GETTER(bool, xfs_reflink, r->obj.xfs_reflink)
GETTER(bool, xfs_rmapbt, r->obj.xfs_rmapbt)
GETTER(bool, realtime, r->obj.realtime)
GETTER(struct daxpolicy_reason *, first_reason, r->reasons)
GETTER(enum daxpolicy_policy, policy, r->obj.policy)
GETTER(const char *, policy_source, r->obj.policy_source ? r->obj.policy_source : "")

DAXPOLICY_EXPORT bool daxpolicy_report_has_reason(struct daxpolicy_report *r, const char *code)
{
	for (struct daxpolicy_reason *reason = r->reasons; reason; reason = reason->next)
		if (strcmp(reason->code, code) == 0)
			return true;
	return false;
}

DAXPOLICY_EXPORT struct daxpolicy_reason *daxpolicy_reason_get_next(struct daxpolicy_reason *reason)
{
	return reason->next;
}

DAXPOLICY_EXPORT const char *daxpolicy_reason_get_code(struct daxpolicy_reason *reason)
{
	return reason->code;
}

DAXPOLICY_EXPORT enum daxpolicy_severity daxpolicy_reason_get_severity(struct daxpolicy_reason *reason)
{
	return reason->severity;
}

DAXPOLICY_EXPORT const char *daxpolicy_reason_get_message(struct daxpolicy_reason *reason)
{
	return reason->message;
}

DAXPOLICY_EXPORT const char *daxpolicy_reason_get_hint(struct daxpolicy_reason *reason)
{
	return reason->hint;
}

DAXPOLICY_EXPORT const char *daxpolicy_state_name(enum daxpolicy_state state)
{
	static const char *const names[] = { "active", "inactive", "pending", "unsupported" };

	return (unsigned int)state < 4 ? names[state] : "unknown";
}

DAXPOLICY_EXPORT const char *daxpolicy_dax_mode_name(enum daxpolicy_dax_mode mode)
{
	static const char *const names[] = { "none", "inode", "always", "never" };

	return (unsigned int)mode < 4 ? names[mode] : "unknown";
}

DAXPOLICY_EXPORT const char *daxpolicy_object_type_name(enum daxpolicy_object_type type)
{
	static const char *const names[] = { "file", "directory", "other", "device" };

	return (unsigned int)type < 4 ? names[type] : "unknown";
}
