/* log.h -- the library's single logging channel.
 *
 * The log level, the handler and the attached warning list are the only
 * global mutable state of libdormscan.  Messages go
 * to a handler (default: stderr with a "dormscan: " prefix); the CLI sets the
 * level from --verbose/--quiet.
 */
#ifndef DORMSCAN_LOG_H
#define DORMSCAN_LOG_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include "dormscan/error.h"

typedef enum {
    DORM_LOG_ERROR = 0,
    DORM_LOG_WARN = 1,
    DORM_LOG_INFO = 2,
    DORM_LOG_DEBUG = 3
} dorm_log_level_t;

typedef void (*dorm_log_handler_t)(dorm_log_level_t level, const char *msg, void *data);

void dorm_log_set_level(dorm_log_level_t level);
dorm_log_level_t dorm_log_get_level(void);
/* NULL restores the default stderr handler. */
void dorm_log_set_handler(dorm_log_handler_t handler, void *data);
void dorm_log(dorm_log_level_t level, const char *fmt, ...) DORM_PRINTF(2, 3);

/* A run's warnings, kept whatever the level, for run.json and report.html.
 * While a list is attached, each DORM_LOG_WARN message (the same text the
 * handler gets) is also appended to it, from any thread; repeats of a
 * message already listed are not added again, and past DORM_LOG_KEEP_MAX
 * messages only n_more counts.  The caller owns the list (zero it before the
 * first use) and frees it with dorm_log_warnings_free once detached. */
#define DORM_LOG_KEEP_MAX 100
typedef struct dorm_log_warnings_t {
    char **msg; /* n strings, each owned by the list */
    int n;
    int n_more; /* warnings not kept */
} dorm_log_warnings_t;

/* Attach list (NULL detaches); returns the list attached before, so that
 * nested runs can restore it. */
dorm_log_warnings_t *dorm_log_keep_warnings(dorm_log_warnings_t *list);
void dorm_log_warnings_free(dorm_log_warnings_t *list);

#pragma GCC visibility pop
#endif
