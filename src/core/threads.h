/* threads.h -- the library's two ways of using threads, and the only place
 * threads are started (in the spirit of minimap2's kthread.c).
 *
 * - dorm_parallel_for: fork-join.  n shares of one job, the caller doing
 *   share 0 (and any share whose thread could not start), back when all are
 *   done.  For data-parallel passes: HDF5 chunk decoding, BH per column, the
 *   scoring workers.
 * - dorm_team_t: long-lived helpers beside the caller, with the lock,
 *   condition and stop flag they share.  For producer-consumer stages: read-
 *   ahead inflation, prescoring, formatting rows.
 *
 * A thread that cannot be started is never an error: fewer threads do the
 * same work (results never depend on the number of threads). */
#ifndef DORM_CORE_THREADS_H
#define DORM_CORE_THREADS_H

#include <pthread.h>
#include <stddef.h>

/* Run fn(arg, t) for t = 0 .. n - 1, each on its own thread (share 0 on the
 * caller's), and return when all have returned. */
void dorm_parallel_for(int n, void (*fn)(void *arg, int t), void *arg);

typedef struct dorm_team_t {
    pthread_mutex_t mu;  /* guards the stage's shared state and stop */
    pthread_cond_t cv;   /* signalled whenever that state changes */
    int stop;            /* set under mu by dorm_team_destroy: helpers return */
    pthread_t *tid;
    int n_started;
    int ready;           /* mu and cv exist */
} dorm_team_t;

/* The lock and condition of a team with no thread yet: 0, or -1 (t is then
 * empty, and dorm_team_destroy does nothing). */
int dorm_team_init(dorm_team_t *t);
/* Start up to n helpers, helper i running fn(args + i * arg_size); returns
 * how many started (t->n_started). */
int dorm_team_start(dorm_team_t *t, int n, void *(*fn)(void *), void *args, size_t arg_size);
/* Set stop and wake every helper, wait for them, and free the lock (safe on
 * a team that dorm_team_init failed to make, or on a zeroed one). */
void dorm_team_destroy(dorm_team_t *t);

#endif
