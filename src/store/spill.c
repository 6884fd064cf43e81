/* spill.c -- temporary per-cell records and their FDR columns. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/stats.h"
#include "core/threads.h"
#include "core/tmpfile.h"
#include "spill.h"

#define FDR_MEMORY_BYTES ((int64_t)16 << 20) /* p-values held at once, all threads (flat RSS) */
#define FDR_BLOCK 4096                       /* adjusted values read back per column */
#define SPILL_BUFFER ((size_t)64 << 10)      /* stdio buffer of each file */

static int io_error(dorm_err_t *err, const char *path, const char *what)
{
    return dorm_err_set(err, DORM_E_IO, "%s: %s: %s", path, what,
                        errno ? strerror(errno) : "I/O error");
}

/* A temporary file with a stdio buffer of SPILL_BUFFER bytes in *buf (glibc
 * ignores a size given without a buffer and takes 4 KB: a system call per
 * 4 KB); the caller frees *buf after fclose. */
static FILE *open_buffered(char *path, char **buf)
{
    FILE *f = dorm_tmp_anon(path);
    if (f && (*buf = malloc(SPILL_BUFFER)))
        setvbuf(f, *buf, _IOFBF, SPILL_BUFFER);
    return f;
}

int dorm_spill_file_rewind(FILE *f, const char *path, dorm_err_t *err)
{
    errno = 0;
    if (fflush(f) != 0)
        return io_error(err, path, "write failed");
    rewind(f);
    return 0;
}

char *dorm_spill_tmp_name(const char *dir, const char *tag, const char *kind)
{
    size_t n = strlen(tag) + strlen(kind) + 2;
    char *stem = malloc(n);
    if (!stem)
        return NULL;
    snprintf(stem, n, "%s.%s", tag, kind);
    char *p = dorm_tmp_template(dir, stem);
    free(stem);
    return p;
}

int dorm_spill_open(spill_t *sp, const char *dir, const char *tag, int rec_len, dorm_err_t *err)
{
    memset(sp, 0, sizeof *sp);
    sp->rec_len = rec_len;
    sp->fdr_memory = FDR_MEMORY_BYTES;
    sp->rec_path = dorm_spill_tmp_name(dir, tag, "rec");
    sp->bc_path = dorm_spill_tmp_name(dir, tag, "barcodes");
    sp->fdr_path = dorm_spill_tmp_name(dir, tag, "fdr");
    sp->pv_path = dorm_spill_tmp_name(dir, tag, "pvalues");
    if (!sp->rec_path || !sp->bc_path || !sp->fdr_path || !sp->pv_path) {
        dorm_spill_close(sp);
        return dorm_err_nomem(err);
    }
    errno = 0;
    sp->rec = open_buffered(sp->rec_path, &sp->io_buf[0]);
    if (!sp->rec) {
        int rc = io_error(err, sp->rec_path, "cannot create");
        dorm_spill_close(sp);
        return rc;
    }
    sp->bc = open_buffered(sp->bc_path, &sp->io_buf[1]);
    if (!sp->bc) {
        int rc = io_error(err, sp->bc_path, "cannot create");
        dorm_spill_close(sp);
        return rc;
    }
    return 0;
}

int dorm_spill_append(spill_t *sp, const double *rec, const char *barcode, dorm_err_t *err)
{
    errno = 0;
    if (fwrite(rec, sizeof *rec, (size_t)sp->rec_len, sp->rec) != (size_t)sp->rec_len)
        return io_error(err, sp->rec_path, "write failed");
    if (fputs(barcode, sp->bc) < 0 || fputc('\n', sp->bc) < 0)
        return io_error(err, sp->bc_path, "write failed");
    sp->n++;
    return 0;
}

/* A pass of BH over k columns of p (n values each), shared by T threads. */
typedef struct bh_job_t {
    double *p;
    int64_t n;
    int32_t *order; /* T arrays of n */
    int k, T;
    int failed[];   /* T */
} bh_job_t;

/* Thread t's share of the columns: every T-th from t. */
static void bh_columns(void *arg, int t)
{
    bh_job_t *b = arg;
    for (int c = t; c < b->k; c += b->T)
        b->failed[t] |= dorm_bh_adjust(b->p + (int64_t)c * b->n, b->n,
                                       b->order + (int64_t)t * b->n) < 0;
}

