/* bam.c -- the reader backend for BAM, CRAM and SAM: the UMIs are counted
 * in memory (dorm_count_bam, bam_count.c), then served a chunk of cells at a
 * time from a memcsc, like the other readers that take in every entry first. */
#include <stdlib.h>
#include <string.h>

#include "dormscan/count.h"
#include "features_internal.h"
#include "memcsc_internal.h"
#include "reader_internal.h"

typedef struct bam_reader_t {
    memcsc_t mem;      /* the counts of the kept genes, by cell */
    char **barcodes;   /* n_cells, taken from the counts */
    int64_t n_cells, next_cell;
    char *path;
} bam_reader_t;

static int bam_read(dorm_reader_t *r, dorm_err_t *err)
{
    bam_reader_t *d = r->impl;
    return dorm_memcsc_serve(r, &d->mem, d->barcodes, d->n_cells, &d->next_cell, err);
}

static int bam_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    (void)err;
    ((bam_reader_t *)r->impl)->next_cell = 0;
    return 0;
}

static void bam_close(dorm_reader_t *r)
{
    bam_reader_t *d = r->impl;
    if (!d)
        return;
    dorm_memcsc_free(&d->mem);
    for (int64_t i = 0; d->barcodes && i < d->n_cells; i++)
        free(d->barcodes[i]);
    free(d->barcodes);
    free(d->path);
    free(d);
    r->impl = NULL;
}

static const dorm_reader_ops_t bam_ops = {bam_read, bam_rewind, bam_close, NULL};

/* The counts of the kept genes (row_map: counted gene -> kept feature, or
 * -1) as a memcsc: 0, or <0 when out of memory. */
static int counts_by_cell(const dorm_counts_t *c, const int32_t *row_map, memcsc_t *m)
{
    memset(m, 0, sizeof *m);
    m->ptr = malloc((size_t)(c->n_cells + 1) * sizeof *m->ptr);
    m->gene = malloc((size_t)(c->nnz ? c->nnz : 1) * sizeof *m->gene);
    m->value = malloc((size_t)(c->nnz ? c->nnz : 1) * sizeof *m->value);
    if (!m->ptr || !m->gene || !m->value) {
        dorm_memcsc_free(m);
        return -1;
    }
    m->n_cells = c->n_cells;
    int64_t at = 0;
    m->ptr[0] = 0;
    for (int64_t k = 0; k < c->n_cells; k++) {
        for (int64_t j = c->col_ptr[k]; j < c->col_ptr[k + 1]; j++)
            if (row_map[c->gene[j]] >= 0) {
                m->gene[at] = row_map[c->gene[j]];
                m->value[at++] = (double)c->umis[j];
            }
        m->ptr[k + 1] = at;
    }
    return 0;
}

int dorm_bam_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    bam_reader_t *d = calloc(1, sizeof *d);
    if (!d)
        return dorm_err_nomem(err);
    r->impl = d;
    r->ops = &bam_ops;
    if (!(d->path = strdup(path)))
        return dorm_err_nomem(err);
    dorm_counts_t c;
    int rc = dorm_count_bam(path, NULL, &c, err);
    if (rc < 0)
        return rc;
    int32_t *row_map = NULL;
    rc = dorm_features_build(&r->features, c.gene_ids, c.gene_names, c.gene_types, c.n_genes,
                             r->opts.keep_all_types, &row_map, err);
    if (rc == 0 && counts_by_cell(&c, row_map, &d->mem) < 0)
        rc = dorm_err_nomem(err);
    if (rc == 0) {
        r->info.format = "bam";
        r->info.field = "integer";
        r->info.matrix_path = r->info.features_path = r->info.barcodes_path = d->path;
        r->info.n_cells = c.n_cells;
        r->info.n_rows_declared = c.n_genes;
        r->info.nnz_declared = c.nnz;
        r->entries_read = c.nnz;
        d->n_cells = c.n_cells;
        d->barcodes = c.barcodes; /* taken */
        c.barcodes = NULL;
    }
    free(row_map);
    dorm_counts_destroy(&c);
    return rc;
}
