/* prescore.c -- column-set scores on scoring threads during the read pass. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/grow.h"
#include "core/threads.h"
#include "core/tmpfile.h"
#include "prescore_internal.h"
#include "store/spill.h"

typedef enum { SLOT_FREE, SLOT_QUEUED, SLOT_BUSY } slot_state_t;

typedef struct slot_t {
    slot_state_t state;
    int64_t seq;               /* chunk number */
    int score;                 /* 0: in_order only, no results */
    dorm_chunk_buf_t held;    /* the chunk, moved out of the reader */
    double *res;               /* score, z, p: 3 x n_cells x n_col */
    int64_t res_cap;
} slot_t;

typedef struct thread_arg_t {
    prescore_t *ps;
    dorm_scorer_t *scorer;
} thread_arg_t;

struct prescore_t {
    FILE *fp;
    char *path;
    int n_col, n_threads, n_slots;
    thread_arg_t *args;
    dorm_scorer_t *helper;     /* the reading thread's, or NULL */
    slot_t *slot;
    dorm_team_t team;          /* the scoring threads; team.mu guards what follows,
                                  team.stop ends them (closing, or the first error) */
    int64_t next_put, next_take, next_write;
    prescore_in_order_fn in_order;
    prescore_idle_fn idle;
    int idle_off, in_idle;     /* idle no longer called; threads inside it */
    void *ctx;
    int rc;
    dorm_err_t err;
};

static void fail(prescore_t *ps, int rc, const dorm_err_t *err)
{
    if (ps->rc == 0) {
        ps->rc = rc;
        ps->err = *err;
    }
    ps->team.stop = 1;
    pthread_cond_broadcast(&ps->team.cv);
}

/* The queued slot next in input order, or NULL (lock held). */
static slot_t *next_queued(prescore_t *ps)
{
    for (int i = 0; i < ps->n_slots; i++)
        if (ps->slot[i].state == SLOT_QUEUED && ps->slot[i].seq == ps->next_take)
            return &ps->slot[i];
    return NULL;
}

/* Score the queued slot s with sc, then, in input order, write its results
 * and call in_order; frees the slot.  Called and returns with the lock held
 * (released while scoring and writing). */
static void run_slot(prescore_t *ps, dorm_scorer_t *sc, slot_t *s)
{
    s->state = SLOT_BUSY;
    ps->next_take++;
    pthread_mutex_unlock(&ps->team.mu);
    dorm_err_t err;
    dorm_err_clear(&err);
    int64_t n = s->held.view.n_cells;
    size_t block = (size_t)n * (size_t)ps->n_col;
    int rc = 0;
    if (dorm_grow(&s->res, &s->res_cap, 3 * (int64_t)(block ? block : 1), sizeof *s->res, 1) < 0)
        rc = dorm_err_nomem(&err);
    if (rc == 0 && s->score)
        rc = dorm_scorer_score_chunk(sc, &s->held.view, s->res, s->res + block, s->res + 2 * block,
                                     &err);
    pthread_mutex_lock(&ps->team.mu);
    while (!ps->team.stop && ps->next_write != s->seq) /* our turn: chunks in input order */
        pthread_cond_wait(&ps->team.cv, &ps->team.mu);
    int turn = !ps->team.stop;
    pthread_mutex_unlock(&ps->team.mu);
    if (rc == 0 && turn) { /* nobody else writes until next_write moves */
        errno = 0;
        if (s->score && fwrite(s->res, sizeof *s->res, 3 * block, ps->fp) != 3 * block)
            rc = dorm_err_set(&err, DORM_E_IO, "%s: write failed: %s", ps->path,
                              errno ? strerror(errno) : "I/O error");
        if (rc == 0 && ps->in_order)
            rc = ps->in_order(ps->ctx, &s->held.view, s->score, &err);
    }
    pthread_mutex_lock(&ps->team.mu);
    if (rc < 0)
        fail(ps, rc, &err);
    ps->next_write++;
    s->state = SLOT_FREE;
    pthread_cond_broadcast(&ps->team.cv);
}

static void *score_thread(void *arg)
{
    thread_arg_t *ta = arg;
    prescore_t *ps = ta->ps;
    pthread_mutex_lock(&ps->team.mu);
    for (;;) {
        slot_t *s = NULL;
        while (!ps->team.stop && !(s = next_queued(ps))) {
            if (ps->idle && !ps->idle_off) { /* the reader's work rather than wait */
                ps->in_idle++;
                pthread_mutex_unlock(&ps->team.mu);
                int did = ps->idle(ps->ctx);
                pthread_mutex_lock(&ps->team.mu);
                if (--ps->in_idle == 0)
                    pthread_cond_broadcast(&ps->team.cv);
                if (did)
                    continue;
            }
            pthread_cond_wait(&ps->team.cv, &ps->team.mu);
        }
        if (!s)
            break;
        run_slot(ps, ta->scorer, s);
    }
    pthread_mutex_unlock(&ps->team.mu);
    return NULL;
}

/* On the reading thread, instead of waiting: score the next queued chunk
 * with the helper scorer if there is one, else wait (lock held). */
static void help_or_wait(prescore_t *ps)
{
    slot_t *q = ps->helper ? next_queued(ps) : NULL;
    if (q)
        run_slot(ps, ps->helper, q);
    else
        pthread_cond_wait(&ps->team.cv, &ps->team.mu);
}

