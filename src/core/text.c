/* text.c -- bounded text building, names for tables. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

void dorm_appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used = *used + (size_t)n < cap - 1 ? *used + (size_t)n : cap - 1;
}

int dorm_text_breaks_table(const char *s) { return strpbrk(s, "\t\n\r") != NULL; }

void dorm_text_flatten(char *s)
{
    for (char *c = s; (c = strpbrk(c, "\t\n\r")); c++)
        *c = ' ';
}

int dorm_split_tabs(char *line, char **field, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        field[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}
