/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SYSROOT_SHIM_H
#define SYSROOT_SHIM_H
/* Redirect /sys and /proc into @root ("" or NULL: stop redirecting). */
void sysroot_shim_set(const char *root);

struct daxpolicy_ctx;
/* A library context that reads the captured tree @root (DAXPOLICY_SYSROOT
 * and the shim both pointed there); NULL when it cannot be made. */
struct daxpolicy_ctx *sysroot_ctx_new(const char *root);
#endif
