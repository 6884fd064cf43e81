/* workers_internal.h -- score chunks of cells on worker threads, private.
 *
 * Each worker owns one chunk (bytes from the cell store, or arrays moved
 * out of a reader), its scorers (column sets, and classifier sets per
 * reference population), their result buffers and the chunk's per-cell
 * records.  A worker takes the next chunk (one worker at a time, in input
 * order: from the store with its prescored results, or read and parsed
 * straight from the reader when the reference is known before the first
 * cell), decodes and scores it on its own thread and calls the caller's
 * finish function to turn results into records, then waits for its turn to
 * hand them to the caller's emit function in input order, so results never
 * depend on the number of threads while reading, scoring and emitting
 * overlap. */
#ifndef DORM_PIPELINE_WORKERS_H
#define DORM_PIPELINE_WORKERS_H

#include <stdint.h>

#include "store/cellstore.h"
#include "prescore_internal.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"

typedef struct worker_t {
    dorm_scorer_t *scorer;               /* column sets; owned */
    dorm_scorer_t **cls;                 /* classifier sets, one per reference
                                            population; owned (array too) */
    int n_pops;
    int32_t *pop;                        /* cells of the chunk: population (-1: none) */
    int64_t pop_cap;
    cellstore_chunk_t ck;                /* a stored chunk; ck.view once decoded */
    dorm_chunk_buf_t held;              /* a chunk taken from the reader */
    const dorm_chunk_t *chunk;           /* the chunk being scored: &ck.view or &held.view */
    double *buf[9];                      /* column score, z, p; classifier score, z, p,
                                            deviation, its null variance, within-cell z */
    int64_t buf_cap[9];
    int n_col, n_cls;
    double *rec;                         /* records: cells x rec_len, for finish */
    uint8_t *keep;                       /* cells: 1 if the record is written */
    double *scratch;                     /* for finish: n_scratch doubles */
    int64_t rec_cells_cap;
    int rec_len, n_scratch;
    int col_done;                        /* buf[0..2] hold prescored results */
    dorm_err_t err;
} worker_t;

/* Read the column-set results of w's chunk (read with dorm_cellstore_read) from
 * ps into buf[0..2]; the worker then scores only the classifier sets. */
int dorm_worker_take_prescored(worker_t *w, prescore_t *ps, dorm_err_t *err);

/* Runs on a worker's thread before the classifier sets are scored, when
 * there are several populations: fill w->pop for the chunk's cells (the
 * population whose scorer tests each; -1: none, its results are NaN).
 * Must only read shared state. */
typedef void (*worker_pop_fn)(void *ctx, worker_t *w);

/* Runs for every chunk read from a reader, while the worker holds the
 * input (one call at a time, in input order): whether the chunk's cells
 * are wanted at all (a shard scores its own); an unwanted chunk is neither
 * scored nor emitted. */
typedef int (*worker_wanted_fn)(void *ctx, const dorm_chunk_t *ch);

/* Runs on a worker's thread after scoring: fill w->rec and w->keep for
 * w->chunk's cells.  Must only read shared state. */
typedef int (*worker_finish_fn)(void *ctx, worker_t *w, dorm_err_t *err);

/* Runs on a worker's thread, for one chunk at a time in input order, after
 * finish: write out w's records. */
typedef int (*worker_emit_fn)(void *ctx, worker_t *w, dorm_err_t *err);

/* Where the chunks come from: the cell store (with the column sets'
 * prescored results when pre is set), or, with no store, the reader. */
typedef struct worker_source_t {
    cellstore_t *store;
    prescore_t *pre;
    dorm_reader_t *reader;
} worker_source_t;

/* What the workers do for the caller; wanted may be NULL, and pops too
 * when the workers have one population. */
typedef struct worker_calls_t {
    worker_pop_fn pops;
    worker_wanted_fn wanted;
    worker_finish_fn finish;
    worker_emit_fn emit;
    void *ctx;
} worker_calls_t;

/* Every chunk left in the source through workers [0, n) of w, on n threads
 * (worker 0 on the calling thread).  0 or the first error (a reader's
 * DORM_E_UNSORTED included). */
int dorm_workers_run(worker_t *w, int n, const worker_source_t *src, const worker_calls_t *calls,
                dorm_err_t *err);
/* Free a worker's classifier scorers. */
void dorm_worker_free_cls(worker_t *w);
/* Free a worker's scorers and buffers. */
void dorm_worker_free(worker_t *w);

#endif