/* BH of the k columns of p on up to T threads (order: T arrays of n). */
static int bh_pass(double *p, int64_t n, int k, int T, int32_t *order)
{
    if (T > k)
        T = k;
    bh_job_t *b = calloc(1, sizeof *b + (size_t)(T > 0 ? T : 1) * sizeof *b->failed);
    if (!b)
        return -1;
    *b = (bh_job_t){p, n, order, k, T};
    dorm_parallel_for(T, bh_columns, b);
    int failed = 0;
    for (int t = 0; t < T; t++)
        failed |= b->failed[t];
    free(b);
    return failed ? -1 : 0;
}

int dorm_spill_fdr(spill_t *sp, const int *cols, int n_cols, int skip_col, int threads,
              dorm_err_t *err)
{
    sp->n_fdr = n_cols;
    errno = 0;
    if (fflush(sp->rec) != 0)
        return io_error(err, sp->rec_path, "write failed");
    if (!(sp->fdr = open_buffered(sp->fdr_path, &sp->io_buf[2])))
        return io_error(err, sp->fdr_path, "cannot create");
    int64_t n = sp->n;
    if (n > INT32_MAX)
        return dorm_err_set(err, DORM_E_USAGE, "%lld cells in one sample: FDRs need at most %d",
                            (long long)n, INT32_MAX);
    /* A pass holds its columns' values and, per thread adjusting them, one
     * int32 position per cell; the budget is for all threads together (so
     * that the peak does not grow with --threads).  Fewer threads when the
     * budget holds fewer columns than threads. */
    int T = threads > 1 ? threads : 1;
    int64_t per_pass, budget = sp->fdr_memory / (n > 0 ? n : 1);
    while ((per_pass = (budget - (int64_t)sizeof(int32_t) * T) / (int64_t)sizeof(double)) < T &&
           T > 1)
        T--;
    if (per_pass < 1)
        per_pass = 1;
    if (per_pass > n_cols)
        per_pass = n_cols;
    if (T > per_pass)
        T = (int)per_pass;
    double *p = malloc((size_t)(per_pass * (n ? n : 1)) * sizeof *p);
    double *rec = malloc((size_t)sp->rec_len * sizeof *rec);
    int32_t *order = malloc((size_t)T * (size_t)(n ? n : 1) * sizeof *order);
    int rc = 0;
    if (!p || !rec || !order) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    /* More than one pass: first copy the FDR columns out of the records, so
     * that each pass reads n_cols values per cell instead of the record. */
    FILE *src = sp->rec;
    int width = sp->rec_len;
    if (per_pass < n_cols) {
        if (!(sp->pv = open_buffered(sp->pv_path, &sp->io_buf[3]))) {
            rc = io_error(err, sp->pv_path, "cannot create");
            goto done;
        }
        rewind(sp->rec);
        for (int64_t i = 0; i < n; i++) {
            if (fread(rec, sizeof *rec, (size_t)sp->rec_len, sp->rec) != (size_t)sp->rec_len) {
                rc = io_error(err, sp->rec_path, "read failed");
                goto done;
            }
            for (int c = 0; c < n_cols; c++) /* p (>= n >= n_cols values) as the row */
                p[c] = rec[skip_col] != 0 ? NAN : rec[cols[c]];
            if (fwrite(p, sizeof *p, (size_t)n_cols, sp->pv) != (size_t)n_cols) {
                rc = io_error(err, sp->pv_path, "write failed");
                goto done;
            }
        }
        if (fflush(sp->pv) != 0) {
            rc = io_error(err, sp->pv_path, "write failed");
            goto done;
        }
        src = sp->pv;
        width = n_cols;
    }
    for (int first = 0; first < n_cols; first += (int)per_pass) {
        int k = n_cols - first < per_pass ? n_cols - first : (int)per_pass;
        rewind(src);
        for (int64_t i = 0; i < n; i++) {
            if (fread(rec, sizeof *rec, (size_t)width, src) != (size_t)width) {
                rc = io_error(err, src == sp->pv ? sp->pv_path : sp->rec_path, "read failed");
                goto done;
            }
            for (int c = 0; c < k; c++)
                p[(int64_t)c * n + i] = src == sp->pv ? rec[first + c]
                                        : rec[skip_col] != 0 ? NAN : rec[cols[first + c]];
        }
        if (bh_pass(p, n, k, T, order) < 0) {
            rc = dorm_err_set(err, DORM_E_NOMEM, "%lld cells: too many for the FDRs", (long long)n);
            goto done;
        }
        for (int c = 0; c < k; c++) {
            if (fwrite(p + (int64_t)c * n, sizeof *p, (size_t)n, sp->fdr) != (size_t)n) {
                rc = io_error(err, sp->fdr_path, "write failed");
                goto done;
            }
        }
    }
    if (fflush(sp->fdr) != 0)
        rc = io_error(err, sp->fdr_path, "write failed");
done:
    free(p);
    free(rec);
    free(order);
    return rc;
}

