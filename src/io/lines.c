/* lines.c -- buffered line splitting over an instream (plain, gzip, BGZF). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "instream_internal.h"
#include "lines.h"

#define READ_BLOCK ((size_t)1 << 20)

struct dorm_lines_t {
    dorm_instream_t *in;
    char *path;
    char *buf;
    size_t cap, start, end;
    int eof;
    int64_t line_no;
    int unterminated;  /* the line last returned ended the file without "\n" */
};

const char *dorm_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* ahead: 0 inline, 1 read-ahead thread, 2 shared blocks (instream_internal.h). */
static int open_lines(dorm_lines_t **out, const char *path, int ahead, dorm_err_t *err)
{
    *out = NULL;
    dorm_lines_t *lr = calloc(1, sizeof *lr);
    if (!lr)
        return dorm_err_nomem(err);
    lr->path = strdup(path);
    lr->cap = READ_BLOCK;
    lr->buf = malloc(lr->cap + 1 + DORM_LINES_PAD);
    if (!lr->path || !lr->buf) {
        dorm_lines_close(lr);
        return dorm_err_nomem(err);
    }
    int rc = ahead == 1 ? dorm_instream_open_ahead(&lr->in, path, err)
             : ahead == 2 ? dorm_instream_open_shared(&lr->in, path, err)
                          : dorm_instream_open(&lr->in, path, err);
    if (rc < 0) {
        dorm_lines_close(lr);
        return rc;
    }
    *out = lr;
    return 0;
}

int dorm_lines_open(dorm_lines_t **out, const char *path, dorm_err_t *err)
{
    return open_lines(out, path, 0, err);
}

int dorm_lines_open_ahead(dorm_lines_t **out, const char *path, dorm_err_t *err)
{
    return open_lines(out, path, 1, err);
}

int dorm_lines_open_shared(dorm_lines_t **out, const char *path, dorm_err_t *err)
{
    return open_lines(out, path, 2, err);
}

int dorm_lines_help(dorm_lines_t *lr) { return dorm_instream_help(lr->in); }

/* Make room and read more bytes; 0 at EOF, >0 bytes read, <0 error. */
static int fill(dorm_lines_t *lr, dorm_err_t *err)
{
    if (lr->start > 0) {
        memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
        lr->end -= lr->start;
        lr->start = 0;
    }
    if (lr->cap - lr->end < READ_BLOCK / 2) {
        if (lr->cap >= DORM_LINE_MAX)
            return dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: line longer than %zu bytes",
                                lr->path, (long long)lr->line_no + 1, DORM_LINE_MAX);
        size_t cap = lr->cap * 2;
        char *buf = realloc(lr->buf, cap + 1 + DORM_LINES_PAD);
        if (!buf)
            return dorm_err_nomem(err);
        lr->buf = buf;
        lr->cap = cap;
    }
    ssize_t n = dorm_instream_read(lr->in, lr->buf + lr->end, lr->cap - lr->end, err);
    if (n < 0 && err->code == DORM_E_FORMAT) /* say where */
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s after line %lld: truncated or corrupt compressed data", lr->path,
                            (long long)lr->line_no);
    if (n < 0)
        return (int)n;
    if (n == 0)
        lr->eof = 1;
    lr->end += (size_t)n;
    return (int)(n > 0);
}

int dorm_lines_next(dorm_lines_t *lr, char **line, size_t *len, dorm_err_t *err)
{
    for (;;) {
        char *p = lr->buf + lr->start;
        size_t avail = lr->end - lr->start;
        char *nl = memchr(p, '\n', avail);
        if (nl || (lr->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            lr->start += nl ? n + 1 : n;
            lr->unterminated = nl == NULL;
            if (n > 0 && p[n - 1] == '\r')
                n--;
            p[n] = '\0';
            lr->line_no++;
            if (lr->line_no == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
                p += 3;
                n -= 3;
            }
            *line = p;
            *len = n;
            return 1;
        }
        if (lr->eof)
            return 0;
        int rc = fill(lr, err);
        if (rc < 0)
            return rc;
    }
}

int dorm_lines_block(dorm_lines_t *lr, char **start, char **end, dorm_err_t *err)
{
    for (;;) {
        char *p = lr->buf + lr->start;
        size_t avail = lr->end - lr->start;
        char *nl = avail ? memrchr(p, '\n', avail) : NULL;
        if (nl) {
            *start = p;
            *end = nl + 1;
            return 1;
        }
        if (lr->eof)
            return 0;
        int rc = fill(lr, err);
        if (rc < 0)
            return rc;
    }
}

void dorm_lines_consume(dorm_lines_t *lr, size_t bytes, int64_t lines)
{
    lr->start += bytes;
    lr->line_no += lines;
}

int64_t dorm_lines_number(const dorm_lines_t *lr) { return lr->line_no; }

int dorm_lines_unterminated(const dorm_lines_t *lr) { return lr->unterminated; }

const char *dorm_lines_path(const dorm_lines_t *lr) { return lr->path; }

void dorm_lines_close(dorm_lines_t *lr)
{
    if (!lr)
        return;
    dorm_instream_close(lr->in);
    free(lr->buf);
    free(lr->path);
    free(lr);
}

int dorm_read_file(const char *path, size_t max_len, char **text, size_t *len, dorm_err_t *err)
{
    *text = NULL;
    *len = 0;
    dorm_instream_t *in;
    int rc = dorm_instream_open(&in, path, err);
    if (rc < 0)
        return rc;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (;;) {
        if (cap - n < 4096) {
            if (cap >= max_len) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s: larger than %zu bytes", path, max_len);
                goto done;
            }
            char *b = realloc(buf, cap * 2 + 1);
            if (!b) {
                rc = dorm_err_nomem(err);
                goto done;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t got = dorm_instream_read(in, buf + n, cap - n, err);
        if (got < 0) {
            rc = (int)got;
            goto done;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    dorm_instream_close(in);
    return rc;
}
