/* outfile.c -- write under a temporary name, rename into place at the end. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <htslib/bgzf.h>

#include "dormscan/report.h"

int dorm_mkdir_p(const char *dir, dorm_err_t *err)
{
    char *p = strdup(dir);
    if (!p)
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = dorm_err_set(err, DORM_E_IO, "%s: cannot create directory: %s", p, strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (rc == 0 && stat(dir, &st) != 0)
        rc = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)
                 ? dorm_err_set(err, DORM_E_IO, "%s: a symbolic link to a missing directory", dir)
                 : dorm_err_set(err, DORM_E_IO, "%s: %s", dir, strerror(errno));
    else if (rc == 0 && !S_ISDIR(st.st_mode))
        rc = dorm_err_set(err, DORM_E_IO, "%s: not a directory", dir);
    free(p);
    return rc;
}

int dorm_outfile_open(dorm_outfile_t *o, const char *dir, const char *name, int gzip,
                      dorm_err_t *err)
{
    memset(o, 0, sizeof *o);
    size_t n = strlen(dir) + strlen(name) + 64;
    o->final_path = malloc(n);
    o->tmp_path = malloc(n);
    if (!o->final_path || !o->tmp_path) {
        dorm_outfile_abort(o);
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    }
    snprintf(o->final_path, n, "%s/%s", dir, name);
    snprintf(o->tmp_path, n, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    o->gzip = gzip;
    errno = 0;
    o->fp = gzip ? (void *)bgzf_open(o->tmp_path, "w") : (void *)fopen(o->tmp_path, "w");
    if (!o->fp) {
        int e = errno;
        int rc = dorm_err_set(err, DORM_E_IO, "%s: cannot create: %s", o->final_path,
                              e ? strerror(e) : "unknown error");
        dorm_outfile_abort(o);
        return rc;
    }
    return 0;
}

void dorm_outfile_open_stdout(dorm_outfile_t *o)
{
    memset(o, 0, sizeof *o);
    o->fp = stdout;
    o->to_stdout = 1;
}

void dorm_outfile_write(dorm_outfile_t *o, const char *buf, size_t len)
{
    if (o->failed || !o->fp || len == 0)
        return;
    errno = 0;
    if (o->gzip)
        o->failed = bgzf_write(o->fp, buf, len) < 0;
    else
        o->failed = fwrite(buf, 1, len, o->fp) != len;
    if (o->failed)
        o->saved_errno = errno ? errno : EIO;
}

void dorm_outfile_printf(dorm_outfile_t *o, const char *fmt, ...)
{
    char small[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = 1;
        o->saved_errno = errno ? errno : EINVAL;
        return;
    }
    if ((size_t)n < sizeof small) {
        dorm_outfile_write(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->failed = 1;
        o->saved_errno = ENOMEM;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    dorm_outfile_write(o, big, (size_t)n);
    free(big);
}

int dorm_outfile_close(dorm_outfile_t *o, dorm_err_t *err)
{
    if (!o->fp)
        return 0;
    errno = 0;
    int close_failed = o->to_stdout ? fflush(o->fp) != 0 || ferror(o->fp)
                       : o->gzip    ? bgzf_close(o->fp) < 0
                                    : fclose(o->fp) != 0;
    o->fp = NULL;
    if (close_failed && !o->failed) {
        o->failed = 1;
        o->saved_errno = errno ? errno : EIO;
    }
    if (o->failed) {
        int rc = dorm_err_set(err, DORM_E_IO, "%s: write failed: %s",
                              o->to_stdout ? "standard output" : o->final_path,
                              strerror(o->saved_errno));
        dorm_outfile_abort(o);
        return rc;
    }
    return 0;
}

int dorm_outfile_commit(dorm_outfile_t *o, dorm_err_t *err)
{
    int rc = dorm_outfile_close(o, err);
    if (rc < 0 || o->to_stdout)
        return rc;
    if (rename(o->tmp_path, o->final_path) != 0) {
        rc = dorm_err_set(err, DORM_E_IO, "%s: cannot rename into place: %s", o->final_path,
                          strerror(errno));
        dorm_outfile_abort(o);
        return rc;
    }
    free(o->tmp_path);
    o->tmp_path = NULL;
    dorm_outfile_abort(o);
    return 0;
}

void dorm_outfile_abort(dorm_outfile_t *o)
{
    if (o->fp && !o->to_stdout) {
        if (o->gzip)
            bgzf_close(o->fp);
        else
            fclose(o->fp);
        o->fp = NULL;
    }
    if (o->tmp_path)
        unlink(o->tmp_path);
    free(o->tmp_path);
    free(o->final_path);
    memset(o, 0, sizeof *o);
}
