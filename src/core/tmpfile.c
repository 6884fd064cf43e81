/* tmpfile.c -- unique temporary files, their removal on signals, and the
 * lock of an output directory (see tmpfile.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tmpfile.h"

#define MAX_NAMED 64     /* named temporaries registered at once */
#define NAME_ROOM 4096   /* bytes of a registered name */

/* The registry the signal handler reads: a slot's name is written before it
 * is marked used, and only read while it is. */
static char named[MAX_NAMED][NAME_ROOM];
static volatile sig_atomic_t used[MAX_NAMED];
static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_int deferring;        /* threads inside a deferred section */
static volatile sig_atomic_t pending; /* the signal that came meanwhile */
static mode_t file_mode = 0644; /* 0666 less the umask, read at install */

char *dorm_tmp_template(const char *dir, const char *stem)
{
    size_t n = strlen(dir) + strlen(stem) + 32;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/" DORM_TMP_MARK "%s.XXXXXX", dir, stem);
    return p;
}

FILE *dorm_tmp_anon(char *template)
{
    dorm_cleanup_defer_begin(); /* (between mkstemp and unlink the file would stay) */
    int fd = mkstemp(template);
    if (fd >= 0)
        unlink(template); /* anonymous from now on: nothing to leave behind */
    dorm_cleanup_defer_end();
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

static void registry_put(const char *path)
{
    if (strlen(path) >= NAME_ROOM)
        return; /* (too long to register: the next run's stale sweep removes it) */
    pthread_mutex_lock(&registry_mu);
    for (int i = 0; i < MAX_NAMED; i++)
        if (!used[i]) {
            memcpy(named[i], path, strlen(path) + 1);
            used[i] = 1;
            break;
        }
    pthread_mutex_unlock(&registry_mu);
}

int dorm_tmp_named(const char *final, char **path)
{
    const char *slash = strrchr(final, '/');
    size_t dn = slash ? (size_t)(slash - final) + 1 : 0, n = strlen(final) + 32;
    if ((*path = malloc(n))) /* "DIR/" + "." + NAME + mark */
        snprintf(*path, n, "%.*s.%s" DORM_TMP_MARK "XXXXXX", (int)dn, final, final + dn);
    if (!*path) {
        errno = ENOMEM;
        return -1;
    }
    dorm_cleanup_defer_begin(); /* (between mkstemp and registry_put the file would stay) */
    int fd = mkstemp(*path);
    if (fd >= 0)
        registry_put(*path);
    dorm_cleanup_defer_end();
    if (fd < 0) {
        int e = errno;
        free(*path);
        *path = NULL;
        errno = e;
        return -1;
    }
    if (fchmod(fd, file_mode) != 0) { /* mkstemp makes 0600; outputs get the usual mode */
        int e = errno;
        close(fd);
        unlink(*path);
        dorm_tmp_forget(*path);
        free(*path);
        *path = NULL;
        errno = e;
        return -1;
    }
    return fd;
}

void dorm_tmp_forget(const char *path)
{
    pthread_mutex_lock(&registry_mu);
    for (int i = 0; i < MAX_NAMED; i++)
        if (used[i] && strcmp(named[i], path) == 0) {
            used[i] = 0;
            break;
        }
    pthread_mutex_unlock(&registry_mu);
}

/* The output names whose temporaries earlier versions called ".NAME.tmp.PID". */
static int legacy_output_tmp(const char *e)
{
    static const char *const outputs[] = {
        "cells.tsv", "cells.tsv.gz", "summary.tsv", "cohort_summary.tsv", "run.json",
        "report.html", "dormscan_mqc.tsv", "dormscan_general_stats_mqc.tsv", "shard.bin",
        "matrix.mtx.gz", "features.tsv.gz", "barcodes.tsv.gz", NULL};
    for (int i = 0; outputs[i]; i++) {
        size_t n = strlen(outputs[i]);
        if (e[0] == '.' && strncmp(e + 1, outputs[i], n) == 0 && strncmp(e + 1 + n, ".tmp.", 5) == 0 &&
            e[n + 6] && strspn(e + n + 6, "0123456789") == strlen(e + n + 6))
            return 1;
    }
    return 0;
}

void dorm_tmp_remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    int dfd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, ".dormscan-", 10) == 0 || strstr(e->d_name, DORM_TMP_MARK) ||
            legacy_output_tmp(e->d_name))
            unlinkat(dfd, e->d_name, 0);
    closedir(d);
}

int dorm_dir_lock(const char *dir, int *fd, dorm_err_t *err)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return dorm_err_set(err, DORM_E_IO, "%s: cannot open: %s", dir, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    int e = errno;
    close(*fd);
    *fd = -1;
    if (e == EWOULDBLOCK)
        return dorm_err_set(err, DORM_E_IO, "%s: another dormscan run is writing into this "
                            "directory; wait for it to end or choose another", dir);
    return 0; /* a file system without locks: carry on unlocked */
}

void dorm_dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* Remove the registered temporaries and end the process by sig
 * (async-signal-safe calls only). */
static void clean_and_die(int sig)
{
    for (int i = 0; i < MAX_NAMED; i++)
        if (used[i])
            unlink(named[i]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig); /* (not reached: the default action ends the process) */
}

static void on_signal(int sig)
{
    if (atomic_load(&deferring) > 0) {
        pending = sig;
        return;
    }
    clean_and_die(sig);
}

void dorm_cleanup_install(void)
{
    mode_t m = umask(0);
    umask(m);
    file_mode = 0666 & ~m;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal the caller ignores (nohup, a shell's background job) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
    sa.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &sa, NULL);
}

void dorm_cleanup_defer_begin(void) { atomic_fetch_add(&deferring, 1); }

void dorm_cleanup_defer_end(void)
{
    if (atomic_fetch_sub(&deferring, 1) == 1 && pending)
        clean_and_die(pending);
}
