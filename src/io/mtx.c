/* mtx.c -- MatrixMarket backend (coordinate format, gzip or plain).
 *
 * Streaming: when entries are grouped by cell in ascending cell order (Cell
 * Ranger, STARsolo, kallisto|bustools), cells are emitted as they complete and
 * memory does not depend on the number of cells.  Otherwise the first
 * out-of-order entry returns DORM_E_UNSORTED, and the caller reopens with
 * opts.in_memory, which loads every entry (24 bytes each) and sorts by cell
 * (12 bytes per entry and 8 per cell up to the last cell with an entry).
 * Nothing is allocated from the declared dimensions alone: the feature table
 * must have as many lines as declared, and barcodes are streamed.
 * Barcodes are read alongside the cells, one line per cell.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "dormscan/log.h"
#include "features_internal.h"
#include "lines.h"
#include "mtx_layout_internal.h"
#include "memcsc_internal.h"
#include "mtx_line_internal.h"
#include "reader_internal.h"

/* An entry as parsed; gene is -1 for a dropped feature (never stored). */
typedef memcsc_entry_t mtx_entry_t;

typedef struct mtx_t {
    dorm_mtx_layout_t lay;
    dorm_lines_t *mat, *bc;
    int32_t *row_map;        /* feature row -> kept gene index or -1 */
    int keeps_all;           /* no -1 in row_map */
    int64_t n_feature_rows;  /* rows in the feature table */
    int64_t n_rows, n_cols, nnz;
    int pattern;
    int64_t next_cell;       /* first cell not yet emitted */
    int entries_done;        /* the matrix has no more entries */
    int finished;            /* trailing entries and barcodes checked */
    int have_pending;
    mtx_entry_t pending;
    int warned_duplicates;
    int ssse3;               /* the CPU has SSSE3: the faster line parser */
    int in_memory;           /* entries loaded into mem */
    memcsc_t mem;            /* cells up to the last one with a stored entry */
} mtx_t;

static int err_at(dorm_err_t *err, dorm_lines_t *lr, const char *fmt, const char *what)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: %s%s%s", dorm_lines_path(lr),
                        (long long)dorm_lines_number(lr), fmt, what ? what : "",
                        dorm_lines_unterminated(lr) ? "; the file ends inside this line (truncated?)"
                                                    : "");
}

/* Parse an unsigned decimal integer; advance *p.  -1 when none. */
static int64_t parse_index(const char **p)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*s++ - '0');
    }
    if (*s && *s != ' ' && *s != '\t')
        return -1;
    *p = s;
    return v;
}

