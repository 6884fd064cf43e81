/* error.c -- the error record. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dormscan/error.h"

int dorm_err_set(dorm_err_t *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return code;
}

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
