/* Unit tests of the MatrixMarket reader and the line reader. */
#include <criterion/criterion.h>
#include <math.h>

#include "dormscan/reader.h"
#include "helpers.h"
#include "io/lines.h"
#include "io/mtx_line_internal.h"

static char *dir;

static void setup(void) { dir = tmpdir_new(); }
static void teardown(void) { rm_rf(dir); free(dir); }

TestSuite(reader, .init = setup, .fini = teardown);

static void v3_dir(const char *matrix)
{
    write_text(dir, "matrix.mtx", matrix);
    write_text(dir, "features.tsv",
               "E1\tG1\tGene Expression\nE2\tG2\tGene Expression\nA1\tCD3\tAntibody Capture\n"
               "E3\tG3\tGene Expression\n");
    write_text(dir, "barcodes.tsv", "AAA-1\nCCC-1\nGGG-1\n");
}

Test(reader, streams_cells_in_chunks_with_empty_cells)
{
    v3_dir("%%MatrixMarket matrix coordinate integer general\n%comment\n4 3 5\n"
           "1 1 2\n3 1 7\n4 1 1\n2 3 5\n4 3 0\n");
    dorm_reader_t *r;
    dorm_err_t err;
    dorm_reader_opts_t o = {.chunk_cells = 2};
    cr_assert_eq(dorm_reader_open(&r, dir, &o, &err), 0, "%s", err.msg);
    cr_assert_str_eq(dorm_reader_info(r)->format, "10x-mtx-v3");
    const dorm_features_t *f = dorm_reader_features(r);
    cr_assert_eq(f->n, 3);
    cr_assert_eq(f->n_dropped, 1);
    cr_assert_str_eq(f->names[2], "G3");
    const dorm_chunk_t *ch;
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 2);
    cr_assert_str_eq(ch->barcodes[0], "AAA-1");
    cr_assert_eq(ch->col_ptr[1], 2); /* G1 and G3; the antibody row is dropped */
    cr_assert_eq(ch->gene[0], 0);
    cr_assert_eq(ch->gene[1], 2);
    cr_assert_float_eq(ch->value[1], 1.0, 1e-12);
    cr_assert_eq(ch->col_ptr[2], 2); /* CCC-1 has no entries */
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 1);
    cr_assert_eq(ch->first_cell, 2);
    cr_assert_eq(ch->col_ptr[1], 1); /* the explicit zero is dropped */
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 0);
    cr_assert_eq(dorm_reader_entries_read(r), 5);
    cr_assert_eq(dorm_reader_rewind(r, &err), 0);
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 2);
    dorm_reader_close(r);
}

Test(reader, unsorted_is_reported_then_read_in_memory)
{
    v3_dir("%%MatrixMarket matrix coordinate real general\n4 3 3\n1 3 1.5\n2 1 2\n4 1 3\n");
    dorm_reader_t *r;
    dorm_err_t err;
    cr_assert_eq(dorm_reader_open(&r, dir, NULL, &err), 0, "%s", err.msg);
    const dorm_chunk_t *ch;
    cr_assert_eq(dorm_reader_read(r, &ch, &err), DORM_E_UNSORTED);
    dorm_reader_close(r);
    dorm_reader_opts_t o = {.in_memory = 1};
    cr_assert_eq(dorm_reader_open(&r, dir, &o, &err), 0, "%s", err.msg);
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 3);
    cr_assert_eq(ch->col_ptr[1], 2);
    cr_assert_eq(ch->gene[0], 1);
    cr_assert_float_eq(ch->value[2], 1.5, 1e-12);
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 0);
    dorm_reader_close(r);
}

Test(reader, kallisto_layout_is_cells_by_genes)
{
    write_text(dir, "cells_x_genes.mtx",
               "%%MatrixMarket matrix coordinate real general\n 2   3   2\n1 3 4.000000\n2 1 1.0\n");
    write_text(dir, "cells_x_genes.genes.txt", "ENSMUSG01.3\nENSMUSG02.1\nENSMUSG03.7\n");
    write_text(dir, "cells_x_genes.barcodes.txt", "AAAC\nTTTG\n");
    dorm_reader_t *r;
    dorm_err_t err;
    cr_assert_eq(dorm_reader_open(&r, dir, NULL, &err), 0, "%s", err.msg);
    cr_assert(dorm_reader_info(r)->cells_are_rows);
    cr_assert_eq(dorm_reader_features(r)->id_type, DORM_ID_ENSEMBL);
    const dorm_chunk_t *ch;
    cr_assert_eq(dorm_reader_read(r, &ch, &err), 2);
    cr_assert_eq(ch->gene[0], 2);
    cr_assert_str_eq(ch->barcodes[1], "TTTG");
    cr_assert_eq(ch->gene[1], 0);
    dorm_reader_close(r);
}

