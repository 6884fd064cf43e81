/* tmpfile.h -- temporary files that no other run can collide with and that
 * nothing can leave behind; private to libdormscan.
 *
 * Two kinds:
 *  - anonymous files (spills, the cell store): created under a unique name
 *    (mkstemp: unique across threads, PID namespaces and hosts sharing the
 *    directory) and unlinked at once, so that even SIGKILL leaves nothing;
 *  - named temporaries of outputs (dorm_tmp_named), renamed into place at the
 *    end: their names hold DORM_TMP_MARK, are registered while they exist, and
 *    are removed by the signal handlers (dorm_cleanup_install) or, after a
 *    crash, by the next run into the same directory (dorm_tmp_remove_stale).
 */
#ifndef DORM_CORE_TMPFILE_H
#define DORM_CORE_TMPFILE_H

#include <stdio.h>
#include "dormscan/error.h"

#define DORM_TMP_MARK ".dormscan-tmp."

/* "dir/.dormscan-tmp.STEM.XXXXXX", the template of an anonymous temporary
 * (malloc'd, caller frees; NULL without memory). */
char *dorm_tmp_template(const char *dir, const char *stem);
/* An anonymous temporary file "w+b" from a template: mkstemp fills in the
 * name (kept in template, for messages) and it is unlinked before return.
 * NULL with errno set on failure. */
FILE *dorm_tmp_anon(char *template);

/* A named temporary beside the file final ("DIR/NAME"): "DIR/.NAME.dormscan-
 * tmp.XXXXXX", created empty with O_EXCL and registered for removal on a
 * signal.  Returns its descriptor (the caller owns it) and the name in *path
 * (malloc'd, caller frees), or -1 with errno set and *path NULL. */
int dorm_tmp_named(const char *final, char **path);
/* The named temporary path is gone (renamed into place or removed): stop
 * removing it on a signal. */
void dorm_tmp_forget(const char *path);

/* Remove what dead runs left in dir: named temporaries (DORM_TMP_MARK) and
 * the temporary names of earlier dormscan versions (".dormscan-TAG.PID.KIND",
 * ".OUTPUT.tmp.PID").  Only for a caller that holds dir's lock. */
void dorm_tmp_remove_stale(const char *dir);

/* Hold dir's lock (flock on the directory itself, so no file is left):
 * another run holding it is an error naming dir.  *fd is the descriptor to
 * keep until the outputs are committed (dorm_dir_unlock).  A file system
 * without locks is not an error (*fd = -1). */
int dorm_dir_lock(const char *dir, int *fd, dorm_err_t *err) DORM_WUR;
void dorm_dir_unlock(int fd);

/* Signals that end a run (INT, TERM, HUP, PIPE) remove the registered
 * temporaries and then end the process by the signal (status 128 + signal);
 * SIGXFSZ is ignored, so that a file over the size limit fails its write
 * ("File too large", status 1) like any other write error.  Call once, early. */
void dorm_cleanup_install(void);
/* Between begin and end (a set of renames that must complete or be undone,
 * a file created and not yet registered or unlinked), such a signal waits;
 * the last end delivers it.  Sections may nest and run on several threads. */
void dorm_cleanup_defer_begin(void);
void dorm_cleanup_defer_end(void);

#endif
