/* html_text.h -- text on report.html and compare.html (html_text.c). */
#ifndef DORM_REPORT_HTML_TEXT_H
#define DORM_REPORT_HTML_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "dormscan/outfile.h"

/* s as it is. */
void dorm_html_put(dorm_outfile_t *o, const char *s);
/* The first n bytes of str escaped for HTML text and attributes (& < > " '),
 * invalid UTF-8 and control characters other than tab, newline and carriage
 * return replaced by U+FFFD. */
void dorm_html_esc_n(dorm_outfile_t *o, const char *str, size_t n);
/* All of s, escaped (NULL writes nothing). */
void dorm_html_esc(dorm_outfile_t *o, const char *s);
/* Characters (code points, an invalid byte counting as one) in s. */
size_t dorm_html_n_chars(const char *s);
/* Bytes of the first max_chars characters of s. */
size_t dorm_html_char_prefix(const char *s, size_t max_chars);
/* 100 part / whole (0 when whole is 0). */
double dorm_html_pct(int64_t part, int64_t whole);

#endif
