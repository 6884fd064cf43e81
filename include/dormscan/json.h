/* json.h -- run.json: a small streaming JSON writer.  The writer borrows
 * its outfile, which the caller commits or aborts. */
#ifndef DORMSCAN_JSON_H
#define DORMSCAN_JSON_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/outfile.h"

typedef struct dorm_json_t {
    dorm_outfile_t *o;
    int depth;
    int count[32]; /* items written at each depth */
} dorm_json_t;

/* key is NULL inside arrays.  Nesting is limited to 31 levels. */
void dorm_json_init(dorm_json_t *j, dorm_outfile_t *o);
void dorm_json_open(dorm_json_t *j, const char *key, char bracket); /* '{' or '[' */
void dorm_json_close(dorm_json_t *j, char bracket);                 /* '}' or ']' */
void dorm_json_str(dorm_json_t *j, const char *key, const char *value); /* NULL -> null */
void dorm_json_num(dorm_json_t *j, const char *key, double value);      /* NaN -> null */
void dorm_json_int(dorm_json_t *j, const char *key, int64_t value);
void dorm_json_bool(dorm_json_t *j, const char *key, int value);
/* A value already written as JSON (e.g. another run.json), copied as it is;
 * trailing white space is dropped.  The caller vouches that it is JSON. */
void dorm_json_raw(dorm_json_t *j, const char *key, const char *json);

#pragma GCC visibility pop
#endif