/* Open the matrix stream and read the banner and the size line. */
static int open_matrix(dorm_reader_t *r, mtx_t *m, dorm_err_t *err)
{
    int rc = r->opts.threads > 1 ? dorm_lines_open_ahead(&m->mat, m->lay.matrix, err)
             : r->opts.helped      ? dorm_lines_open_shared(&m->mat, m->lay.matrix, err)
                                 : dorm_lines_open(&m->mat, m->lay.matrix, err);
    if (rc < 0)
        return rc;
    char *line;
    size_t len;
    rc = dorm_lines_next(m->mat, &line, &len, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", m->lay.matrix);
    char object[32], format[32], field[32], symmetry[32];
    if (strncmp(line, "%%MatrixMarket", 14) != 0 ||
        sscanf(line + 14, "%31s %31s %31s %31s", object, format, field, symmetry) != 4)
        return err_at(err, m->mat, "not a MatrixMarket header: expected '%%MatrixMarket matrix coordinate <field> general'", NULL);
    if (strcmp(object, "matrix") != 0 || strcmp(format, "coordinate") != 0)
        return err_at(err, m->mat, "only 'matrix coordinate' MatrixMarket files are read, not ", format);
    if (strcmp(symmetry, "general") != 0)
        return err_at(err, m->mat, "only 'general' symmetry is read, not ", symmetry);
    if (strcmp(field, "integer") == 0)
        r->info.field = "integer";
    else if (strcmp(field, "real") == 0 || strcmp(field, "double") == 0)
        r->info.field = "real";
    else if (strcmp(field, "pattern") == 0)
        r->info.field = "pattern", m->pattern = 1;
    else
        return err_at(err, m->mat, "unsupported MatrixMarket field ", field);
    while ((rc = dorm_lines_next(m->mat, &line, &len, err)) > 0)
        if (line[0] != '%' && line[strspn(line, " \t")] != '\0')
            break;
    if (rc < 0)
        return rc;
    if (rc == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no size line", m->lay.matrix);
    const char *p = line;
    m->n_rows = parse_index(&p);
    m->n_cols = parse_index(&p);
    m->nnz = parse_index(&p);
    if (m->n_rows < 0 || m->n_cols < 0 || m->nnz < 0 || p[strspn(p, " \t")] != '\0')
        return err_at(err, m->mat, "bad size line: expected 'rows columns entries'", NULL);
    return 0;
}

static int open_barcodes(mtx_t *m, dorm_err_t *err)
{
    dorm_lines_close(m->bc);
    m->bc = NULL;
    return dorm_lines_open(&m->bc, m->lay.barcodes, err);
}

/* Next barcode into *out (first tab-separated field). */
static int next_barcode(dorm_reader_t *r, mtx_t *m, char **out, dorm_err_t *err)
{
    size_t len;
    int rc = dorm_lines_next(m->bc, out, &len, err);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %lld barcodes, but the matrix has %lld cells",
                            m->lay.barcodes, (long long)dorm_lines_number(m->bc),
                            (long long)r->info.n_cells);
    if (len == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: empty barcode", m->lay.barcodes,
                            (long long)dorm_lines_number(m->bc));
    char *tab = strchr(*out, '\t');
    if (tab)
        *tab = '\0';
    return 0;
}

/* Read the next entry; 1, 0 at the end of the entries, <0 on error. */
static int next_entry(dorm_reader_t *r, mtx_t *m, mtx_entry_t *e, dorm_err_t *err)
{
    char *line;
    size_t len;
    int rc;
    while ((rc = dorm_lines_next(m->mat, &line, &len, err)) > 0)
        if (line[0] >= '0' && line[0] <= '9') /* the usual case: an entry */
            break;
        else if (line[0] != '%' && line[strspn(line, " \t")] != '\0')
            break;
    if (rc < 0)
        return rc;
    if (rc == 0) {
        if (r->entries_read != m->nnz)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: header declares %lld entries but the file ends after %lld (truncated?)",
                                m->lay.matrix, (long long)m->nnz, (long long)r->entries_read);
        return 0;
    }
    if (r->entries_read == m->nnz)
        return err_at(err, m->mat, "more entries than the header declares", NULL);
    const char *p = line;
    int64_t i = parse_index(&p), j = parse_index(&p);
    if (i < 0 || j < 0)
        return err_at(err, m->mat, "expected 'row column value' with integer indices", NULL);
    double v = 1;
    if (!m->pattern) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            return err_at(err, m->mat, "missing value", NULL);
        /* Counts are integers: parse those directly, anything else by strtod. */
        const char *q = p;
        int64_t iv = 0;
        while (*q >= '0' && *q <= '9' && iv < (INT64_C(1) << 52))
            iv = iv * 10 + (*q++ - '0');
        if (q > p && (*q == '\0' || *q == ' ' || *q == '\t')) {
            v = (double)iv;
        } else {
            char *end; /* (an underflow to a subnormal value or 0 is a value; an
                           overflow gives HUGE_VAL, refused as not finite) */
            v = strtod(p, &end);
            if (end == p || (*end && *end != ' ' && *end != '\t'))
                return err_at(err, m->mat, "non-numeric value: ", p);
            if (!isfinite(v))
                return err_at(err, m->mat, "value is not finite: ", p);
            if (v < 0)
                return err_at(err, m->mat, "negative value: ", p);
        }
    }
    if (i < 1 || i > m->n_rows)
        return dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: row index %lld outside 1..%lld",
                            m->lay.matrix, (long long)dorm_lines_number(m->mat), (long long)i,
                            (long long)m->n_rows);
    if (j < 1 || j > m->n_cols)
        return dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: column index %lld outside 1..%lld",
                            m->lay.matrix, (long long)dorm_lines_number(m->mat), (long long)j,
                            (long long)m->n_cols);
    int64_t feature = r->info.cells_are_rows ? j : i;
    e->cell = (r->info.cells_are_rows ? i : j) - 1;
    e->gene = m->row_map[feature - 1];
    e->value = v;
    r->entries_read++;
    return 1;
}