int dorm_spill_rewind(spill_t *sp, dorm_err_t *err)
{
    free(sp->block);
    sp->block = malloc((size_t)FDR_BLOCK * (size_t)(sp->n_fdr ? sp->n_fdr : 1) * sizeof *sp->block);
    if (!sp->block)
        return dorm_err_nomem(err);
    sp->block_first = -FDR_BLOCK - 1;
    int rc = dorm_spill_file_rewind(sp->rec, sp->rec_path, err);
    return rc < 0 ? rc : dorm_spill_barcodes_rewind(sp, err);
}

int dorm_spill_barcodes_rewind(spill_t *sp, dorm_err_t *err)
{
    return dorm_spill_file_rewind(sp->bc, sp->bc_path, err);
}

int dorm_spill_next_barcode(spill_t *sp, char **barcode, dorm_err_t *err)
{
    errno = 0;
    ssize_t len = getline(&sp->line, &sp->line_cap, sp->bc);
    if (len <= 0)
        return feof(sp->bc) ? 0 : io_error(err, sp->bc_path, "read failed");
    sp->line[len - 1] = '\0';
    *barcode = sp->line;
    return 1;
}

int dorm_spill_next(spill_t *sp, int64_t index, double *rec, char **barcode, double *fdr,
               dorm_err_t *err)
{
    if (index >= sp->n)
        return 0;
    errno = 0;
    if (fread(rec, sizeof *rec, (size_t)sp->rec_len, sp->rec) != (size_t)sp->rec_len)
        return io_error(err, sp->rec_path, "read failed");
    if (dorm_spill_next_barcode(sp, barcode, err) <= 0)
        return io_error(err, sp->bc_path, "read failed");
    if (sp->n_fdr > 0 && (index < sp->block_first || index >= sp->block_first + FDR_BLOCK)) {
        /* Load the next block of every adjusted column. */
        int64_t count = sp->n - index < FDR_BLOCK ? sp->n - index : FDR_BLOCK;
        for (int c = 0; c < sp->n_fdr; c++) {
            off_t at = (off_t)(((int64_t)c * sp->n + index) * (int64_t)sizeof *fdr);
            if (fseeko(sp->fdr, at, SEEK_SET) != 0 ||
                fread(sp->block + (int64_t)c * FDR_BLOCK, sizeof *fdr, (size_t)count, sp->fdr) !=
                    (size_t)count)
                return io_error(err, sp->fdr_path, "read failed");
        }
        sp->block_first = index;
    }
    for (int c = 0; c < sp->n_fdr; c++)
        fdr[c] = sp->block[(int64_t)c * FDR_BLOCK + (index - sp->block_first)];
    return 1;
}

void dorm_spill_close(spill_t *sp)
{
    if (sp->rec)
        fclose(sp->rec);
    if (sp->bc)
        fclose(sp->bc);
    if (sp->fdr)
        fclose(sp->fdr);
    if (sp->pv)
        fclose(sp->pv);
    for (int i = 0; i < 4; i++)
        free(sp->io_buf[i]);
    free(sp->rec_path);
    free(sp->bc_path);
    free(sp->fdr_path);
    free(sp->pv_path);
    free(sp->line);
    free(sp->block);
    memset(sp, 0, sizeof *sp);
}
