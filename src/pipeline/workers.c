/* workers.c -- stored chunks decoded, scored and turned into records in
 * parallel, with one scorer pair per thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/threads.h"
#include "reference_use_internal.h"
#include "workers_internal.h"

/* What the workers share; team.mu guards the source and the turn. */
typedef struct crew_t {
    worker_source_t src;
    worker_calls_t calls;
    worker_t *workers;
    dorm_team_t team;
    int64_t next_read, next_emit;
    int end, rc;   /* the store is read to its end; the first error */
    dorm_err_t err;
} crew_t;

/* Result and record buffers for the decoded chunk. */
static int reserve(worker_t *w, dorm_err_t *err)
{
    int64_t n = w->chunk->n_cells;
    int width[9] = {w->n_col, w->n_col, w->n_col, w->n_cls, w->n_cls,
                    w->n_cls, w->n_cls, w->n_cls, w->n_cls};
    for (int k = 0; k < 9; k++)
        if (dorm_grow(&w->buf[k], &w->buf_cap[k], (n ? n : 1) * (width[k] ? width[k] : 1),
                      sizeof *w->buf[k], 1) < 0)
            return dorm_err_nomem(err);
    int64_t rec_cap = w->rec_cells_cap * w->rec_len;
    if (dorm_grow(&w->rec, &rec_cap, n * w->rec_len, sizeof *w->rec, 1) < 0 ||
        dorm_grow(&w->keep, &w->rec_cells_cap, n, sizeof *w->keep, 1) < 0)
        return dorm_err_nomem(err);
    if (!w->scratch && !(w->scratch = malloc((size_t)(w->n_scratch ? w->n_scratch : 1) *
                                             sizeof *w->scratch)))
        return dorm_err_nomem(err);
    if (dorm_grow(&w->pop, &w->pop_cap, n, sizeof *w->pop, 1) < 0)
        return dorm_err_nomem(err);
    return 0;
}

/* The classifier sets of the chunk: by one scorer, or cell by cell by the
 * scorer of each cell's population. */
static int score_classifier(crew_t *cr, worker_t *w, const dorm_chunk_t *ch)
{
    if (w->n_pops > 1)
        cr->calls.pops(cr->calls.ctx, w);
    return dorm_reference_score_chunk(w->cls, w->n_pops, w->n_pops > 1 ? w->pop : NULL, ch, w->n_cls,
                                 w->buf + 3, &w->err);
}

int dorm_worker_take_prescored(worker_t *w, prescore_t *ps, dorm_err_t *err)
{
    int64_t need = (w->ck.n_cells ? w->ck.n_cells : 1) * (w->n_col ? w->n_col : 1);
    for (int k = 0; k < 3; k++)
        if (dorm_grow(&w->buf[k], &w->buf_cap[k], need, sizeof *w->buf[k], 1) < 0)
            return dorm_err_nomem(err);
    w->col_done = 1;
    return dorm_prescore_read(ps, w->ck.n_cells, w->buf[0], w->buf[1], w->buf[2], err);
}

/* Record the first error, which stops everyone (lock held). */
static void fail(crew_t *cr, int rc, const dorm_err_t *err)
{
    if (cr->rc == 0) {
        cr->rc = rc;
        cr->err = *err;
    }
    pthread_cond_broadcast(&cr->team.cv);
}

/* Decode, score and finish w's chunk. */
static int score_chunk(crew_t *cr, worker_t *w)
{
    int rc = cr->src.store ? dorm_cellstore_decode(&w->ck, cr->src.store->path, &w->err) : 0;
    if (rc == 0)
        rc = reserve(w, &w->err);
    if (rc == 0 && !w->col_done)
        rc = dorm_scorer_score_chunk(w->scorer, w->chunk, w->buf[0], w->buf[1], w->buf[2],
                                     &w->err);
    if (rc == 0)
        rc = score_classifier(cr, w, w->chunk);
    if (rc == 0)
        rc = cr->calls.finish(cr->calls.ctx, w, &w->err);
    return rc;
}

/* The next chunk into w (lock held): >0 cells, 0 at the end, <0 error;
 * *wanted says whether to score it. */