/* Close cells up to (not including) stop, or until the chunk is full. */
static int close_cells(dorm_reader_t *r, mtx_t *m, int64_t stop, dorm_err_t *err)
{
    while (m->next_cell < stop && r->chunk.view.n_cells < r->opts.chunk_cells) {
        char *bc;
        int rc = next_barcode(r, m, &bc, err);
        if (rc < 0)
            return rc;
        rc = dorm_chunk_buf_close_cell(&r->chunk, bc);
        if (rc < 0)
            return dorm_err_nomem(err);
        if (rc > 0 && !m->warned_duplicates) {
            dorm_log(DORM_LOG_WARN, "%s: repeated (row, column) entries were summed (first in cell %s)",
                     m->lay.matrix, bc);
            m->warned_duplicates = 1;
        }
        m->next_cell++;
    }
    return 0;
}

static int check_barcodes_end(mtx_t *m, dorm_err_t *err)
{
    char *line;
    size_t len;
    int rc;
    while ((rc = dorm_lines_next(m->bc, &line, &len, err)) > 0)
        if (len > 0)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s line %lld: more barcodes than the matrix's %lld cells",
                                m->lay.barcodes, (long long)dorm_lines_number(m->bc),
                                (long long)m->next_cell);
    return rc;
}

/* After the last cell: no entries and no barcodes may be left. */
static int finish(dorm_reader_t *r, mtx_t *m, dorm_err_t *err)
{
    m->finished = 1;
    if (!m->in_memory && !m->entries_done) {
        mtx_entry_t extra;
        int rc = next_entry(r, m, &extra, err);
        if (rc < 0)
            return rc;
        if (rc > 0)
            return dorm_err_set(err, DORM_E_FORMAT, "%s: entries past the last cell", m->lay.matrix);
    }
    return check_barcodes_end(m, err);
}

/* 1 to 15 decimal digits at s (no sign) into *out; the end, or NULL when
 * none or more (the general path parses and reports those). */
static inline const char *fast_uint(const char *s, int64_t *out)
{
    const char *start = s;
    uint64_t v = 0; /* unsigned: a long run of digits wraps, then is refused */
    unsigned d;
    while ((d = (unsigned)(unsigned char)*s - '0') <= 9) {
        v = v * 10 + d;
        s++;
    }
    if (s == start || s - start > 15)
        return NULL;
    *out = (int64_t)v;
    return s;
}

/* One entry line at p, parsed by the scalar path: "row col [value]" of
 * unsigned integers separated by spaces or tabs, then optional "\r".
 * Returns the "\n" that ends it, or NULL for anything else. */
static inline const char *scalar_line(const char *p, int pattern, int64_t *i, int64_t *j,
                                      int64_t *v)
{
    const char *q = fast_uint(p, i);
    if (!q || (*q != ' ' && *q != '\t'))
        return NULL;
    while (*q == ' ' || *q == '\t')
        q++;
    if (!(q = fast_uint(q, j)))
        return NULL;
    if (!pattern) {
        if (*q != ' ' && *q != '\t')
            return NULL;
        while (*q == ' ' || *q == '\t')
            q++;
        if (!(q = fast_uint(q, v)))
            return NULL;
    }
    while (*q == ' ' || *q == '\t' || *q == '\r')
        q++;
    return *q == '\n' ? q : NULL;
}

