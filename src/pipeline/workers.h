/* workers.h -- score the chunks of the cell store on worker threads,
 * private.
 *
 * Each worker owns one chunk's bytes from the cell store, its two scorers
 * (column sets and classifier sets), their result buffers and the chunk's
 * per-cell records.  A worker takes the next chunk of the store (reading it
 * and its prescored results is done one worker at a time, in store order),
 * decodes and scores it on its own thread and calls the caller's finish
 * function to turn results into records, then waits for its turn to hand
 * them to the caller's emit function in input order, so results never
 * depend on the number of threads while reading, scoring and emitting
 * overlap. */
#ifndef DORM_PIPELINE_WORKERS_H
#define DORM_PIPELINE_WORKERS_H

#include <stdint.h>

#include "cellstore.h"
#include "prescore.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"

typedef struct worker_t {
    dorm_scorer_t *scorer;               /* column sets; owned */
    dorm_scorer_t **cls;                 /* classifier sets, one per reference
                                            population; owned (array too) */
    int n_pops;
    int32_t *pop;                        /* cells of the chunk: population (-1: none) */
    int64_t pop_cap;
    cellstore_chunk_t ck;                /* the chunk; ck.view once decoded */
    double *buf[8];                      /* column score, z, p; classifier score, z, p,
                                            deviation, its null variance */
    size_t buf_cap[8];
    int n_col, n_cls;
    double *rec;                         /* records: cells x rec_len, for finish */
    uint8_t *keep;                       /* cells: 1 if the record is written */
    double *scratch;                     /* for finish: n_scratch doubles */
    int64_t rec_cells_cap;
    int rec_len, n_scratch;
    int col_done;                        /* buf[0..2] hold prescored results */
    dorm_err_t err;
} worker_t;

/* Read the column-set results of w's chunk (read with cellstore_read) from
 * ps into buf[0..2]; the worker then scores only the classifier sets. */
int worker_take_prescored(worker_t *w, prescore_t *ps, dorm_err_t *err);

/* Runs on a worker's thread before the classifier sets are scored, when
 * there are several populations: fill w->pop for the chunk's cells (the
 * population whose scorer tests each; -1: none, its results are NaN).
 * Must only read shared state. */
typedef void (*worker_pop_fn)(void *ctx, worker_t *w);

/* Runs on a worker's thread after scoring: fill w->rec and w->keep for
 * w->ck.view's cells.  Must only read shared state. */
typedef int (*worker_finish_fn)(void *ctx, worker_t *w, dorm_err_t *err);

/* Runs on a worker's thread, for one chunk at a time in input order, after
 * finish: write out w's records. */
typedef int (*worker_emit_fn)(void *ctx, worker_t *w, dorm_err_t *err);

/* Every chunk left in store through workers [0, n) of w, on n threads
 * (worker 0 on the calling thread); with pre, the column sets' results are
 * read from it instead of scored.  0 or the first error. */
int workers_run(worker_t *w, int n, cellstore_t *store, prescore_t *pre, worker_pop_fn pops,
                worker_finish_fn finish, worker_emit_fn emit, void *ctx, dorm_err_t *err);
/* Free a worker's classifier scorers. */
void worker_free_cls(worker_t *w);
/* Free a worker's scorers and buffers. */
void worker_free(worker_t *w);

#endif
