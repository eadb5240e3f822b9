/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz targets share: the input as a file (the parsers that read
 * one are given a real one) and as a NUL-terminated string.
 */
#ifndef DAXPOLICY_FUZZ_H
#define DAXPOLICY_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory for the run (made once, 0700); abort on failure. */
const char *fuzz_dir(void);
/* Write @data to @path (replacing it); abort on failure. */
void fuzz_write_file(const char *path, const uint8_t *data, size_t size);
/* @data as a malloc'ed NUL-terminated string; abort when out of memory. */
char *fuzz_string(const uint8_t *data, size_t size);

#endif
