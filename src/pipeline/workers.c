/* workers.c -- chunks scored in parallel with one scorer pair per thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "workers.h"

int worker_take(worker_t *w, const dorm_chunk_t *ch, dorm_err_t *err)
{
    int64_t n = ch->n_cells, nnz = ch->col_ptr[n];
    for (int64_t i = 0; i < w->chunk.n_cells; i++)
        free(w->barcodes[i]);
    w->chunk.n_cells = 0;
    if (n + 1 > w->cells_cap) {
        int64_t *cp = realloc(w->col_ptr, (size_t)(n + 1) * sizeof *cp);
        char **bc = cp ? realloc(w->barcodes, (size_t)(n + 1) * sizeof *bc) : NULL;
        if (cp)
            w->col_ptr = cp;
        if (bc)
            w->barcodes = bc;
        if (!cp || !bc)
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        w->cells_cap = n + 1;
    }
    if (nnz > w->nnz_cap) {
        int32_t *g = realloc(w->gene, (size_t)nnz * sizeof *g);
        double *v = g ? realloc(w->value, (size_t)nnz * sizeof *v) : NULL;
        if (g)
            w->gene = g;
        if (v)
            w->value = v;
        if (!g || !v)
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        w->nnz_cap = nnz;
    }
    memcpy(w->col_ptr, ch->col_ptr, (size_t)(n + 1) * sizeof *w->col_ptr);
    if (nnz > 0) {
        memcpy(w->gene, ch->gene, (size_t)nnz * sizeof *w->gene);
        memcpy(w->value, ch->value, (size_t)nnz * sizeof *w->value);
    }
    for (int64_t i = 0; i < n; i++) {
        if (!(w->barcodes[i] = strdup(ch->barcodes[i]))) {
            w->chunk.n_cells = i;
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        }
    }
    w->chunk = (dorm_chunk_t){ch->first_cell, n, w->col_ptr, w->gene, w->value, w->barcodes};
    int width[6] = {w->n_col, w->n_col, w->n_col, w->n_cls, w->n_cls, w->n_cls};
    for (int k = 0; k < 6; k++) {
        size_t need = (size_t)(n ? n : 1) * (size_t)(width[k] ? width[k] : 1);
        if (need > w->buf_cap[k]) {
            double *b = realloc(w->buf[k], need * sizeof *b);
            if (!b)
                return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
            w->buf[k] = b;
            w->buf_cap[k] = need;
        }
    }
    return 0;
}

static void *score_one(void *arg)
{
    worker_t *w = arg;
    dorm_err_clear(&w->err);
    w->rc = dorm_scorer_score_chunk(w->scorer, &w->chunk, w->buf[0], w->buf[1], w->buf[2], &w->err);
    if (w->rc == 0)
        w->rc = dorm_scorer_score_chunk(w->cls_scorer, &w->chunk, w->buf[3], w->buf[4], w->buf[5],
                                        &w->err);
    return NULL;
}

int workers_score(worker_t *w, int n, dorm_err_t *err)
{
    pthread_t tid[n > 0 ? n : 1];
    int started[n > 0 ? n : 1];
    for (int i = 0; i < n; i++) {
        started[i] = n > 1 && i > 0 && pthread_create(&tid[i], NULL, score_one, &w[i]) == 0;
        if (!started[i] && i > 0 && n > 1) /* could not start a thread: score here */
            score_one(&w[i]);
    }
    if (n > 0)
        score_one(&w[0]);
    for (int i = 1; i < n; i++)
        if (started[i])
            pthread_join(tid[i], NULL);
    for (int i = 0; i < n; i++)
        if (w[i].rc < 0) {
            *err = w[i].err;
            return w[i].rc;
        }
    return 0;
}

void worker_free(worker_t *w)
{
    dorm_scorer_destroy(w->scorer);
    dorm_scorer_destroy(w->cls_scorer);
    for (int64_t i = 0; i < w->chunk.n_cells; i++)
        free(w->barcodes[i]);
    free(w->col_ptr);
    free(w->gene);
    free(w->value);
    free(w->barcodes);
    for (int k = 0; k < 6; k++)
        free(w->buf[k]);
    memset(w, 0, sizeof *w);
}
