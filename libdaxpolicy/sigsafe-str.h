/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Strings built without the C library's formatting, so that a signal
 * handler may build them (async-signal-safe: no locale, no allocation).
 * Used by the SIGBUS handler (sigbus.c) and the mapping lookups it makes
 * (map-vma.c).
 */
#ifndef LIBDAXPOLICY_SIGSAFE_STR_H
#define LIBDAXPOLICY_SIGSAFE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Append @s to @buf (of @size) at *@len, keeping it terminated; false
 * when it does not fit (what fitted is kept). */
bool dp_sig_append(char *buf, size_t size, size_t *len, const char *s);
/* Append @v in @base (2 to 16, lower-case digits). */
bool dp_sig_append_num(char *buf, size_t size, size_t *len, uint64_t v, unsigned int base);

#endif
