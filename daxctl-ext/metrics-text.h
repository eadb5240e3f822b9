/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition format (version 0.0.4), as node_exporter's
 * textfile collector reads it: families of samples, each with one HELP and
 * one TYPE line, label values escaped.
 */
#ifndef DAX_ADMIN_METRICS_TEXT_H
#define DAX_ADMIN_METRICS_TEXT_H

#include <stdio.h>

/* "# HELP name help" and "# TYPE name gauge". */
void metrics_family(FILE *out, const char *name, const char *help);
/* One sample: name{labels} value. @labels is a NULL-terminated list of
 * name, value pairs; the values are escaped (backslash, quote, newline;
 * control characters and bytes of invalid UTF-8 as the text \xHH). */
void metrics_sample(FILE *out, const char *name, const char *const *labels, double value);

#endif