/* The common case without a call per line: entry lines "row col value" of
 * unsigned integers in range, grouped by cell, parsed straight from the line
 * buffer (mtx_line_internal.h, else scalar_line).  Stops, leaving the line unread, at
 * anything else (comments, non-integer values, errors, out-of-order cells:
 * the general path handles and reports those), when the chunk is full, or at
 * the end of the buffered lines.  The open cell's end, the entry count and
 * the chunk's arrays are kept in locals between cells.  sh: the SSSE3 line
 * parser's table, or NULL for the SSE2 one.  common: cells are columns,
 * every feature is kept and values are given (the usual layout, given as a
 * constant so that the loop tests none of these). */
__attribute__((always_inline)) static inline int
fast_entries_with(dorm_reader_t *r, mtx_t *m, const mtx_line_shuffle_t *sh, int common,
                  dorm_err_t *err)
{
    char *start, *end;
    int rc = dorm_lines_block(m->mat, &start, &end, err);
    if (rc <= 0)
        return rc;
    dorm_chunk_buf_t *ck = &r->chunk;
    if (dorm_chunk_buf_grow(ck) < 0)
        return dorm_err_nomem(err);
    const char *p = start;
    int64_t entries = r->entries_read, first = entries, nnz = m->nnz;
    int64_t n_rows = m->n_rows, n_cols = m->n_cols, cur = m->next_cell;
    int64_t at = ck->col_ptr[ck->view.n_cells + 1], cap = ck->nnz_cap;
    int32_t *gene_out = ck->gene;
    double *value_out = ck->value;
    uint32_t *count_out = ck->count;
    const int32_t *row_map = m->row_map;
    int rows_are_cells = common ? 0 : r->info.cells_are_rows, small = 1;
    int pattern = common ? 0 : m->pattern;
    int keeps_all = common ? 1 : m->keeps_all;
    uint64_t n_rows_u = (uint64_t)n_rows, n_cols_u = (uint64_t)n_cols;
    while (p < end && entries < nnz) {
        int64_t i = 0, j = 0, v = 1;
        unsigned len = 0;
        if (!pattern)
            len = sh ? mtx_line_parse_ssse3(p, sh, &i, &j, &v) : mtx_line_parse(p, &i, &j, &v);
        const char *q = len ? p + len - 1 : NULL;
        if (!len) { /* separate variables: i, j, v stay in registers */
            int64_t si, sj, sv = 1;
            q = scalar_line(p, pattern, &si, &sj, &sv);
            i = si, j = sj, v = sv;
        }
        if (!q || (uint64_t)(i - 1) >= n_rows_u || (uint64_t)(j - 1) >= n_cols_u)
            break; /* (i, j >= 1: unsigned wrap for 0) */
        int64_t cell = (rows_are_cells ? i : j) - 1, feature = rows_are_cells ? j : i;
        if (cell != cur) {
            if (cell < cur)
                break;
            ck->col_ptr[ck->view.n_cells + 1] = at;
            if ((rc = close_cells(r, m, cell, err)) < 0)
                return rc;
            cur = m->next_cell;
            at = ck->col_ptr[ck->view.n_cells + 1]; /* the closed cells may have shrunk */
            if (ck->view.n_cells >= r->opts.chunk_cells)
                break; /* the chunk is full */
        } /* (closing cells moves no entry array: room is checked below) */
        if (at == cap) {
            ck->col_ptr[ck->view.n_cells + 1] = at;
            if (dorm_chunk_buf_grow(ck) < 0)
                return dorm_err_nomem(err);
            cap = ck->nnz_cap;
            gene_out = ck->gene;
            value_out = ck->value;
            count_out = ck->count;
        }
        int32_t gene = row_map[feature - 1];
        gene_out[at] = gene;
        value_out[at] = (double)v;
        count_out[at] = (uint32_t)v;
        if (!len) /* (the line parser's values have at most 8 digits) */
            small &= v < ((int64_t)1 << 31);
        at += keeps_all ? v > 0 : gene >= 0 && v > 0; /* dropped features and zeros are not kept */
        entries++;
        p = q + 1;
    }
    ck->col_ptr[ck->view.n_cells + 1] = at;
    ck->counts_ok &= small; /* (an early return is an error: the chunk is dropped) */
    r->entries_read = entries;
    dorm_lines_consume(m->mat, (size_t)(p - start), entries - first);
    return 0;
}

