/* test_pipeline.c -- the cell store's round trip and chunks taken out of a
 * reader. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/reader.h"
#include "helpers.h"
#include "store/cellstore.h"

/* A chunk of random cells: gene steps and counts mostly small, some past a
 * one-byte varint, a few cells empty; kind 0: counts, 1: counts too large
 * for count (values only), 2: fractions; 3: counts, with steps and counts
 * as in Cell Ranger data (mostly below 32 and 8, so that runs of eight
 * one-byte codes are common) and around the one-byte bounds (31 and 32, 7
 * and 8). */
typedef struct made_t {
    int64_t col_ptr[65];
    int32_t gene[64 * 400];
    double value[64 * 400];
    uint32_t count[64 * 400];
    char *barcodes[64];
    char names[64][16];
    dorm_chunk_t view;
} made_t;

static void make_chunk(made_t *m, int64_t first, int n_cells, int kind, unsigned seed)
{
    srand(seed);
    int64_t at = 0;
    m->col_ptr[0] = 0;
    for (int c = 0; c < n_cells; c++) {
        int n = rand() % 7 == 0 ? 0 : rand() % 400;
        int32_t g = rand() % 3 == 0 ? 200 + rand() % 5000 : rand() % 100;
        for (int k = 0; k < n; k++) {
            int rare = kind == 3 ? rand() % 40 == 0 : rand() % 10 == 0;
            g += kind == 3 ? (rare ? 30 + rand() % 4 : 1 + rand() % 31)
                           : 1 + (rare ? rand() % 3000 : rand() % 60);
            uint32_t v = kind == 3 ? (rand() % 30 == 0 ? 6 + (uint32_t)(rand() % 4) : 1 + (uint32_t)(rand() % 7))
                         : rand() % 8 == 0 ? 100 + (uint32_t)(rand() % 500) : 1 + (uint32_t)(rand() % 5);
            m->gene[at] = g;
            m->count[at] = v;
            m->value[at] = kind == 1 && k == n / 2 ? 3e9 + v : kind == 2 ? v / 4.0 : (double)v;
            at++;
        }
        m->col_ptr[c + 1] = at;
        snprintf(m->names[c], sizeof m->names[c], "CELL%lld", (long long)(first + c));
        m->barcodes[c] = m->names[c];
    }
    m->view = (dorm_chunk_t){first, n_cells, m->col_ptr, m->gene, m->value, m->barcodes,
                             kind == 0 || kind == 3 ? m->count : NULL};
}

static void same_chunk(const dorm_chunk_t *a, const dorm_chunk_t *b)
{
    cr_assert_eq(a->first_cell, b->first_cell);
    cr_assert_eq(a->n_cells, b->n_cells);
    for (int64_t c = 0; c < a->n_cells; c++) {
        cr_assert_eq(a->col_ptr[c + 1] - a->col_ptr[c], b->col_ptr[c + 1] - b->col_ptr[c]);
        cr_assert_str_eq(a->barcodes[c], b->barcodes[c]);
        for (int64_t i = a->col_ptr[c], j = b->col_ptr[c]; i < a->col_ptr[c + 1]; i++, j++) {
            cr_assert_eq(a->gene[i], b->gene[j], "cell %lld entry %lld", (long long)c,
                         (long long)(i - a->col_ptr[c]));
            cr_assert_eq(a->value[i], b->value[j]);
            cr_assert_eq(!a->count, !b->count);
            if (a->count)
                cr_assert_eq(a->count[i], b->count[j]);
        }
    }
}

Test(cellstore, gives_back_every_chunk_as_put)
{
    char *dir = tmpdir_new();
    cr_assert(dir);
    cellstore_t cs;
    dorm_err_t err;
    cr_assert_eq(dorm_cellstore_open(&cs, dir, "t", &err), 0);
    static made_t made[8];
    for (int k = 0; k < 8; k++) {
        make_chunk(&made[k], 64 * k, k == 5 ? 3 : 64, k % 4, 17u + (unsigned)k);
        cr_assert_eq(dorm_cellstore_put(&cs, &made[k].view, &err), 0);
    }
    cr_assert_eq(dorm_cellstore_rewind(&cs, &err), 0);
    cellstore_chunk_t ck;
    memset(&ck, 0, sizeof ck);
    for (int k = 0; k < 8; k++) {
        cr_assert_eq(dorm_cellstore_read(&cs, &ck, &err), made[k].view.n_cells);
        cr_assert_eq(dorm_cellstore_decode(&ck, cs.path, &err), 0);
        same_chunk(&made[k].view, &ck.arr.view);
    }
    cr_assert_eq(dorm_cellstore_read(&cs, &ck, &err), 0);
    dorm_cellstore_chunk_free(&ck);
    dorm_cellstore_close(&cs);
    rm_rf(dir);
    free(dir);
}

Test(reader, taken_chunks_outlive_the_next_read)
{
    char *dir = tmpdir_new();
    cr_assert(dir);
    write_text(dir, "matrix.mtx",
               "%%MatrixMarket matrix coordinate integer general\n3 4 6\n"
               "1 1 5\n3 1 1\n2 2 7\n1 3 2\n2 3 2\n3 4 9\n");
    write_text(dir, "features.tsv", "G1\tA\tGene Expression\nG2\tB\tGene Expression\n"
                                    "G3\tC\tGene Expression\n");
    write_text(dir, "barcodes.tsv", "c1\nc2\nc3\nc4\n");
    dorm_reader_opts_t o = {.chunk_cells = 1};
    dorm_reader_t *r;
    dorm_err_t err;
    cr_assert_eq(dorm_reader_open(&r, dir, &o, &err), 0, "%s", err.msg);
    dorm_chunk_buf_t held[2];
    memset(held, 0, sizeof held);
    const dorm_chunk_t *ch;
    int64_t first_gene[4], n_cells = 0;
    for (int k = 0; dorm_reader_read(r, &ch, &err) > 0; k++) {
        first_gene[n_cells++] = ch->gene[ch->col_ptr[0]];
        cr_assert_eq(dorm_reader_take(r, &held[k % 2], &err), 0);
        if (k > 0) { /* the chunk taken before is still whole */
            const dorm_chunk_t *prev = &held[(k - 1) % 2].view;
            cr_assert_eq(prev->first_cell, k - 1);
            cr_assert_eq(prev->gene[prev->col_ptr[0]], first_gene[k - 1]);
            char want[16]; /* (room for any int: no -Wformat-truncation) */
            snprintf(want, sizeof want, "c%d", k);
            cr_assert_str_eq(prev->barcodes[0], want);
        }
    }
    cr_assert_eq(n_cells, 4);
    cr_assert_eq(first_gene[0], 0);
    cr_assert_eq(first_gene[1], 1);
    cr_assert_eq(first_gene[3], 2);
    cr_assert_eq(held[1].view.value[held[1].view.col_ptr[0]], 9);
    dorm_chunk_buf_free(&held[0]);
    dorm_chunk_buf_free(&held[1]);
    dorm_reader_close(r);
    rm_rf(dir);
    free(dir);
}
