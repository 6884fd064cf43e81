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

#include "core/tmpfile.h"
#include "dormscan/outfile.h"

int dorm_mkdir_p(const char *dir, dorm_err_t *err)
{
    char *p = strdup(dir);
    if (!p)
        return dorm_err_nomem(err);
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

int dorm_outdir_prepare(const char *dir, int *lock_fd, dorm_err_t *err)
{
    *lock_fd = -1;
    int rc = dorm_mkdir_p(dir, err);
    if (rc == 0)
        rc = dorm_dir_lock(dir, lock_fd, err);
    if (rc == 0)
        dorm_tmp_remove_stale(dir);
    return rc;
}

void dorm_outdir_release(int lock_fd) { dorm_dir_unlock(lock_fd); }

void dorm_outputs_guard_signals(void) { dorm_cleanup_install(); }

int dorm_outfile_open(dorm_outfile_t *o, const char *dir, const char *name, int gzip,
                      dorm_err_t *err)
{
    memset(o, 0, sizeof *o);
    size_t n = strlen(dir) + strlen(name) + 2;
    if (!(o->final_path = malloc(n)))
        return dorm_err_nomem(err);
    snprintf(o->final_path, n, "%s/%s", dir, name);
    o->gzip = gzip;
    errno = 0;
    int fd = dorm_tmp_named(o->final_path, &o->tmp_path);
    o->fp = fd < 0 ? NULL : gzip ? (void *)bgzf_dopen(fd, "w") : (void *)fdopen(fd, "w");
    if (fd >= 0 && !o->fp)
        close(fd);
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
    return dorm_outfile_commit_all(o, 1, err);
}

/* A name beside final_path for the earlier run's file (an empty file made
 * now, which the rename replaces); NULL on failure, errno set. */
static char *backup_name(const char *final_path)
{
    char *path;
    int fd = dorm_tmp_named(final_path, &path);
    if (fd < 0)
        return NULL;
    close(fd);
    return path;
}

/* Put back what the first k steps of a commit did, last first. */
static void roll_back(dorm_outfile_t *o, char **backup, const int *moved, int k)
{
    for (int i = k - 1; i >= 0; i--) {
        if (backup[i])
            rename(backup[i], o[i].final_path); /* the earlier file over the new one */
        else if (moved[i])
            unlink(o[i].final_path); /* there was none before */
    }
}

int dorm_outfile_commit_all(dorm_outfile_t *o, int n, dorm_err_t *err)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) /* every write done before any rename */
        if (o[i].final_path || o[i].to_stdout)
            rc = dorm_outfile_close(&o[i], err);
    char **backup = rc == 0 ? calloc((size_t)(n > 0 ? n : 1), sizeof *backup) : NULL;
    int *moved = rc == 0 ? calloc((size_t)(n > 0 ? n : 1), sizeof *moved) : NULL;
    if (rc == 0 && (!backup || !moved))
        rc = dorm_err_nomem(err);
    dorm_cleanup_defer_begin(); /* a signal now waits until the set is whole or undone */
    int i = 0;
    for (; rc == 0 && i < n; i++) {
        if (!o[i].final_path || o[i].to_stdout)
            continue;
        struct stat st;
        errno = 0;
        int earlier = lstat(o[i].final_path, &st) == 0;
        if (earlier && S_ISDIR(st.st_mode)) {
            rc = dorm_err_set(err, DORM_E_IO, "%s: a directory is in the way of this output",
                              o[i].final_path);
            break;
        }
        if (earlier &&
            (!(backup[i] = backup_name(o[i].final_path)) || rename(o[i].final_path, backup[i]) != 0)) {
            rc = dorm_err_set(err, DORM_E_IO, "%s: cannot replace: %s", o[i].final_path,
                              errno ? strerror(errno) : "out of memory");
            if (backup[i]) { /* (its empty placeholder) */
                unlink(backup[i]);
                dorm_tmp_forget(backup[i]);
                free(backup[i]);
                backup[i] = NULL;
            }
            break;
        }
        if (rename(o[i].tmp_path, o[i].final_path) != 0) {
            rc = dorm_err_set(err, DORM_E_IO, "%s: cannot rename into place: %s", o[i].final_path,
                              strerror(errno));
            i++; /* (its backup, if any, goes back) */
            break;
        }
        moved[i] = 1;
    }
    if (rc < 0 && backup && moved)
        roll_back(o, backup, moved, i);
    for (int k = 0; backup && k < n; k++) {
        if (backup[k]) {
            if (rc == 0)
                unlink(backup[k]);
            dorm_tmp_forget(backup[k]);
            free(backup[k]);
        }
        if (moved && moved[k] && rc == 0) { /* in place: nothing to remove */
            dorm_tmp_forget(o[k].tmp_path);
            free(o[k].tmp_path);
            o[k].tmp_path = NULL;
        }
    }
    free(backup);
    free(moved);
    for (int k = 0; k < n; k++)
        dorm_outfile_abort(&o[k]);
    dorm_cleanup_defer_end();
    return rc;
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
    if (o->tmp_path) {
        unlink(o->tmp_path);
        dorm_tmp_forget(o->tmp_path);
    }
    free(o->tmp_path);
    free(o->final_path);
    memset(o, 0, sizeof *o);
}