#if MTX_LINE_WORDS
__attribute__((target("ssse3"))) static int fast_entries_ssse3(dorm_reader_t *r, mtx_t *m,
                                                              dorm_err_t *err)
{
    return fast_entries_with(r, m, dorm_mtx_line_shuffles(), 0, err);
}

__attribute__((target("ssse3"))) static int fast_entries_ssse3_common(dorm_reader_t *r,
                                                                     mtx_t *m, dorm_err_t *err)
{
    return fast_entries_with(r, m, dorm_mtx_line_shuffles(), 1, err);
}
#endif

static int fast_entries(dorm_reader_t *r, mtx_t *m, dorm_err_t *err)
{
    int common = !r->info.cells_are_rows && m->keeps_all && !m->pattern;
#if MTX_LINE_WORDS
    if (m->ssse3)
        return common ? fast_entries_ssse3_common(r, m, err) : fast_entries_ssse3(r, m, err);
#endif
    return common ? fast_entries_with(r, m, NULL, 1, err) : fast_entries_with(r, m, NULL, 0, err);
}

static int stream_read(dorm_reader_t *r, dorm_err_t *err)
{
    mtx_t *m = r->impl;
    int64_t n_cells = r->info.n_cells;
    while (r->chunk.view.n_cells < r->opts.chunk_cells && m->next_cell < n_cells) {
        if (m->entries_done) {
            int rc = close_cells(r, m, n_cells, err);
            if (rc < 0)
                return rc;
            continue;
        }
        if (!m->have_pending) {
            int rc = fast_entries(r, m, err);
            if (rc < 0)
                return rc;
            if (r->chunk.view.n_cells >= r->opts.chunk_cells)
                break;
            rc = next_entry(r, m, &m->pending, err);
            if (rc < 0)
                return rc;
            m->entries_done = rc == 0;
            m->have_pending = rc > 0;
            continue;
        }
        mtx_entry_t *e = &m->pending;
        if (e->cell < m->next_cell)
            return dorm_err_set(err, DORM_E_UNSORTED,
                                "%s line %lld: entries are not grouped by cell", m->lay.matrix,
                                (long long)dorm_lines_number(m->mat));
        if (e->cell > m->next_cell) {
            int rc = close_cells(r, m, e->cell, err);
            if (rc < 0)
                return rc;
            continue;
        }
        if (e->gene >= 0 && e->value > 0 && dorm_chunk_buf_push(&r->chunk, e->gene, e->value) < 0)
            return dorm_err_nomem(err);
        m->have_pending = 0;
    }
    return 0;
}

/* Load every entry, then serve chunks from a cell-sorted copy. */
static int load_all(dorm_reader_t *r, mtx_t *m, dorm_err_t *err)
{
    int64_t cap = 0, n = 0;
    mtx_entry_t *all = NULL, e;
    int rc;
    while ((rc = next_entry(r, m, &e, err)) > 0) {
        if (e.gene < 0 || e.value <= 0)
            continue;
        if (dorm_grow(&all, &cap, n + 1, sizeof *all, 1 << 16) < 0) {
            free(all);
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory loading %s", m->lay.matrix);
        }
        all[n++] = e;
    }
    if (rc < 0) {
        free(all);
        return rc;
    }
    /* Only cells the entries prove exist get an offset (a header may declare
     * billions): cells past the last stored entry are empty. */
    int64_t n_cells = 0;
    for (int64_t k = 0; k < n; k++)
        if (all[k].cell + 1 > n_cells)
            n_cells = all[k].cell + 1;
    rc = dorm_memcsc_build(&m->mem, all, n, n_cells);
    free(all);
    if (rc < 0)
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory loading %s", m->lay.matrix);
    m->in_memory = 1;
    return 0;
}

