/* workers.c -- stored chunks decoded, scored and turned into records in
 * parallel, with one scorer pair per thread. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/threads.h"
#include "reference_use_internal.h"
#include "workers_internal.h"

/* What the workers share (an ordered pipeline's context: take is called
 * under its lock). */
typedef struct crew_t {
    worker_source_t src;
    worker_calls_t calls;
    worker_t *workers;
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

/* The pipeline's steps for worker t: the next chunk in input order (those
 * not wanted are passed over), scored in parallel, emitted in input order. */
static int take_step(void *ctx, int t)
{
    crew_t *cr = ctx;
    worker_t *w = &cr->workers[t];
    dorm_err_clear(&w->err);
    int wanted;
    int rc = next_chunk(cr, w, &wanted);
    return rc <= 0 ? rc : wanted ? DORM_ORDERED_ITEM : DORM_ORDERED_PASS;
}

static int work_step(void *ctx, int t)
{
    crew_t *cr = ctx;
    return score_chunk(cr, &cr->workers[t]);
}

static int emit_step(void *ctx, int t)
{
    crew_t *cr = ctx;
    worker_t *w = &cr->workers[t];
    return cr->calls.emit(cr->calls.ctx, w, &w->err);
}

int dorm_workers_run(worker_t *w, int n, const worker_source_t *src, const worker_calls_t *calls,
                     dorm_err_t *err)
{
    static const dorm_ordered_ops_t steps = {take_step, work_step, emit_step};
    crew_t cr = {.src = *src, .calls = *calls, .workers = w};
    int failed;
    int rc = dorm_ordered_run(n, &steps, &cr, &failed);
    if (rc < 0 && failed < 0)
        return dorm_err_set(err, DORM_E_NOMEM, "cannot create a thread lock");
    if (rc < 0)
        *err = w[failed].err;
    return rc;
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
