/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SYSROOT_SHIM_H
#define SYSROOT_SHIM_H
/* Redirect /sys and /proc into @root ("" or NULL: stop redirecting). */
void sysroot_shim_set(const char *root);
#endif
