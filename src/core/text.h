/* text.h -- bounded text building and the text limits every reader shares. */
#ifndef DORM_CORE_TEXT_H
#define DORM_CORE_TEXT_H

#include <stddef.h>

/* The longest line any line-based reader accepts: 64 MiB. */
#define DORM_LINE_MAX ((size_t)64 << 20)

/* Append printf-formatted text at buf + *used (buf holds cap bytes, cap >=
 * 1, NUL-terminated); text that does not fit is cut, and *used never goes
 * past cap - 1. */
void dorm_appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Split line at its tabs (in place) into at most max fields (the last one
 * keeping the rest of the line, tabs and all); returns how many. */
int dorm_split_tabs(char *line, char **field, int max);
/* Whether s holds a tab, newline or carriage return: a name no output
 * table (TSV, one record per line) could hold. */
int dorm_text_breaks_table(const char *s);
/* Replace every tab, newline and carriage return of s by a space (one field
 * of one line). */
void dorm_text_flatten(char *s);

#endif
