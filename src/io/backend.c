/* backend.c -- helpers the reader backends share. */
#include <stdlib.h>

#include "reader_internal.h"

int64_t dorm_reader_span(dorm_reader_t *r, int64_t next, int64_t n_cells)
{
    dorm_chunk_buf_reset(&r->chunk, next);
    int64_t k = n_cells - next;
    return k <= 0 ? 0 : k > r->opts.chunk_cells ? r->opts.chunk_cells : k;
}

void dorm_strings_clear(char **s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        free(s[i]);
        s[i] = NULL;
    }
}
