/* log.c -- leveled logging through one redirectable handler. */
#include <stdarg.h>
#include <stdio.h>

#include <htslib/hts.h>

#include "dormscan/log.h"

static dorm_log_level_t log_level = DORM_LOG_WARN;
static dorm_log_handler_t log_handler;
static void *log_handler_data;

void dorm_log_set_level(dorm_log_level_t level)
{
    log_level = level;
    /* htslib reports through dormscan's errors; its own lines only when debugging. */
    hts_set_log_level(level >= DORM_LOG_DEBUG ? HTS_LOG_WARNING : HTS_LOG_OFF);
}

dorm_log_level_t dorm_log_get_level(void) { return log_level; }

void dorm_log_set_handler(dorm_log_handler_t handler, void *data)
{
    log_handler = handler;
    log_handler_data = data;
}

void dorm_log(dorm_log_level_t level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (log_handler) {
        log_handler(level, buf, log_handler_data);
        return;
    }
    static const char *const tag[] = {"error: ", "warning: ", "", ""};
    fprintf(stderr, "dormscan: %s%s\n", tag[level], buf);
}
