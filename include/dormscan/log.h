/* log.h -- the library's single logging channel.
 *
 * The log level is the only global mutable state of libdormscan.  Messages go
 * to a handler (default: stderr with a "dormscan: " prefix); the CLI sets the
 * level from --verbose/--quiet.
 */
#ifndef DORMSCAN_LOG_H
#define DORMSCAN_LOG_H

#include "dormscan/error.h"

typedef enum {
    DORM_LOG_ERROR = 0,
    DORM_LOG_WARN = 1,
    DORM_LOG_INFO = 2,
    DORM_LOG_DEBUG = 3
} dorm_log_level_t;

typedef void (*dorm_log_handler_t)(dorm_log_level_t level, const char *msg, void *data);

/* Also silences htslib's own stderr messages below DORM_LOG_DEBUG. */
void dorm_log_set_level(dorm_log_level_t level);
dorm_log_level_t dorm_log_get_level(void);
/* NULL restores the default stderr handler. */
void dorm_log_set_handler(dorm_log_handler_t handler, void *data);
void dorm_log(dorm_log_level_t level, const char *fmt, ...) DORM_PRINTF(2, 3);

#endif
