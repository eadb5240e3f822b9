/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nvdimm namespaces of the machine, each with the library's verdict
 * on its block device (dax-admin status and metrics). */
#ifndef DAXCTL_EXT_NAMESPACES_H
#define DAXCTL_EXT_NAMESPACES_H

#include <stdint.h>

#include <daxpolicy/libdaxpolicy.h>

/* One namespace: its verdict (freed after the call), its name and its
 * region's ("namespace0.0", "region0"), its raw size in bytes. */
typedef void namespace_fn(void *arg, struct daxpolicy_report *r, const char *ns, const char *region,
			  uint64_t size);

/* @fn for every namespace in use (idle seed namespaces, of size 0, left
 * out) whose device the library could probe with @probe_flags. */
void foreach_namespace(struct daxpolicy_ctx *ctx, unsigned int probe_flags, namespace_fn *fn, void *arg);

#endif
