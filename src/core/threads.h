/* threads.h -- the library's two ways of using threads, and the only place
 * threads are started (in the spirit of minimap2's kthread.c).
 *
 * - dorm_parallel_for: fork-join.  n shares of one job, the caller doing
 *   share 0 (and any share whose thread could not start), back when all are
 *   done.  For data-parallel passes: HDF5 chunk decoding, BH per column.
 * - dorm_ordered_run: an ordered pipeline on dorm_parallel_for.  Items are
 *   taken in input order, worked on in parallel and emitted in input order:
 *   the scoring workers (read, score, write records).
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

/* The three steps of an ordered pipeline, for worker w (0 .. n - 1). */
typedef struct dorm_ordered_ops_t {
    /* The next item into worker w, one worker at a time, in input order:
     * DORM_ORDERED_ITEM to work on it, DORM_ORDERED_PASS for an item with
     * nothing to do (nor to emit), 0 at the end, <0 an error. */
    int (*take)(void *ctx, int w);
    /* Work on w's item, in parallel with the others: 0 or <0. */
    int (*work)(void *ctx, int w);
    /* Emit w's item, one worker at a time, in input order: 0 or <0. */
    int (*emit)(void *ctx, int w);
} dorm_ordered_ops_t;
enum { DORM_ORDERED_ITEM = 1, DORM_ORDERED_PASS = 2 };

/* Run the pipeline on n workers until take says the end, or until the first
 * error (the workers then stop after the item they hold).  Returns 0, or
 * that error's code with *failed the worker that had it; -1 with *failed -1
 * (nothing run) when the pipeline's lock cannot be made. */
int dorm_ordered_run(int n, const dorm_ordered_ops_t *ops, void *ctx, int *failed);

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
