/* workers.h -- score a batch of chunks on worker threads, private.
 *
 * Each worker owns a copy of one chunk, its two scorers (column sets and
 * classifier sets) and their result buffers.  A batch is scored in
 * parallel and read back in input order, so results never depend on the
 * number of threads. */
#ifndef DORM_PIPELINE_WORKERS_H
#define DORM_PIPELINE_WORKERS_H

#include "dormscan/reader.h"
#include "dormscan/score.h"

typedef struct worker_t {
    dorm_scorer_t *scorer, *cls_scorer;  /* owned */
    dorm_chunk_t chunk;                  /* view of the copy below */
    int64_t *col_ptr;
    int32_t *gene;
    double *value;
    char **barcodes;
    int64_t cells_cap, nnz_cap;
    double *buf[6];                      /* column score, z, p; classifier score, z, p */
    size_t buf_cap[6];
    int n_col, n_cls;
    int rc;
    dorm_err_t err;
} worker_t;

/* Copy a reader chunk into the worker (the reader's chunk is reused). */
int worker_take(worker_t *w, const dorm_chunk_t *ch, dorm_err_t *err);
/* Score workers [0, n) of w, on n threads when n > 1; 0 or the first error. */
int workers_score(worker_t *w, int n, dorm_err_t *err);
/* Free a worker's scorers and buffers. */
void worker_free(worker_t *w);

#endif
