/* outfile.h -- output files written atomically, one by one or as a set,
 * into a locked output directory; removed on a fatal signal.  Implemented in
 * src/core/outfile.c.  An open dorm_outfile_t owns its temporary file
 * until commit or abort; the caller owns the struct. */
#ifndef DORMSCAN_OUTFILE_H
#define DORMSCAN_OUTFILE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stddef.h>
#include "dormscan/error.h"

/* A file written under a temporary name in its directory and renamed to its
 * final name by dorm_outfile_commit; dorm_outfile_abort removes it.  gzip
 * output is BGZF, which every gzip reader accepts. */
typedef struct dorm_outfile_t {
    char *final_path;
    char *tmp_path;
    void *fp;  /* FILE* or BGZF* */
    int gzip;
    int failed;
    int saved_errno; /* of the first failed write, reported by close/commit */
    int to_stdout;   /* dorm_outfile_open_stdout: no file, nothing to rename */
} dorm_outfile_t;

int dorm_outfile_open(dorm_outfile_t *o, const char *dir, const char *name, int gzip,
                      dorm_err_t *err) DORM_WUR;
/* Standard output as an outfile (plain text): commit flushes it and
 * reports a failed write; there is nothing to rename or remove. */
void dorm_outfile_open_stdout(dorm_outfile_t *o);
/* Append bytes; errors are remembered and reported by commit. */
void dorm_outfile_write(dorm_outfile_t *o, const char *buf, size_t len);
void dorm_outfile_printf(dorm_outfile_t *o, const char *fmt, ...) DORM_PRINTF(2, 3);
/* Flush and close, keeping the temporary file (the last step that can run
 * out of space); on error the file is deleted and err names the cause. */
int dorm_outfile_close(dorm_outfile_t *o, dorm_err_t *err) DORM_WUR;
/* Close if still open, then rename into place: dorm_outfile_commit_all of
 * one file. */
int dorm_outfile_commit(dorm_outfile_t *o, dorm_err_t *err) DORM_WUR;
/* Commit the set o[0..n) (entries without a final name are skipped) as a
 * whole: every write is finished first, then each earlier file of a final
 * name is moved aside and the new one renamed in; if any step fails, every
 * step is undone, so that the directory holds the earlier run's files (or
 * none) and err names the file.  A terminating signal meanwhile waits for
 * the end.  Every o[i] is aborted (freed) on return. */
int dorm_outfile_commit_all(dorm_outfile_t *o, int n, dorm_err_t *err) DORM_WUR;
/* Close and delete the temporary file (safe after commit or on a zeroed o). */
void dorm_outfile_abort(dorm_outfile_t *o);

/* Create dir (and parents) unless it exists. */
int dorm_mkdir_p(const char *dir, dorm_err_t *err) DORM_WUR;
/* An output directory for a run: created (dorm_mkdir_p), locked against
 * other runs (a second run into it fails at once, naming it), and cleared
 * of the temporaries that dead runs left.  Pass *lock_fd to
 * dorm_outdir_release once the outputs are committed (or not). */
int dorm_outdir_prepare(const char *dir, int *lock_fd, dorm_err_t *err) DORM_WUR;
void dorm_outdir_release(int lock_fd);
/* For a program: SIGINT, SIGTERM, SIGHUP and SIGPIPE remove the outputs'
 * temporary files and end the process by the signal (128 + signal); a file
 * over the size limit (SIGXFSZ) fails its write instead.  Call once, early. */
void dorm_outputs_guard_signals(void);

#pragma GCC visibility pop
#endif
