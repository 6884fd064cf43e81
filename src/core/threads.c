/* threads.c -- fork-join and helper teams (core/threads.h). */
#include <stdlib.h>
#include <string.h>

#include "core/threads.h"

typedef struct share_t {
    void (*fn)(void *arg, int t);
    void *arg;
    int t;
} share_t;

static void *run_share(void *p)
{
    share_t *s = p;
    s->fn(s->arg, s->t);
    return NULL;
}

void dorm_parallel_for(int n, void (*fn)(void *arg, int t), void *arg)
{
    if (n <= 1) {
        if (n == 1)
            fn(arg, 0);
        return;
    }
    share_t share[n];
    pthread_t tid[n];
    int started[n];
    for (int t = 0; t < n; t++) {
        share[t] = (share_t){fn, arg, t};
        started[t] = t > 0 && pthread_create(&tid[t], NULL, run_share, &share[t]) == 0;
    }
    for (int t = 0; t < n; t++) /* the caller's share, and any whose thread did not start */
        if (!started[t])
            fn(arg, t);
    for (int t = 1; t < n; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

int dorm_team_init(dorm_team_t *t)
{
    memset(t, 0, sizeof *t);
    if (pthread_mutex_init(&t->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&t->cv, NULL) != 0) {
        pthread_mutex_destroy(&t->mu);
        return -1;
    }
    t->ready = 1;
    return 0;
}

int dorm_team_start(dorm_team_t *t, int n, void *(*fn)(void *), void *args, size_t arg_size)
{
    if (n <= 0 || !t->ready)
        return t->n_started;
    pthread_t *tid = realloc(t->tid, (size_t)(t->n_started + n) * sizeof *tid);
    if (!tid)
        return t->n_started;
    t->tid = tid;
    for (int i = 0; i < n; i++)
        if (pthread_create(&t->tid[t->n_started], NULL, fn, (char *)args + (size_t)i * arg_size) == 0)
            t->n_started++;
    return t->n_started;
}

void dorm_team_destroy(dorm_team_t *t)
{
    if (!t->ready)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    for (int i = 0; i < t->n_started; i++)
        pthread_join(t->tid[i], NULL);
    free(t->tid);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    memset(t, 0, sizeof *t);
}

/* An ordered pipeline's shared state; team.mu guards the rest. */
typedef struct ordered_t {
    const dorm_ordered_ops_t *ops;
    void *ctx;
    dorm_team_t team;
    int64_t next_take, next_emit; /* items taken, emitted (or passed over) */
    int end, rc, failed;          /* take said the end; the first error, its worker */
} ordered_t;

/* The first error stops everyone (lock held). */
static void ordered_fail(ordered_t *p, int rc, int w)
{
    if (p->rc == 0) {
        p->rc = rc;
        p->failed = w;
    }
}

/* Wait for item seq's turn to emit (lock held); 0 when it came, else the
 * pipeline failed meanwhile. */
static int ordered_turn(ordered_t *p, int64_t seq)
{
    while (p->rc == 0 && p->next_emit != seq)
        pthread_cond_wait(&p->team.cv, &p->team.mu);
    return p->rc == 0 ? 0 : -1;
}

/* The turn after item seq's (lock held). */
static void ordered_next(ordered_t *p)
{
    p->next_emit++;
    pthread_cond_broadcast(&p->team.cv);
}

static void ordered_worker(void *arg, int w)
{
    ordered_t *p = arg;
    pthread_mutex_lock(&p->team.mu);
    while (!p->end && p->rc == 0) {
        int64_t seq = p->next_take++;
        int rc = p->ops->take(p->ctx, w);
        if (rc <= 0) {
            if (rc < 0)
                ordered_fail(p, rc, w);
            p->end = 1; /* the others finish the items they hold */
            pthread_cond_broadcast(&p->team.cv);
            break;
        }
        if (rc == DORM_ORDERED_PASS) { /* (nothing to emit: only its turn to pass) */
            if (ordered_turn(p, seq) == 0)
                ordered_next(p);
            continue;
        }
        pthread_mutex_unlock(&p->team.mu);
        rc = p->ops->work(p->ctx, w);
        pthread_mutex_lock(&p->team.mu);
        if (rc == 0 && ordered_turn(p, seq) == 0) {
            pthread_mutex_unlock(&p->team.mu); /* nobody else emits until next_emit moves */
            rc = p->ops->emit(p->ctx, w);
            pthread_mutex_lock(&p->team.mu);
        }
        if (rc < 0)
            ordered_fail(p, rc, w);
        ordered_next(p);
    }
    pthread_mutex_unlock(&p->team.mu);
}

int dorm_ordered_run(int n, const dorm_ordered_ops_t *ops, void *ctx, int *failed)
{
    ordered_t p = {.ops = ops, .ctx = ctx};
    *failed = -1;
    if (dorm_team_init(&p.team) < 0)
        return -1;
    dorm_parallel_for(n, ordered_worker, &p);
    dorm_team_destroy(&p.team);
    *failed = p.failed;
    return p.rc;
}
