/* error.h -- error codes and the error record every libdormscan call fills.
 *
 * Functions that can fail return 0 (or a positive count) on success and a
 * negative DORM_E* code on failure, and then fill the caller's dorm_err_t with
 * one line of context (file, position, cause).  The library never prints or
 * exits; the CLI prints err->msg.
 */
#ifndef DORMSCAN_ERROR_H
#define DORMSCAN_ERROR_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DORM_WUR __attribute__((warn_unused_result))
#define DORM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DORM_WUR
#define DORM_PRINTF(f, a)
#endif

enum {
    DORM_OK = 0,
    DORM_E_NOMEM = -1,  /* allocation failed */
    DORM_E_IO = -2,     /* cannot open, read or write a file */
    DORM_E_FORMAT = -3, /* malformed input data */
    DORM_E_USAGE = -4,  /* invalid argument or option combination */
    DORM_E_UNSORTED = -5 /* entries not grouped by cell: reopen in memory */
};

#define DORM_ERR_MSG_MAX 1024

typedef struct dorm_err_t {
    int code;
    char msg[DORM_ERR_MSG_MAX];
} dorm_err_t;

/* Record an error (printf-style message, no trailing newline) and return code.
 * err may be NULL, in which case only code is returned. */
int dorm_err_set(dorm_err_t *err, int code, const char *fmt, ...) DORM_PRINTF(3, 4);

/* dorm_err_set(err, DORM_E_NOMEM, "out of memory"). */
int dorm_err_nomem(dorm_err_t *err);

/* Clear a record. */
void dorm_err_clear(dorm_err_t *err);

/* Exit status the CLI uses for a code: 2 for usage errors, 1 otherwise. */
int dorm_err_exit_status(int code);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