static void expect_error(const char *matrix, const char *barcodes, const char *needle)
{
    v3_dir(matrix);
    if (barcodes)
        write_text(dir, "barcodes.tsv", barcodes);
    dorm_reader_t *r = NULL;
    dorm_err_t err;
    dorm_err_clear(&err);
    int rc = dorm_reader_open(&r, dir, NULL, &err);
    const dorm_chunk_t *ch;
    while (rc >= 0 && (rc = dorm_reader_read(r, &ch, &err)) > 0)
        ;
    dorm_reader_close(r);
    cr_assert_lt(rc, 0, "expected an error containing '%s'", needle);
    cr_assert(strstr(err.msg, needle), "message '%s' lacks '%s'", err.msg, needle);
}

Test(reader, malformed_inputs_name_the_problem)
{
    const char *hdr = "%%MatrixMarket matrix coordinate integer general\n";
    char m[512];
    expect_error("hello\n", NULL, "not a MatrixMarket header");
    snprintf(m, sizeof m, "%s4 3 1\n5 1 1\n", hdr);
    expect_error(m, NULL, "row index 5 outside 1..4");
    snprintf(m, sizeof m, "%s4 3 1\n1 9 1\n", hdr);
    expect_error(m, NULL, "column index 9 outside 1..3");
    snprintf(m, sizeof m, "%s4 3 2\n1 1 1\n", hdr);
    expect_error(m, NULL, "declares 2 entries");
    snprintf(m, sizeof m, "%s4 3 1\n1 1 1\n2 2 1\n", hdr);
    expect_error(m, NULL, "more entries than the header declares");
    snprintf(m, sizeof m, "%s4 3 1\n1 1 -3\n", hdr);
    expect_error(m, NULL, "negative value");
    snprintf(m, sizeof m, "%s4 3 1\n1 1 abc\n", hdr);
    expect_error(m, NULL, "non-numeric value");
    snprintf(m, sizeof m, "%s4 3 1\n1 1 nan\n", hdr);
    expect_error(m, NULL, "not finite");
    snprintf(m, sizeof m, "%s5 3 0\n", hdr);
    expect_error(m, NULL, "4 features, but matrix.mtx declares 5 rows");
    snprintf(m, sizeof m, "%s4 3 0\n", hdr);
    expect_error(m, "AAA-1\nCCC-1\n", "2 barcodes, but the matrix has 3 cells");
    expect_error(m, "A\nB\nC\nD\n", "more barcodes");
    expect_error("", NULL, "empty file");
}

Test(reader, lines_from_memory_strip_crlf_and_bom)
{
    dorm_lines_t *lr;
    dorm_err_t err;
    cr_assert_eq(dorm_lines_open(&lr, "data:,\xEF\xBB\xBFone\r\ntwo\nthree", &err), 0, "%s", err.msg);
    char *line;
    size_t len;
    cr_assert_eq(dorm_lines_next(lr, &line, &len, &err), 1);
    cr_assert_str_eq(line, "one");
    cr_assert_eq(dorm_lines_next(lr, &line, &len, &err), 1);
    cr_assert_str_eq(line, "two");
    cr_assert_eq(dorm_lines_next(lr, &line, &len, &err), 1);
    cr_assert_str_eq(line, "three");
    cr_assert_eq(dorm_lines_number(lr), 3);
    cr_assert_eq(dorm_lines_next(lr, &line, &len, &err), 0);
    dorm_lines_close(lr);
}

/* Entry lines of every number width (1 to 15 digits), with tabs, runs of
 * spaces and CRLF, through the fast entry parser and in chunks of 7 cells,
 * give exactly the written values. */
Test(reader, every_number_width_is_parsed_exactly)
{
    enum { N_CELLS = 60 };
    write_text(dir, "features.tsv", "E1\tG1\tGene Expression\nE2\tG2\tGene Expression\n"
                                     "E3\tG3\tGene Expression\nE4\tG4\tGene Expression\n");
    char bc[N_CELLS * 16] = "", line[64];
    static char mtx[1 << 16];
    snprintf(mtx, sizeof mtx, "%%%%MatrixMarket matrix coordinate integer general\n4 %d %d\n",
             N_CELLS, 2 * N_CELLS);
    int64_t expect[N_CELLS][2];
    int64_t v = 1;
    for (int c = 0; c < N_CELLS; c++) {
        snprintf(line, sizeof line, "C%d-1\n", c);
        strcat(bc, line);
        v = v % 100000000000000 * 10 + (c % 10); /* 1 to 15 digits, then again */
        if (v == 0)
            v = 7;
        expect[c][0] = v;
        expect[c][1] = c + 1;
        const char *sep[] = {" ", "\t", "   ", " \t "};
        snprintf(line, sizeof line, "%d%s%d%s%lld%s\n", 1 + c % 2, sep[c % 4], c + 1, sep[(c + 1) % 4],
                 (long long)v, c % 3 == 0 ? "\r" : "");
        strcat(mtx, line);
        snprintf(line, sizeof line, "3 %d %d\n", c + 1, c + 1);
        strcat(mtx, line);
    }
    write_text(dir, "barcodes.tsv", bc);
    write_text(dir, "matrix.mtx", mtx);
    dorm_reader_t *r;
    dorm_err_t err;
    dorm_reader_opts_t o = {.chunk_cells = 7};
    cr_assert_eq(dorm_reader_open(&r, dir, &o, &err), 0, "%s", err.msg);
    const dorm_chunk_t *ch;
    int rc, seen = 0;
    while ((rc = dorm_reader_read(r, &ch, &err)) > 0)
        for (int64_t k = 0; k < ch->n_cells; k++, seen++) {
            int64_t c = ch->first_cell + k, a = ch->col_ptr[k];
            cr_assert_eq(ch->col_ptr[k + 1] - a, 2, "cell %lld", (long long)c);
            cr_assert_eq(ch->gene[a], (int32_t)(c % 2));
            cr_assert_eq(ch->value[a], (double)expect[c][0], "cell %lld: %.17g vs %lld",
                         (long long)c, ch->value[a], (long long)expect[c][0]);
            cr_assert_eq(ch->gene[a + 1], 2);
            cr_assert_eq(ch->value[a + 1], (double)expect[c][1]);
        }
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(seen, N_CELLS);
    dorm_reader_close(r);
}

