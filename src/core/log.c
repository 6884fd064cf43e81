/* log.c -- leveled logging through one redirectable handler. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/log.h"

static dorm_log_level_t log_level = DORM_LOG_WARN;
static dorm_log_handler_t log_handler;
static void *log_handler_data;
static dorm_log_warnings_t *kept;
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

void dorm_log_set_level(dorm_log_level_t level)
{
    log_level = level;
}

dorm_log_level_t dorm_log_get_level(void) { return log_level; }

void dorm_log_set_handler(dorm_log_handler_t handler, void *data)
{
    log_handler = handler;
    log_handler_data = data;
}

dorm_log_warnings_t *dorm_log_keep_warnings(dorm_log_warnings_t *list)
{
    pthread_mutex_lock(&kept_lock);
    dorm_log_warnings_t *before = kept;
    kept = list;
    pthread_mutex_unlock(&kept_lock);
    return before;
}

void dorm_log_warnings_free(dorm_log_warnings_t *list)
{
    for (int i = 0; i < list->n; i++)
        free(list->msg[i]);
    free(list->msg);
    memset(list, 0, sizeof *list);
}

/* Append msg to the attached list unless it is there already (a warning
 * repeated per input is listed once); out of memory it only counts. */
static void keep(const char *msg)
{
    pthread_mutex_lock(&kept_lock);
    if (kept) {
        int i = 0;
        while (i < kept->n && strcmp(kept->msg[i], msg) != 0)
            i++;
        if (i == kept->n) {
            char **grown = kept->n < DORM_LOG_KEEP_MAX
                               ? realloc(kept->msg, (size_t)(kept->n + 1) * sizeof *grown)
                               : NULL;
            char *copy = grown ? strdup(msg) : NULL;
            if (grown)
                kept->msg = grown;
            if (copy)
                kept->msg[kept->n++] = copy;
            else
                kept->n_more++;
        }
    }
    pthread_mutex_unlock(&kept_lock);
}

void dorm_log(dorm_log_level_t level, const char *fmt, ...)
{
    if (level > log_level && level != DORM_LOG_WARN) /* warnings may be kept */
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (level == DORM_LOG_WARN)
        keep(buf);
    if (level > log_level)
        return;
    if (log_handler) {
        log_handler(level, buf, log_handler_data);
        return;
    }
    static const char *const tag[] = {"error: ", "warning: ", "", ""};
    fprintf(stderr, "dormscan: %s%s\n", tag[level], buf);
}
