/* error.c -- the error record. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/error.h"

int dorm_err_set(dorm_err_t *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    char *full = n >= (int)sizeof err->msg ? malloc((size_t)n + 1) : NULL;
    if (full) { /* too long (a very long path): keep both ends, where the cause is */
        vsnprintf(full, (size_t)n + 1, fmt, again);
        size_t head = sizeof err->msg / 3, tail = sizeof err->msg - head - 6;
        memcpy(err->msg, full, head);
        memcpy(err->msg + head, " ... ", 5);
        memcpy(err->msg + head + 5, full + n - tail, tail + 1);
        free(full);
    }
    va_end(again);
    err->code = code;
    return code;
}

int dorm_err_nomem(dorm_err_t *err) { return dorm_err_set(err, DORM_E_NOMEM, "out of memory"); }

void dorm_err_clear(dorm_err_t *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int dorm_err_exit_status(int code)
{
    return code == DORM_E_USAGE ? 2 : 1;
}