static int next_chunk(crew_t *cr, worker_t *w, int *wanted)
{
    int rc;
    w->col_done = 0;
    if (cr->src.store) {
        rc = dorm_cellstore_read(cr->src.store, &w->ck, &w->err); /* in store order */
        w->chunk = &w->ck.arr.view;
        if (rc > 0 && cr->src.pre) {
            int prc = dorm_worker_take_prescored(w, cr->src.pre, &w->err);
            rc = prc < 0 ? prc : rc;
        }
        *wanted = 1;
        return rc;
    }
    const dorm_chunk_t *ch;
    rc = dorm_reader_read(cr->src.reader, &ch, &w->err);
    if (rc > 0) {
        int trc = dorm_reader_take(cr->src.reader, &w->held, &w->err);
        rc = trc < 0 ? trc : rc;
    }
    w->chunk = &w->held.view;
    *wanted = rc > 0 && (!cr->calls.wanted || cr->calls.wanted(cr->calls.ctx, w->chunk));
    return rc;
}

/* Worker t: take chunks in input order, score them, emit in input order. */
static void run_worker(void *arg, int t)
{
    crew_t *cr = arg;
    worker_t *w = &cr->workers[t];
    pthread_mutex_lock(&cr->team.mu);
    while (!cr->end && cr->rc == 0) {
        dorm_err_clear(&w->err);
        int64_t seq = cr->next_read++;
        int wanted;
        int rc = next_chunk(cr, w, &wanted);
        if (rc > 0 && !wanted) { /* (no turn to wait for: nothing to emit) */
            while (cr->next_emit != seq && cr->rc == 0)
                pthread_cond_wait(&cr->team.cv, &cr->team.mu);
            cr->next_emit++;
            pthread_cond_broadcast(&cr->team.cv);
            continue;
        }
        if (rc <= 0) {
            if (rc < 0)
                fail(cr, rc, &w->err);
            cr->end = 1; /* the others finish the chunks they hold */
            break;
        }
        pthread_mutex_unlock(&cr->team.mu);
        rc = score_chunk(cr, w);
        pthread_mutex_lock(&cr->team.mu);
        while (rc == 0 && cr->rc == 0 && cr->next_emit != seq) /* our turn: input order */
            pthread_cond_wait(&cr->team.cv, &cr->team.mu);
        if (rc == 0 && cr->rc == 0) {
            pthread_mutex_unlock(&cr->team.mu); /* nobody else emits until next_emit moves */
            rc = cr->calls.emit(cr->calls.ctx, w, &w->err);
            pthread_mutex_lock(&cr->team.mu);
        }
        if (rc < 0)
            fail(cr, rc, &w->err);
        cr->next_emit++;
        pthread_cond_broadcast(&cr->team.cv);
    }
    pthread_mutex_unlock(&cr->team.mu);
}

int dorm_workers_run(worker_t *w, int n, const worker_source_t *src, const worker_calls_t *calls,
                     dorm_err_t *err)
{
    crew_t cr = {.src = *src, .calls = *calls, .workers = w};
    if (dorm_team_init(&cr.team) < 0)
        return dorm_err_set(err, DORM_E_NOMEM, "cannot create a thread lock");
    dorm_parallel_for(n, run_worker, &cr);
    dorm_team_destroy(&cr.team);
    if (cr.rc < 0) {
        *err = cr.err;
        return cr.rc;
    }
    return 0;
}

void dorm_worker_free_cls(worker_t *w)
{
    for (int i = 0; w->cls && i < w->n_pops; i++)
        dorm_scorer_destroy(w->cls[i]);
    free(w->cls);
    w->cls = NULL;
    w->n_pops = 0;
}

void dorm_worker_free(worker_t *w)
{
    dorm_scorer_destroy(w->scorer);
    dorm_worker_free_cls(w);
    free(w->pop);
    dorm_cellstore_chunk_free(&w->ck);
    dorm_chunk_buf_free(&w->held);
    for (int k = 0; k < 9; k++)
        free(w->buf[k]);
    free(w->rec);
    free(w->keep);
    free(w->scratch);
    memset(w, 0, sizeof *w);
}
