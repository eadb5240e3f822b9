/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON output of dax-admin, in the spirit of 'ndctl list'. */
#ifndef DAX_ADMIN_JSON_H
#define DAX_ADMIN_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

struct daxpolicy_report;

enum {
	JSON_HUMAN = 1 << 0,   /* sizes as "2.00 MiB" strings */
};

/* A JSON string for any byte string: valid UTF-8 is kept as is (json-c
 * escapes control characters); otherwise each invalid byte becomes the text
 * \xHH and each backslash is doubled, so that nothing is lost. */
struct json_object *json_path(const char *path);
/* Every path field of every command: @key gets the readable json_path()
 * string (null for NULL); when that is not the exact name (not valid
 * UTF-8, or a backslash in it), "@key_bytes" also gets the exact bytes as
 * lower-case hex, which a script decodes back to the same name. */
void json_add_path(struct json_object *obj, const char *key, const char *path);
/* A path as an element of an array of paths: the readable string when it
 * is exact, else an object {"path": readable, "path_bytes": hex}. */
struct json_object *json_path_item(const char *path);
/* A size in bytes: a number, printed human-friendly with JSON_HUMAN. */
struct json_object *json_size(unsigned long long bytes, unsigned int flags);
/* A byte offset: a number, printed as an exact hex string ("0x100400") with
 * JSON_HUMAN, so that it can still be given back to --offset. */
struct json_object *json_offset(unsigned long long bytes, unsigned int flags);
/* A path the command could not handle: {path, errno, error}. */
struct json_object *json_failure(const char *path, int err, const char *error);
/* The whole verdict for one object. */
struct json_object *report_to_json(struct daxpolicy_report *report, unsigned int flags);
/* cxl-json.c: the CXL chain of a device (daxpolicy_report_get_cxl()). */
struct daxpolicy_cxl;
struct json_object *cxl_to_json(struct daxpolicy_cxl *cxl, unsigned int flags);
/* The reasons of a report as a JSON array of {code, severity, message, hint}. */
struct json_object *reasons_to_json(struct daxpolicy_report *report);
/* Print @obj (pretty) with a newline; 0, or -1 when writing failed. */
int json_print(FILE *out, struct json_object *obj);
/* Print the results of a command: nothing for none, the object alone when
 * @single (one argument was given) and there is one, else the array. */
int json_print_results(FILE *out, struct json_object *list, bool single);

#endif