static int memory_read(dorm_reader_t *r, dorm_err_t *err)
{
    mtx_t *m = r->impl;
    int64_t n_cells = r->info.n_cells;
    while (r->chunk.view.n_cells < r->opts.chunk_cells && m->next_cell < n_cells) {
        int64_t c = m->next_cell;
        if (dorm_memcsc_push_cell(&m->mem, c, &r->chunk) < 0)
            return dorm_err_nomem(err);
        int rc = close_cells(r, m, c + 1, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int mtx_read(dorm_reader_t *r, dorm_err_t *err)
{
    mtx_t *m = r->impl;
    dorm_chunk_buf_reset(&r->chunk, m->next_cell);
    int rc = m->in_memory ? memory_read(r, err) : stream_read(r, err);
    if (rc == 0 && m->next_cell == r->info.n_cells && !m->finished)
        rc = finish(r, m, err);
    return rc < 0 ? rc : (int)r->chunk.view.n_cells;
}

static int mtx_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    mtx_t *m = r->impl;
    m->next_cell = 0;
    m->have_pending = 0;
    m->entries_done = 0;
    m->finished = 0;
    int rc = open_barcodes(m, err);
    if (rc < 0 || m->in_memory)
        return rc;
    r->entries_read = 0;
    dorm_lines_close(m->mat);
    m->mat = NULL;
    return open_matrix(r, m, err);
}

static void mtx_close(dorm_reader_t *r)
{
    mtx_t *m = r->impl;
    if (!m)
        return;
    dorm_lines_close(m->mat);
    dorm_lines_close(m->bc);
    dorm_mtx_layout_free(&m->lay);
    free(m->row_map);
    dorm_memcsc_free(&m->mem);
    free(m);
    r->impl = NULL;
}

/* On a helping thread: inflate the matrix ahead (never called during a
 * rewind or close, see reader.h). */
static int mtx_help(dorm_reader_t *r)
{
    mtx_t *m = r->impl;
    return m->mat ? dorm_lines_help(m->mat) : 0;
}

static const dorm_reader_ops_t mtx_ops = {mtx_read, mtx_rewind, mtx_close, mtx_help};

int dorm_mtx_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    mtx_t *m = calloc(1, sizeof *m);
    if (!m)
        return dorm_err_nomem(err);
    r->impl = m;
    r->ops = &mtx_ops;
#if MTX_LINE_WORDS
    m->ssse3 = dorm_mtx_line_ssse3();
#endif
    int rc = dorm_mtx_layout_resolve(path, &m->lay, err);
    if (rc < 0)
        return rc;
    r->info.format = m->lay.format;
    r->info.matrix_path = m->lay.matrix;
    r->info.features_path = m->lay.features;
    r->info.barcodes_path = m->lay.barcodes;
    r->info.cells_are_rows = m->lay.cells_are_rows;
    if ((rc = open_matrix(r, m, err)) < 0)
        return rc;
    int64_t feature_dim = m->lay.cells_are_rows ? m->n_cols : m->n_rows;
    r->info.n_cells = m->lay.cells_are_rows ? m->n_rows : m->n_cols;
    r->info.n_rows_declared = feature_dim;
    r->info.nnz_declared = m->nnz;
    if ((rc = dorm_features_read(m->lay.features, r->opts.keep_all_types, &r->features,
                                 &m->row_map, &m->n_feature_rows, err)) < 0)
        return rc;
    m->keeps_all = 1;
    for (int64_t f = 0; f < m->n_feature_rows; f++)
        m->keeps_all &= m->row_map[f] >= 0;
    if (m->n_feature_rows != feature_dim)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: %lld features, but %s declares %lld %s", m->lay.features,
                            (long long)m->n_feature_rows, dorm_basename(m->lay.matrix),
                            (long long)feature_dim, m->lay.cells_are_rows ? "columns" : "rows");
    if (r->info.n_cells > INT32_MAX * 64LL)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: implausible cell count %lld",
                            m->lay.matrix, (long long)r->info.n_cells);
    if ((rc = open_barcodes(m, err)) < 0)
        return rc;
    if (r->opts.in_memory)
        return load_all(r, m, err);
    return 0;
}
