/* html_text.c -- text on an HTML page: escaped, valid UTF-8, counted in
 * characters (html_text.h). */
#include <stdint.h>
#include <string.h>

#include "html_text.h"

void dorm_html_put(dorm_outfile_t *o, const char *s) { dorm_outfile_write(o, s, strlen(s)); }

/* Length of the UTF-8 sequence at s (n bytes left); *ok is 0 when it must be
 * replaced: invalid or overlong sequences, surrogates, C0/C1 controls other
 * than tab, newline and carriage return, and DEL. */
static size_t utf8_seq(const unsigned char *s, size_t n, int *ok)
{
    unsigned c = s[0];
    *ok = 1;
    if (c < 0x80) {
        *ok = !(c < 0x20 && c != '\t' && c != '\n' && c != '\r') && c != 0x7F;
        return 1;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return *ok = 0, 1;
    if (n < len)
        return *ok = 0, 1;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return *ok = 0, 1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F))
        *ok = 0;
    return len;
}

/* Write the first n bytes of str escaped for HTML text and attributes. */
void dorm_html_esc_n(dorm_outfile_t *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t start = 0, i = 0;
    while (i < n) {
        int ok;
        size_t len = utf8_seq(s + i, n - i, &ok);
        const char *rep = NULL;
        if (!ok)
            rep = "\xEF\xBF\xBD";
        else if (s[i] == '&')
            rep = "&amp;";
        else if (s[i] == '<')
            rep = "&lt;";
        else if (s[i] == '>')
            rep = "&gt;";
        else if (s[i] == '"')
            rep = "&quot;";
        else if (s[i] == '\'')
            rep = "&#39;";
        if (rep) {
            dorm_outfile_write(o, str + start, i - start);
            dorm_html_put(o, rep);
            start = i + len;
        }
        i += len;
    }
    dorm_outfile_write(o, str + start, n - start);
}

void dorm_html_esc(dorm_outfile_t *o, const char *s)
{
    if (s)
        dorm_html_esc_n(o, s, strlen(s));
}

/* Characters (code points, an invalid byte counting as one) in s. */
size_t dorm_html_n_chars(const char *s)
{
    size_t n = strlen(s), i = 0, k = 0;
    int ok;
    while (i < n)
        i += utf8_seq((const unsigned char *)s + i, n - i, &ok), k++;
    return k;
}

/* Bytes of the first max_chars characters of s. */
size_t dorm_html_char_prefix(const char *s, size_t max_chars)
{
    size_t n = strlen(s), i = 0, k = 0;
    int ok;
    while (i < n && k < max_chars)
        i += utf8_seq((const unsigned char *)s + i, n - i, &ok), k++;
    return i;
}

double dorm_html_pct(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}
