/* reference_file.h -- the reference file of dormscan-reference(1): a
 * dorm_reference_t (dormscan/reference.h) written and read back.
 * Implemented in src/pipeline/reference_file.c. */
#ifndef DORMSCAN_REFERENCE_FILE_H
#define DORMSCAN_REFERENCE_FILE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include "dormscan/error.h"
#include "dormscan/reference.h"

/* Write ref to path (atomically: a temporary name, renamed at the end). */
int dorm_reference_write(const dorm_reference_t *ref, const char *path, dorm_err_t *err) DORM_WUR;
/* Read a reference file (plain or gzip); errors name the file and line.
 * Free *out with dorm_reference_destroy. */
int dorm_reference_read(dorm_reference_t **out, const char *path, dorm_err_t *err) DORM_WUR;

#pragma GCC visibility pop
#endif