int dorm_prescore_start(prescore_t **out, dorm_scorer_t **scorers, int n_threads,
                   dorm_scorer_t *helper, int n_col, prescore_in_order_fn in_order,
                   prescore_idle_fn idle, void *ctx, const char *dir, dorm_err_t *err)
{
    *out = NULL;
    prescore_t *ps = calloc(1, sizeof *ps);
    if (!ps)
        return dorm_err_nomem(err);
    ps->n_col = n_col;
    ps->n_threads = n_threads;
    ps->helper = helper;
    ps->in_order = in_order;
    ps->idle = idle;
    ps->ctx = ctx;
    ps->n_slots = n_threads + 1;
    ps->slot = calloc((size_t)ps->n_slots, sizeof *ps->slot);
    ps->args = calloc((size_t)n_threads, sizeof *ps->args);
    ps->path = dorm_spill_tmp_name(dir, "prescore", "scores");
    if (!ps->slot || !ps->args || !ps->path) {
        dorm_prescore_close(ps);
        return dorm_err_nomem(err);
    }
    errno = 0;
    if (!(ps->fp = dorm_tmp_anon(ps->path))) {
        int rc = dorm_err_set(err, DORM_E_IO, "%s: cannot create: %s", ps->path,
                              errno ? strerror(errno) : "I/O error");
        dorm_prescore_close(ps);
        return rc;
    }
    if (dorm_team_init(&ps->team) < 0) {
        dorm_prescore_close(ps);
        return dorm_err_set(err, DORM_E_NOMEM, "cannot create a thread lock");
    }
    for (int i = 0; i < n_threads; i++)
        ps->args[i] = (thread_arg_t){ps, scorers[i]};
    if (dorm_team_start(&ps->team, n_threads, score_thread, ps->args, sizeof *ps->args) <
        n_threads) {
        dorm_prescore_close(ps);
        return dorm_err_set(err, DORM_E_NOMEM, "cannot start a scoring thread");
    }
    *out = ps;
    return 0;
}

int dorm_prescore_put(prescore_t *ps, dorm_reader_t *r, int score, dorm_err_t *err)
{
    pthread_mutex_lock(&ps->team.mu);
    slot_t *s = NULL;
    while (!ps->team.stop && !s) {
        for (int i = 0; i < ps->n_slots && !s; i++)
            if (ps->slot[i].state == SLOT_FREE)
                s = &ps->slot[i];
        if (!s)
            help_or_wait(ps);
    }
    if (ps->team.stop) {
        int rc = ps->rc;
        *err = ps->err;
        pthread_mutex_unlock(&ps->team.mu);
        return rc < 0 ? rc : dorm_err_set(err, DORM_E_IO, "scoring threads stopped");
    }
    s->state = SLOT_BUSY; /* ours while the chunk moves in */
    pthread_mutex_unlock(&ps->team.mu);
    int ok = dorm_reader_take(r, &s->held, err) == 0;
    pthread_mutex_lock(&ps->team.mu);
    if (ok) {
        s->score = score;
        s->seq = ps->next_put++;
        s->state = SLOT_QUEUED;
    } else {
        s->state = SLOT_FREE;
    }
    pthread_cond_broadcast(&ps->team.cv);
    pthread_mutex_unlock(&ps->team.mu);
    return ok ? 0 : DORM_E_NOMEM;
}

int dorm_prescore_finish(prescore_t *ps, dorm_err_t *err)
{
    pthread_mutex_lock(&ps->team.mu);
    while (!ps->team.stop && ps->next_write < ps->next_put)
        help_or_wait(ps);
    ps->idle_off = 1;
    while (ps->in_idle > 0)
        pthread_cond_wait(&ps->team.cv, &ps->team.mu);
    int rc = ps->rc;
    if (rc < 0)
        *err = ps->err;
    pthread_mutex_unlock(&ps->team.mu);
    if (rc < 0)
        return rc;
    errno = 0;
    if (fflush(ps->fp) != 0)
        return dorm_err_set(err, DORM_E_IO, "%s: write failed: %s", ps->path,
                            errno ? strerror(errno) : "I/O error");
    rewind(ps->fp);
    return 0;
}

int dorm_prescore_read(prescore_t *ps, int64_t n_cells, double *score, double *z, double *p,
                  dorm_err_t *err)
{
    size_t block = (size_t)n_cells * (size_t)ps->n_col;
    double *dst[3] = {score, z, p};
    errno = 0;
    for (int k = 0; k < 3; k++)
        if (fread(dst[k], sizeof *dst[k], block, ps->fp) != block)
            return dorm_err_set(err, DORM_E_IO, "%s: read failed: %s", ps->path,
                                errno ? strerror(errno) : "file ends early");
    return 0;
}

void dorm_prescore_close(prescore_t *ps)
{
    if (!ps)
        return;
    dorm_team_destroy(&ps->team); /* (the threads are stopped first) */
    for (int i = 0; ps->slot && i < ps->n_slots; i++) {
        dorm_chunk_buf_free(&ps->slot[i].held);
        free(ps->slot[i].res);
    }
    if (ps->fp)
        fclose(ps->fp);
    free(ps->path);
    free(ps->slot);
    free(ps->args);
    free(ps);
}
