/* workers.c -- stored chunks decoded, scored and turned into records in
 * parallel, with one scorer pair per thread. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "workers.h"

typedef struct job_t {
    worker_t *w;
    const char *store_path;
    worker_finish_fn finish;
    void *ctx;
} job_t;

static int grow_doubles(double **b, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    double *p = realloc(*b, need * sizeof *p);
    if (!p)
        return -1;
    *b = p;
    *cap = need;
    return 0;
}

/* Result and record buffers for the decoded chunk. */
static int reserve(worker_t *w, dorm_err_t *err)
{
    int64_t n = w->ck.view.n_cells;
    int width[6] = {w->n_col, w->n_col, w->n_col, w->n_cls, w->n_cls, w->n_cls};
    for (int k = 0; k < 6; k++)
        if (grow_doubles(&w->buf[k], &w->buf_cap[k],
                         (size_t)(n ? n : 1) * (size_t)(width[k] ? width[k] : 1)) < 0)
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    if (n > w->rec_cells_cap) {
        double *r = realloc(w->rec, (size_t)n * (size_t)w->rec_len * sizeof *r);
        if (r)
            w->rec = r;
        uint8_t *k = r ? realloc(w->keep, (size_t)n) : NULL;
        if (k)
            w->keep = k;
        if (!r || !k)
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        w->rec_cells_cap = n;
    }
    if (!w->scratch && !(w->scratch = malloc((size_t)(w->n_scratch ? w->n_scratch : 1) *
                                             sizeof *w->scratch)))
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    return 0;
}

int worker_take_prescored(worker_t *w, prescore_t *ps, dorm_err_t *err)
{
    size_t need = (size_t)(w->ck.n_cells ? w->ck.n_cells : 1) * (size_t)(w->n_col ? w->n_col : 1);
    for (int k = 0; k < 3; k++)
        if (grow_doubles(&w->buf[k], &w->buf_cap[k], need) < 0)
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    w->col_done = 1;
    return prescore_read(ps, w->ck.n_cells, w->buf[0], w->buf[1], w->buf[2], err);
}

static void *run_one(void *arg)
{
    job_t *j = arg;
    worker_t *w = j->w;
    dorm_err_clear(&w->err);
    w->rc = cellstore_decode(&w->ck, j->store_path, &w->err);
    if (w->rc == 0)
        w->rc = reserve(w, &w->err);
    if (w->rc == 0 && !w->col_done)
        w->rc = dorm_scorer_score_chunk(w->scorer, &w->ck.view, w->buf[0], w->buf[1], w->buf[2],
                                        &w->err);
    if (w->rc == 0)
        w->rc = dorm_scorer_score_chunk(w->cls_scorer, &w->ck.view, w->buf[3], w->buf[4],
                                        w->buf[5], &w->err);
    if (w->rc == 0)
        w->rc = j->finish(j->ctx, w, &w->err);
    return NULL;
}

int workers_run(worker_t *w, int n, const char *store_path, worker_finish_fn finish, void *ctx,
                dorm_err_t *err)
{
    job_t job[n > 0 ? n : 1];
    pthread_t tid[n > 0 ? n : 1];
    int started[n > 0 ? n : 1];
    for (int i = 0; i < n; i++) {
        job[i] = (job_t){&w[i], store_path, finish, ctx};
        started[i] = i > 0 && pthread_create(&tid[i], NULL, run_one, &job[i]) == 0;
    }
    for (int i = 0; i < n; i++) /* worker 0 here, and any whose thread did not start */
        if (!started[i])
            run_one(&job[i]);
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
    cellstore_chunk_free(&w->ck);
    for (int k = 0; k < 6; k++)
        free(w->buf[k]);
    free(w->rec);
    free(w->keep);
    free(w->scratch);
    memset(w, 0, sizeof *w);
}
