/* reader.c -- the reader interface: open by format, read, rewind, close. */
#include <stdlib.h>
#include <string.h>

#include "features_internal.h"
#include "instream_internal.h"
#include "reader_internal.h"

#define DEFAULT_CHUNK_CELLS 64

int dorm_reader_open(dorm_reader_t **out, const char *path, const dorm_reader_opts_t *opts,
                     dorm_err_t *err)
{
    *out = NULL;
    dorm_hts_follow_log_level(); /* (before the probe opens the file) */
    dorm_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return dorm_err_nomem(err);
    if (opts)
        r->opts = *opts;
    if (r->opts.chunk_cells <= 0)
        r->opts.chunk_cells = DEFAULT_CHUNK_CELLS;
    static int (*const open_fn[])(dorm_reader_t *, const char *, dorm_err_t *) = {
        [DORM_FMT_MTX] = dorm_mtx_open,   [DORM_FMT_10X_H5] = dorm_tenx_h5_open,
        [DORM_FMT_H5AD] = dorm_h5ad_open, [DORM_FMT_LOOM] = dorm_loom_open,
        [DORM_FMT_DENSE] = dorm_dense_open, [DORM_FMT_BAM] = dorm_bam_open};
    dorm_format_t fmt;
    int rc = dorm_probe(path, r->opts.format, &fmt, err);
    if (rc == 0)
        rc = open_fn[fmt](r, path, err);
    if (rc < 0) {
        dorm_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

const dorm_reader_info_t *dorm_reader_info(const dorm_reader_t *r) { return &r->info; }

const dorm_features_t *dorm_reader_features(const dorm_reader_t *r) { return &r->features; }

int dorm_reader_read(dorm_reader_t *r, const dorm_chunk_t **chunk, dorm_err_t *err)
{
    *chunk = NULL;
    int rc = r->ops->read(r, err);
    if (rc < 0)
        return rc;
    rc = (int)r->chunk.view.n_cells;
    if (rc > 0) {
        dorm_chunk_buf_view(&r->chunk);
        *chunk = &r->chunk.view;
    }
    return rc;
}

int dorm_reader_take(dorm_reader_t *r, dorm_chunk_buf_t *c, dorm_err_t *err)
{
    (void)err; /* (no allocation: the buffers are swapped) */
    dorm_chunk_buf_reset(c, 0); /* its cells' barcodes go; every read starts with a reset */
    dorm_chunk_buf_t given = *c;
    *c = r->chunk;
    r->chunk = given;
    return 0;
}

int dorm_reader_help(dorm_reader_t *r) { return r->ops->help ? r->ops->help(r) : 0; }

int dorm_reader_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    dorm_chunk_buf_reset(&r->chunk, 0);
    return r->ops->rewind(r, err);
}

int64_t dorm_reader_entries_read(const dorm_reader_t *r) { return r->entries_read; }

void dorm_reader_close(dorm_reader_t *r)
{
    if (!r)
        return;
    if (r->ops)
        r->ops->close(r);
    dorm_chunk_buf_free(&r->chunk);
    dorm_features_free(&r->features);
    free(r);
}