/* Version 0: the SSE2 line parser; 1: the SSSE3 one, where the CPU has it
 * (else the SSE2 one again). */
static unsigned parse_version(int version, const char *p, int64_t *i, int64_t *j, int64_t *v)
{
#if MTX_LINE_WORDS
    if (version == 1 && dorm_mtx_line_ssse3())
        return mtx_line_parse_ssse3(p, dorm_mtx_line_shuffles(), i, j, v);
#endif
    (void)version;
    return mtx_line_parse(p, i, j, v);
}

/* Both word-at-a-time line parsers take exactly the lines of their shape,
 * with their values, and leave every other line to the scalar parser. */
Test(mtx_line, takes_its_shape_and_nothing_else)
{
    char buf[64];
    int64_t i, j, v;
    unsigned long long seed = 42;
    for (int t = 0; t < 200000; t++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t num[3];
        int width[3];
        for (int f = 0; f < 3; f++) {
            width[f] = 1 + (int)((seed >> (8 * f + 20)) % 9); /* 1..9 digits */
            num[f] = (int64_t)((seed >> (5 * f)) % 1000000000ULL);
        }
        int len = snprintf(buf, 32, "%0*lld %0*lld %0*lld\n", width[0], (long long)num[0] % 1000000000,
                           width[1], (long long)num[1], width[2], (long long)num[2]);
        memset(buf + len, (int)(seed >> 60) & 1 ? '7' : ' ', sizeof buf - (size_t)len); /* junk */
        int64_t want[3];
        int fields[3];
        sscanf(buf, "%lld %lld %lld", (long long *)&want[0], (long long *)&want[1],
               (long long *)&want[2]);
        char *s = buf;
        for (int f = 0; f < 3; f++) {
            char *e = strpbrk(s, " \n");
            fields[f] = (int)(e - s);
            s = e + 1;
        }
        int fits = MTX_LINE_WORDS && len <= 16 && fields[0] <= 8 && fields[1] <= 8 && fields[2] <= 8;
        for (int version = 0; version < 2; version++) {
            unsigned got = parse_version(version, buf, &i, &j, &v);
            cr_assert_eq(got, fits ? (unsigned)len : 0u, "%.*s (version %d)", len - 1, buf, version);
            if (got) {
                cr_assert_eq(i, want[0]);
                cr_assert_eq(j, want[1]);
                cr_assert_eq(v, want[2]);
            }
        }
    }
    const char *refused[] = {"1 2 3\r\n", "1\t2 3\n", "1  2 3\n", " 1 2 3\n", "1 2 3 \n",
                             "1 2 -3\n", "1 2 3.5\n", "1 2\n", "1 2 3 4\n", "12 34 5e1\n",
                             "1 2 3", "123456789 1 1\n"};
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
        memset(buf, '\n', sizeof buf);
        memcpy(buf, refused[k], strlen(refused[k]));
        if (!strchr(refused[k], '\n'))
            memset(buf + strlen(refused[k]), 'x', sizeof buf - strlen(refused[k]));
        for (int version = 0; version < 2; version++)
            cr_assert_eq(parse_version(version, buf, &i, &j, &v), 0u, "%s", refused[k]);
    }
    memcpy(buf, "00000001 0000020 3\n", 19); /* 19 bytes: too long for one load */
    cr_assert_eq(parse_version(0, buf, &i, &j, &v), 0u);
    cr_assert_eq(parse_version(1, buf, &i, &j, &v), 0u);
    memcpy(buf, "87654321 120 30\n", 16); /* exactly 16 bytes */
    for (int version = 0; MTX_LINE_WORDS && version < 2; version++) {
        cr_assert_eq(parse_version(version, buf, &i, &j, &v), 16u);
        cr_assert(i == 87654321 && j == 120 && v == 30);
    }
}
