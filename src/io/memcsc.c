/* memcsc.c -- a matrix held in memory by cell. */
#include <stdlib.h>
#include <string.h>

#include "memcsc_internal.h"

int dorm_memcsc_build(memcsc_t *m, const memcsc_entry_t *e, int64_t n, int64_t n_cells)
{
    memset(m, 0, sizeof *m);
    m->ptr = calloc((size_t)n_cells + 1, sizeof *m->ptr);
    m->gene = malloc((size_t)(n ? n : 1) * sizeof *m->gene);
    m->value = malloc((size_t)(n ? n : 1) * sizeof *m->value);
    int64_t *fill = malloc((size_t)(n_cells ? n_cells : 1) * sizeof *fill);
    if (!m->ptr || !m->gene || !m->value || !fill) {
        free(fill);
        dorm_memcsc_free(m);
        return -1;
    }
    m->n_cells = n_cells;
    for (int64_t k = 0; k < n; k++)
        m->ptr[e[k].cell + 1]++;
    for (int64_t c = 0; c < n_cells; c++)
        m->ptr[c + 1] += m->ptr[c];
    memcpy(fill, m->ptr, (size_t)n_cells * sizeof *fill);
    for (int64_t k = 0; k < n; k++) {
        int64_t at = fill[e[k].cell]++;
        m->gene[at] = e[k].gene;
        m->value[at] = e[k].value;
    }
    free(fill);
    return 0;
}

int dorm_memcsc_push_cell(const memcsc_t *m, int64_t c, dorm_chunk_buf_t *chunk)
{
    for (int64_t k = c < m->n_cells ? m->ptr[c] : 0; c < m->n_cells && k < m->ptr[c + 1]; k++)
        if (dorm_chunk_buf_push(chunk, m->gene[k], m->value[k]) < 0)
            return -1;
    return 0;
}

void dorm_memcsc_free(memcsc_t *m)
{
    free(m->ptr);
    free(m->gene);
    free(m->value);
    memset(m, 0, sizeof *m);
}

int dorm_memcsc_serve(dorm_reader_t *r, const memcsc_t *m, char *const *barcodes, int64_t n_cells,
                      int64_t *next, dorm_err_t *err)
{
    dorm_chunk_buf_reset(&r->chunk, *next);
    while (r->chunk.view.n_cells < r->opts.chunk_cells && *next < n_cells) {
        int64_t c = (*next)++;
        if (dorm_memcsc_push_cell(m, c, &r->chunk) < 0 ||
            dorm_chunk_buf_close_cell(&r->chunk, barcodes[c]) < 0)
            return dorm_err_nomem(err);
    }
    return 0;
}
