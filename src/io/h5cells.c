/* h5cells.c -- read, rewind and close of the HDF5 readers (h5cells_internal.h). */
#include <stdlib.h>
#include <string.h>

#include "h5cells_internal.h"
#include "h5util_internal.h"

static int h5cells_read(dorm_reader_t *r, dorm_err_t *err)
{
    dorm_h5cells_t *c = r->impl;
    int64_t k = dorm_reader_span(r, c->next_cell, c->n_cells);
    if (k == 0)
        return 0;
    int rc = c->fill(r, c, c->next_cell, k, err);
    dorm_strings_clear(c->barcodes, k);
    if (rc < 0)
        return rc;
    c->next_cell += k;
    return 0;
}

static int h5cells_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    (void)err;
    dorm_h5cells_t *c = r->impl;
    c->next_cell = 0;
    r->entries_read = 0;
    return 0;
}

static void h5cells_close(dorm_reader_t *r)
{
    dorm_h5cells_t *c = r->impl;
    if (!c)
        return;
    if (c->free_own)
        c->free_own(c); /* (first: it may hold datasets of the file) */
    if (c->file >= 0)
        H5Fclose(c->file);
    free(c->path);
    free(c->row_map);
    free(c->barcodes);
    free(c);
    r->impl = NULL;
}

const dorm_reader_ops_t dorm_h5cells_ops = {h5cells_read, h5cells_rewind, h5cells_close, NULL};

int dorm_h5cells_open(dorm_reader_t *r, const char *path, size_t size,
                      int (*fill)(dorm_reader_t *, dorm_h5cells_t *, int64_t, int64_t, dorm_err_t *),
                      void (*free_own)(dorm_h5cells_t *), dorm_h5cells_t **out, dorm_err_t *err)
{
    dorm_h5cells_t *c = *out = calloc(1, size);
    if (!c)
        return dorm_err_nomem(err);
    c->file = -1;
    c->fill = fill;
    c->free_own = free_own;
    r->impl = c;
    r->ops = &dorm_h5cells_ops;
    if (!(c->path = strdup(path)))
        return dorm_err_nomem(err);
    return dorm_h5u_open(path, &c->file, err);
}
