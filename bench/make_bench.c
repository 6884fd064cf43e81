/* make_bench.c -- large benchmark inputs resampled from a real count matrix.
 *
 * Usage: make_bench SOURCE N_CELLS OUTDIR [--seed S] [--level L] [--h5]
 *
 * SOURCE is any integer count matrix libdormscan opens (the benchmarks use a
 * Cell Ranger v3 MatrixMarket directory); it is loaded whole (in_memory).
 * OUTDIR (created if missing) receives a Cell Ranger v3 directory:
 *
 *   matrix.mtx.gz    "%%MatrixMarket matrix coordinate integer general", a
 *                    %metadata_json comment, "n_genes n_cells nnz", then
 *                    "gene cell count" lines (1-based) sorted by cell, then
 *                    gene, as Cell Ranger writes them; gzip at --level (6)
 *   features.tsv.gz  the source's kept features: id, name, type
 *   barcodes.tsv.gz  N_CELLS unique, sorted 16-base barcodes + "-1"
 *
 * and with --h5 also filtered_feature_bc_matrix.h5 in the 10x v3 layout, as
 * Cell Ranger's save_h5_file writes it: root attributes filetype="matrix",
 * version=2; /matrix/{barcodes (fixed-length strings), data (int32), indices
 * (int64), indptr (int64), shape (int32[2])} and /matrix/features/{id, name,
 * feature_type, genome, _all_tag_keys}.  data, indices, indptr and shape are
 * chunked at 80000 elements, extendable, shuffle + gzip level 4 (h5py's
 * default level; Cell Ranger's HDF5_CHUNK_SIZE and shuffle=True).  The string
 * datasets are gzip 4 with the chunk size h5py would guess; _all_tag_keys is
 * contiguous.  --level applies to the .gz files only.
 *
 * Resampling model.  Output cell i (0-based) draws from its own xoshiro256**
 * stream, seeded with outputs 4i+1..4i+4 of a splitmix64 stream keyed by the
 * seed, in this order:
 *   1. a source cell s, uniform over the source's cells (Lemire's unbiased
 *      bounded integers);
 *   2. a depth factor f = exp(0.25 z), z ~ Normal(0, 1) by Box-Muller (one
 *      normal per cell, the second is discarded), i.e. log f has sd 0.25;
 *   3. for each nonzero count c of cell s, in gene order, a new count
 *      Poisson(c f): exact inversion (sequential search from 0) for means
 *      <= 30, Hormann's transformed rejection with squeeze (PTRS) above.
 * Zero draws are dropped.  The output is a function of the source and the
 * seed only (not of --level or --h5), and each cell can be regenerated alone:
 * pass 1 counts the entries for the header's nnz, pass 2 draws the same
 * numbers again and writes.  Barcodes come from a second splitmix64 stream:
 * cell i gets a 32-bit value uniform in its own stratum [i 2^32 / N,
 * (i+1) 2^32 / N), written as 16 bases (A, C, G, T = 0..3, most significant
 * first), so they are unique and sorted like a filtered Cell Ranger matrix.
 *
 * Memory is flat in N_CELLS: the source, one output cell, and fixed write
 * buffers.  matrix.mtx.gz is deflated in a second thread while this one draws,
 * formats and (with --h5) writes the HDF5 file.  Files are written under
 * temporary names in OUTDIR and renamed when all are complete; on any failure
 * they are removed and the tool prints one line and exits 1 (2 on misuse).
 * A benchmark tool, not part of libdormscan. */
#include <errno.h>
#include <getopt.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dormscan/dormscan.h"
#include "dormscan/reader.h"

#define DEPTH_SD 0.25          /* sd of log depth factor */
#define INVERSION_MAX_MEAN 30  /* Poisson inversion up to this mean, PTRS above */
#define MAX_SOURCE_COUNT 1000000
#define GZ_BUF (4u << 20)      /* bytes per deflate block */
#define LINE_MAX_BYTES 64      /* one "gene cell count\n" line, with over-copy slack */
#define H5_CHUNK 80000         /* Cell Ranger's HDF5_CHUNK_SIZE */
#define H5_LEVEL 4             /* h5py's default gzip level */
#define H5_SLAB (8 * H5_CHUNK) /* entries per HDF5 write: whole chunks */
#define BARCODE_LEN 18         /* 16 bases + "-1" */
#define GAMMA 0x9e3779b97f4a7c15ULL

enum { OUT_MATRIX, OUT_FEATURES, OUT_BARCODES, OUT_H5, N_OUT };
static const char *const out_names[N_OUT] = {"matrix.mtx.gz", "features.tsv.gz", "barcodes.tsv.gz",
                                             "filtered_feature_bc_matrix.h5"};

typedef struct opts_t {
    const char *source, *outdir;
    int64_t n_cells;
    uint64_t seed;
    int level, h5;
} opts_t;

/* ---- errors ------------------------------------------------------------- */

typedef struct errbuf_t {
    char msg[1024];
} errbuf_t;

static int fail(errbuf_t *e, const char *fmt, ...) DORM_PRINTF(2, 3);

/* Record the first error (later ones are consequences) and return -1. */
static int fail(errbuf_t *e, const char *fmt, ...)
{
    if (!e->msg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- the source matrix -------------------------------------------------- */

/* The whole source in compressed-sparse-column form, one column per cell. */
typedef struct source_t {
    int64_t n_genes, n_cells, nnz, max_cell_nnz;
    char **ids, **names;
    char *type;        /* the kept feature type */
    int64_t *col_ptr;  /* n_cells + 1 */
    int32_t *gene;     /* nnz, ascending within a cell */
    int32_t *count;    /* nnz, 1..MAX_SOURCE_COUNT */
} source_t;

static void source_free(source_t *s)
{
    for (int64_t g = 0; s->ids && g < s->n_genes; g++) {
        free(s->ids[g]);
        free(s->names[g]);
    }
    free(s->ids);
    free(s->names);
    free(s->type);
    free(s->col_ptr);
    free(s->gene);
    free(s->count);
    memset(s, 0, sizeof *s);
}

static int grow(void **p, int64_t *cap, int64_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    int64_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int source_load(source_t *s, const char *path, errbuf_t *e)
{
    memset(s, 0, sizeof *s);
    dorm_reader_opts_t ro;
    memset(&ro, 0, sizeof ro);
    ro.in_memory = 1;
    dorm_err_t err;
    dorm_err_clear(&err);
    dorm_reader_t *r = NULL;
    int rc = -1;
    if (dorm_reader_open(&r, path, &ro, &err) < 0) {
        fail(e, "%s", err.msg);
        goto out;
    }
    const dorm_features_t *f = dorm_reader_features(r);
    if (f->n < 1 || f->n > 9999999) {
        fail(e, "%s: %lld features; 1 to 9999999 supported", path, (long long)f->n);
        goto out;
    }
    s->n_genes = f->n;
    s->ids = calloc((size_t)f->n, sizeof *s->ids);
    s->names = calloc((size_t)f->n, sizeof *s->names);
    s->type = strdup(f->n_kept_types > 0 ? f->kept_types[0] : "Gene Expression");
    if (!s->ids || !s->names || !s->type)
        goto nomem;
    for (int64_t g = 0; g < f->n; g++)
        if (!(s->ids[g] = strdup(f->ids[g])) || !(s->names[g] = strdup(f->names[g])))
            goto nomem;

    int64_t cap_cells = 0, cap_nnz = 0, cap_count = 0;
    if (grow((void **)&s->col_ptr, &cap_cells, 1, sizeof *s->col_ptr) < 0)
        goto nomem;
    s->col_ptr[0] = 0;
    const dorm_chunk_t *ch;
    int n;
    while ((n = dorm_reader_read(r, &ch, &err)) > 0) {
        int64_t add = ch->col_ptr[ch->n_cells] - ch->col_ptr[0];
        if (grow((void **)&s->col_ptr, &cap_cells, s->n_cells + ch->n_cells + 1,
                 sizeof *s->col_ptr) < 0 ||
            grow((void **)&s->gene, &cap_nnz, s->nnz + add, sizeof *s->gene) < 0 ||
            grow((void **)&s->count, &cap_count, s->nnz + add, sizeof *s->count) < 0)
            goto nomem;
        for (int64_t c = 0; c < ch->n_cells; c++) {
            for (int64_t k = ch->col_ptr[c]; k < ch->col_ptr[c + 1]; k++) {
                double v = ch->value[k];
                if (v != floor(v) || v < 1 || v > MAX_SOURCE_COUNT) {
                    fail(e, "%s: cell %s has the value %g, not a count in 1..%d", path,
                         ch->barcodes[c], v, MAX_SOURCE_COUNT);
                    goto out;
                }
                s->gene[s->nnz] = ch->gene[k];
                s->count[s->nnz++] = (int32_t)v;
            }
            s->col_ptr[++s->n_cells] = s->nnz;
            int64_t len = s->col_ptr[s->n_cells] - s->col_ptr[s->n_cells - 1];
            if (len > s->max_cell_nnz)
                s->max_cell_nnz = len;
        }
    }
    if (n < 0) {
        fail(e, "%s", err.msg);
        goto out;
    }
    if (s->n_cells < 1) {
        fail(e, "%s: no cells", path);
        goto out;
    }
    rc = 0;
    goto out;
nomem:
    fail(e, "%s: out of memory loading the source", path);
out:
    dorm_reader_close(r);
    if (rc < 0)
        source_free(s);
    return rc;
}

/* ---- random numbers ----------------------------------------------------- */

typedef struct rng_t {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += GAMMA);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng_t *r) /* xoshiro256** */
{
    uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

static inline double rng_unif(rng_t *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

__extension__ typedef unsigned __int128 u128_t;

/* Uniform in 0..n-1 without modulo bias (Lemire). */
static uint64_t rng_below(rng_t *r, uint64_t n)
{
    u128_t m = (u128_t)rng_next(r) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t t = -n % n;
        while (low < t) {
            m = (u128_t)rng_next(r) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Cell i's stream: outputs 4i+1..4i+4 of splitmix64 from key (never all zero). */
static void rng_cell(rng_t *r, uint64_t key, int64_t cell)
{
    uint64_t x = key + (uint64_t)cell * 4 * GAMMA;
    for (int j = 0; j < 4; j++)
        r->s[j] = splitmix64(&x);
}

/* Poisson(mean) by inversion, p0 = exp(-mean): exact for any mean whose
 * exp(-mean) is a normal double; used up to INVERSION_MAX_MEAN. */
static int32_t poisson_inversion(rng_t *r, double mean, double p0)
{
    double u = rng_unif(r), p = p0, cdf = p0;
    int32_t k = 0;
    while (u > cdf && p > 0) { /* p reaches 0 only when cdf has rounded short of u */
        k++;
        p *= mean / k;
        cdf += p;
    }
    return k;
}

/* Poisson(mean) for mean >= 10: transformed rejection with squeeze, W. Hormann
 * (1993), Insurance: Mathematics and Economics 12, 39-45. */
static int32_t poisson_ptrs(rng_t *r, double mean)
{
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = rng_unif(r) - 0.5, v = rng_unif(r), us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= v_r)
            return (int32_t)k;
        if (k < 0 || k > INT32_MAX || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1))
            return (int32_t)k;
    }
}

/* ---- the resampler ------------------------------------------------------ */

#define EXP_TABLE 1024 /* > INVERSION_MAX_MEAN / min f (f >= exp(-8.6 * DEPTH_SD) = 0.116) */

typedef struct resampler_t {
    const source_t *src;
    uint64_t key;
    double exp_neg[EXP_TABLE]; /* exp(-c f) for c = 1..filled, this cell's f */
    int filled;
    int32_t *gene, *count; /* one output cell (<= src->max_cell_nnz entries) */
} resampler_t;

/* Draw output cell `cell` into rs->gene/count; returns its number of entries. */
static int64_t resample_cell(resampler_t *rs, int64_t cell)
{
    const source_t *src = rs->src;
    rng_t r;
    rng_cell(&r, rs->key, cell);
    int64_t s = (int64_t)rng_below(&r, (uint64_t)src->n_cells);
    double u1 = 1.0 - rng_unif(&r), u2 = rng_unif(&r);
    double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
    double f = exp(DEPTH_SD * z);
    double c_max = INVERSION_MAX_MEAN / f; /* counts up to this use inversion */
    if (c_max > EXP_TABLE - 1)
        c_max = EXP_TABLE - 1;
    rs->filled = 0;
    int64_t n = 0;
    for (int64_t k = src->col_ptr[s]; k < src->col_ptr[s + 1]; k++) {
        int32_t c = src->count[k], x;
        if (c <= c_max) {
            while (rs->filled < c) {
                rs->filled++;
                rs->exp_neg[rs->filled] = exp(-(double)rs->filled * f);
            }
            x = poisson_inversion(&r, c * f, rs->exp_neg[c]);
        } else {
            x = poisson_ptrs(&r, c * f);
        }
        if (x > 0) {
            rs->gene[n] = src->gene[k];
            rs->count[n++] = x;
        }
    }
    return n;
}

/* Barcode of output cell i of n: 16 bases and "-1", no terminator. */
static void barcode(char *out, uint64_t key, int64_t i, int64_t n)
{
    uint64_t width = (1ULL << 32) / (uint64_t)n;
    uint64_t x = key + (uint64_t)i * GAMMA;
    uint64_t v = ((uint64_t)i << 32) / (uint64_t)n + splitmix64(&x) % width;
    for (int b = 0; b < 16; b++)
        out[b] = "ACGT"[(v >> (30 - 2 * b)) & 3];
    out[16] = '-';
    out[17] = '1';
}

/* ---- gzip output, deflated in a second thread --------------------------- */

typedef struct gzw_t {
    FILE *f;
    const char *path;
    z_stream z;
    int z_ready;
    unsigned char *out;
    char *buf[2];
    size_t len; /* bytes in buf[cur] */
    int cur;
    int thread_started;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *job; /* the block the worker deflates */
    size_t job_len;
    int busy, stop, failed;
    errbuf_t err; /* the worker's error, read after it is idle */
} gzw_t;

static int gz_deflate(gzw_t *w, const char *data, size_t len, int flush)
{
    w->z.next_in = (unsigned char *)data;
    w->z.avail_in = (uInt)len;
    int zrc;
    do {
        w->z.next_out = w->out;
        w->z.avail_out = GZ_BUF;
        zrc = deflate(&w->z, flush);
        if (zrc == Z_STREAM_ERROR)
            return fail(&w->err, "%s: deflate failed", w->path);
        size_t have = GZ_BUF - w->z.avail_out;
        if (have && fwrite(w->out, 1, have, w->f) != have)
            return fail(&w->err, "%s: cannot write (%s)", w->path, strerror(errno));
    } while (w->z.avail_out == 0 || (flush == Z_FINISH && zrc != Z_STREAM_END));
    return 0;
}

static void *gz_worker(void *arg)
{
    gzw_t *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->busy && !w->stop)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->busy)
            break;
        pthread_mutex_unlock(&w->mu);
        int rc = w->failed ? -1 : gz_deflate(w, w->job, w->job_len, Z_NO_FLUSH);
        pthread_mutex_lock(&w->mu);
        if (rc < 0)
            w->failed = 1;
        w->busy = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* Wait until the worker is idle; -1 if it has failed. */
static int gz_wait(gzw_t *w)
{
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
    int failed = w->failed;
    pthread_mutex_unlock(&w->mu);
    return failed ? -1 : 0;
}

static int gz_open(gzw_t *w, const char *path, int level, errbuf_t *e)
{
    memset(w, 0, sizeof *w);
    w->path = path;
    w->out = malloc(GZ_BUF);
    w->buf[0] = malloc(GZ_BUF);
    w->buf[1] = malloc(GZ_BUF);
    if (!w->out || !w->buf[0] || !w->buf[1])
        return fail(e, "%s: out of memory", path);
    if (deflateInit2(&w->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return fail(e, "%s: deflateInit2 failed", path);
    w->z_ready = 1;
    if (!(w->f = fopen(path, "wb")))
        return fail(e, "%s: cannot create (%s)", path, strerror(errno));
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, gz_worker, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        return fail(e, "%s: cannot start the deflate thread", path);
    }
    w->thread_started = 1;
    return 0;
}

/* Hand the current block to the deflater and start another. */
static int gz_submit(gzw_t *w, errbuf_t *e)
{
    if (!w->len)
        return 0;
    if (gz_wait(w) < 0)
        return fail(e, "%s", w->err.msg);
    pthread_mutex_lock(&w->mu);
    w->job = w->buf[w->cur];
    w->job_len = w->len;
    w->busy = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    w->cur ^= 1;
    w->len = 0;
    return 0;
}

/* Room for n more bytes at gz_ptr(w). */
static inline int gz_room(gzw_t *w, size_t n, errbuf_t *e)
{
    return w->len + n > GZ_BUF ? gz_submit(w, e) : 0;
}

static inline char *gz_ptr(gzw_t *w) { return w->buf[w->cur] + w->len; }

static int gz_write(gzw_t *w, const char *s, size_t n, errbuf_t *e)
{
    while (n) {
        if (w->len == GZ_BUF && gz_submit(w, e) < 0)
            return -1;
        size_t k = GZ_BUF - w->len < n ? GZ_BUF - w->len : n;
        memcpy(gz_ptr(w), s, k);
        w->len += k;
        s += k;
        n -= k;
    }
    return 0;
}

static int gz_puts(gzw_t *w, const char *s, errbuf_t *e) { return gz_write(w, s, strlen(s), e); }

/* Stop the worker and release everything; finish the stream when ok.  Returns
 * -1 on any failure (also when !ok, so callers can chain). */
static int gz_close(gzw_t *w, int ok, errbuf_t *e)
{
    int rc = ok ? 0 : -1;
    if (ok && gz_submit(w, e) < 0)
        rc = -1;
    if (w->thread_started) {
        if (gz_wait(w) < 0 && rc == 0)
            rc = fail(e, "%s", w->err.msg);
        pthread_mutex_lock(&w->mu);
        w->stop = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
    }
    if (rc == 0 && gz_deflate(w, NULL, 0, Z_FINISH) < 0)
        rc = fail(e, "%s", w->err.msg);
    if (w->z_ready)
        deflateEnd(&w->z);
    if (w->f && (ferror(w->f) | fclose(w->f)) && rc == 0)
        rc = fail(e, "%s: cannot write (%s)", w->path, strerror(errno));
    free(w->out);
    free(w->buf[0]);
    free(w->buf[1]);
    memset(w, 0, sizeof *w);
    return rc;
}

/* ---- HDF5 output -------------------------------------------------------- */

/* The HDF5 file being written.  Errors are sticky: the first failing call is
 * recorded and later calls on invalid ids fail quietly, so a function checks
 * h->failed once at its end. */
typedef struct h5w_t {
    hid_t file;
    const char *path;
    int failed;
    errbuf_t err;
    hid_t d_data, d_indices, d_indptr;
    int32_t *data;       /* pending entries */
    int64_t *indices;
    int64_t n_pending, n_written;
    int64_t *indptr;     /* pending indptr values */
    int64_t n_ptr_pending, n_ptr_written;
} h5w_t;

static herr_t innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc)
        snprintf(data, 256, "%s", e->desc);
    return 0;
}

/* Check one HDF5 return value (id or status); returns it. */
static int64_t h5c(h5w_t *h, int64_t rc, const char *what)
{
    if (rc < 0 && !h->failed) {
        char why[256] = "";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost, why);
        fail(&h->err, "%s: %s failed%s%s", h->path, what, *why ? ": " : "", why);
        h->failed = 1;
    }
    return rc;
}

/* The chunk length h5py picks for a fixed-size 1-d dataset of n elements of
 * `size` bytes (its guess_chunk heuristic, used by Cell Ranger's string
 * datasets): halve from n until within reach of a target that grows with
 * the dataset, 8 KiB to 1 MiB. */
static hsize_t h5py_chunk(hsize_t n, size_t size)
{
    double chunk = (double)n, elem = (double)size;
    double target = 16384.0 * pow(2.0, log10(chunk * elem / 1048576.0));
    if (target > 1048576.0)
        target = 1048576.0;
    if (target < 8192.0)
        target = 8192.0;
    for (;;) {
        double bytes = chunk * elem;
        if ((bytes < target || fabs(bytes - target) / target < 0.5) && bytes < 1048576.0)
            break;
        if (chunk <= 1)
            break;
        chunk = ceil(chunk / 2.0);
    }
    return (hsize_t)chunk;
}

/* A 1-d chunked, gzip-compressed dataset of n elements; growable when unlimited. */
static hid_t h5_dataset(h5w_t *h, const char *name, hid_t type, hsize_t n, hsize_t chunk,
                        int unlimited, int shuffle)
{
    hsize_t dims[1] = {n}, max[1] = {unlimited ? H5S_UNLIMITED : n}, ch[1] = {chunk};
    hid_t sp = h5c(h, H5Screate_simple(1, dims, max), "H5Screate_simple");
    hid_t pl = h5c(h, H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate");
    h5c(h, H5Pset_chunk(pl, 1, ch), "H5Pset_chunk");
    if (shuffle)
        h5c(h, H5Pset_shuffle(pl), "H5Pset_shuffle");
    h5c(h, H5Pset_deflate(pl, H5_LEVEL), "H5Pset_deflate");
    hid_t d = h5c(h, H5Dcreate2(h->file, name, type, sp, H5P_DEFAULT, pl, H5P_DEFAULT), name);
    H5Pclose(pl);
    H5Sclose(sp);
    return d;
}

/* Write n elements at offset, growing the dataset to offset + n if asked. */
static void h5_put(h5w_t *h, hid_t d, hid_t mem_type, hsize_t offset, hsize_t n, int grow_to,
                   const void *buf)
{
    if (n == 0)
        return;
    hsize_t end[1] = {offset + n}, off[1] = {offset}, cnt[1] = {n};
    if (grow_to)
        h5c(h, H5Dset_extent(d, end), "H5Dset_extent");
    hid_t fs = h5c(h, H5Dget_space(d), "H5Dget_space");
    h5c(h, H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL), "H5Sselect_hyperslab");
    hid_t ms = h5c(h, H5Screate_simple(1, cnt, NULL), "H5Screate_simple");
    h5c(h, H5Dwrite(d, mem_type, ms, fs, H5P_DEFAULT, buf), "H5Dwrite");
    H5Sclose(ms);
    H5Sclose(fs);
}

static hid_t h5_str_type(h5w_t *h, size_t width)
{
    hid_t t = h5c(h, H5Tcopy(H5T_C_S1), "H5Tcopy");
    h5c(h, H5Tset_size(t, width), "H5Tset_size");
    h5c(h, H5Tset_strpad(t, H5T_STR_NULLPAD), "H5Tset_strpad");
    return t;
}

/* Fixed-length null-padded strings (numpy 'S', as Cell Ranger stores them);
 * compressed with h5py's guessed chunk unless plain. */
static void h5_strings(h5w_t *h, const char *name, char *const *s, int64_t n, int plain)
{
    size_t width = 1;
    for (int64_t i = 0; i < n; i++)
        if (strlen(s[i]) > width)
            width = strlen(s[i]);
    char *buf = n > 0 ? calloc((size_t)n, width) : NULL;
    if (!buf) {
        h->failed = 1;
        fail(&h->err, "%s: out of memory", h->path);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        memcpy(buf + (size_t)i * width, s[i], strlen(s[i]));
    hid_t t = h5_str_type(h, width), d;
    if (plain) {
        hsize_t dims[1] = {(hsize_t)n};
        hid_t sp = h5c(h, H5Screate_simple(1, dims, NULL), "H5Screate_simple");
        d = h5c(h, H5Dcreate2(h->file, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name);
        H5Sclose(sp);
    } else {
        d = h5_dataset(h, name, t, (hsize_t)n, h5py_chunk((hsize_t)n, width), 0, 0);
    }
    h5_put(h, d, t, 0, (hsize_t)n, 0, buf);
    H5Dclose(d);
    H5Tclose(t);
    free(buf);
}

/* A scalar fixed-length string attribute on the root group. */
static void h5_attr_string(h5w_t *h, const char *name, const char *value)
{
    hid_t t = h5_str_type(h, strlen(value) ? strlen(value) : 1);
    hid_t sp = h5c(h, H5Screate(H5S_SCALAR), "H5Screate");
    hid_t a = h5c(h, H5Acreate2(h->file, name, t, sp, H5P_DEFAULT, H5P_DEFAULT), name);
    h5c(h, H5Awrite(a, t, value), "H5Awrite");
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
}

static void h5_group(h5w_t *h, const char *name)
{
    H5Gclose(h5c(h, H5Gcreate2(h->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), name));
}

/* The genome tag Cell Ranger would give these features: from the Ensembl
 * prefix of the first id, else empty. */
static const char *genome_of(const source_t *s)
{
    if (strncmp(s->ids[0], "ENSMUSG", 7) == 0)
        return "mm10";
    if (strncmp(s->ids[0], "ENSG", 4) == 0)
        return "GRCh38";
    return "";
}

/* Everything but the matrix entries: attributes, features, barcodes, shape;
 * then the empty growable data, indices and indptr. */
static int h5_begin(h5w_t *h, const char *path, const source_t *src, int64_t n_cells,
                    uint64_t bc_key, errbuf_t *e)
{
    memset(h, 0, sizeof *h);
    h->path = path;
    h->file = h->d_data = h->d_indices = h->d_indptr = -1;
    h->data = malloc(H5_SLAB * sizeof *h->data);
    h->indices = malloc(H5_SLAB * sizeof *h->indices);
    h->indptr = malloc(H5_SLAB * sizeof *h->indptr);
    if (!h->data || !h->indices || !h->indptr)
        return fail(e, "%s: out of memory", path);
    h->file = h5c(h, H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "H5Fcreate");
    if (h->failed)
        return fail(e, "%s", h->err.msg);

    h5_attr_string(h, "filetype", "matrix");
    int64_t version = 2;
    hid_t sp = h5c(h, H5Screate(H5S_SCALAR), "H5Screate");
    hid_t a = h5c(h, H5Acreate2(h->file, "version", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT),
                  "version");
    h5c(h, H5Awrite(a, H5T_NATIVE_INT64, &version), "H5Awrite");
    H5Aclose(a);
    H5Sclose(sp);
    char sw[64];
    snprintf(sw, sizeof sw, "dormscan-make_bench-%s", dorm_version());
    h5_attr_string(h, "software_version", sw);

    h5_group(h, "matrix");
    h5_group(h, "matrix/features");
    h5_strings(h, "matrix/features/id", src->ids, src->n_genes, 0);
    h5_strings(h, "matrix/features/name", src->names, src->n_genes, 0);
    char **col = malloc((size_t)src->n_genes * sizeof *col);
    if (!col)
        return fail(e, "%s: out of memory", path);
    for (int64_t g = 0; g < src->n_genes; g++)
        col[g] = src->type;
    h5_strings(h, "matrix/features/feature_type", col, src->n_genes, 0);
    for (int64_t g = 0; g < src->n_genes; g++)
        col[g] = (char *)genome_of(src);
    h5_strings(h, "matrix/features/genome", col, src->n_genes, 0);
    free(col);
    char *tag_keys[1] = {"genome"};
    h5_strings(h, "matrix/features/_all_tag_keys", tag_keys, 1, 1);

    /* barcodes, regenerated in slabs */
    hid_t t = h5_str_type(h, BARCODE_LEN);
    hid_t d = h5_dataset(h, "matrix/barcodes", t, (hsize_t)n_cells,
                         h5py_chunk((hsize_t)n_cells, BARCODE_LEN), 0, 0);
    enum { BC_SLAB = 65536 };
    char *bc = malloc((size_t)BC_SLAB * BARCODE_LEN);
    if (!bc)
        return fail(e, "%s: out of memory", path);
    for (int64_t i0 = 0; i0 < n_cells && !h->failed; i0 += BC_SLAB) {
        int64_t n = n_cells - i0 < BC_SLAB ? n_cells - i0 : BC_SLAB;
        for (int64_t i = 0; i < n; i++)
            barcode(bc + i * BARCODE_LEN, bc_key, i0 + i, n_cells);
        h5_put(h, d, t, (hsize_t)i0, (hsize_t)n, 0, bc);
    }
    free(bc);
    H5Dclose(d);
    H5Tclose(t);

    int32_t shape[2] = {(int32_t)src->n_genes, (int32_t)n_cells};
    d = h5_dataset(h, "matrix/shape", H5T_STD_I32LE, 0, H5_CHUNK, 1, 1);
    h5_put(h, d, H5T_NATIVE_INT32, 0, 2, 1, shape);
    H5Dclose(d);
    h->d_data = h5_dataset(h, "matrix/data", H5T_STD_I32LE, 0, H5_CHUNK, 1, 1);
    h->d_indices = h5_dataset(h, "matrix/indices", H5T_STD_I64LE, 0, H5_CHUNK, 1, 1);
    h->d_indptr = h5_dataset(h, "matrix/indptr", H5T_STD_I64LE, 0, H5_CHUNK, 1, 1);
    return h->failed ? fail(e, "%s", h->err.msg) : 0;
}

static void h5_flush_entries(h5w_t *h)
{
    h5_put(h, h->d_data, H5T_NATIVE_INT32, (hsize_t)h->n_written, (hsize_t)h->n_pending, 1,
           h->data);
    h5_put(h, h->d_indices, H5T_NATIVE_INT64, (hsize_t)h->n_written, (hsize_t)h->n_pending, 1,
           h->indices);
    h->n_written += h->n_pending;
    h->n_pending = 0;
}

static void h5_flush_indptr(h5w_t *h)
{
    h5_put(h, h->d_indptr, H5T_NATIVE_INT64, (hsize_t)h->n_ptr_written, (hsize_t)h->n_ptr_pending,
           1, h->indptr);
    h->n_ptr_written += h->n_ptr_pending;
    h->n_ptr_pending = 0;
}

static void h5_push_indptr(h5w_t *h, int64_t v)
{
    h->indptr[h->n_ptr_pending++] = v;
    if (h->n_ptr_pending == H5_SLAB)
        h5_flush_indptr(h);
}

/* Append one cell's entries (and the indptr value after it). */
static int h5_add_cell(h5w_t *h, const int32_t *gene, const int32_t *count, int64_t n, errbuf_t *e)
{
    for (int64_t k = 0; k < n; k++) {
        h->indices[h->n_pending] = gene[k];
        h->data[h->n_pending++] = count[k];
        if (h->n_pending == H5_SLAB)
            h5_flush_entries(h);
    }
    h5_push_indptr(h, h->n_written + h->n_pending);
    return h->failed ? fail(e, "%s", h->err.msg) : 0;
}

/* Flush and close (ok), or just release (!ok).  Returns -1 on any failure. */
static int h5_end(h5w_t *h, int ok, errbuf_t *e)
{
    if (ok) {
        h5_flush_entries(h);
        h5_flush_indptr(h);
    }
    if (h->d_data >= 0)
        H5Dclose(h->d_data);
    if (h->d_indices >= 0)
        H5Dclose(h->d_indices);
    if (h->d_indptr >= 0)
        H5Dclose(h->d_indptr);
    if (h->file >= 0)
        h5c(h, H5Fclose(h->file), "H5Fclose");
    free(h->data);
    free(h->indices);
    free(h->indptr);
    int rc = ok && !h->failed ? 0 : -1;
    if (ok && h->failed)
        fail(e, "%s", h->err.msg);
    return rc;
}

/* ---- the run ------------------------------------------------------------ */

static char *put_uint(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static void progress(int on, int pass, int64_t done, int64_t total)
{
    if (on)
        fprintf(stderr, "\rmake_bench: pass %d/2: %lld/%lld cells", pass, (long long)done,
                (long long)total);
}

static int write_features(const char *path, const source_t *src, int level, errbuf_t *e)
{
    gzw_t w;
    int rc = gz_open(&w, path, level, e);
    for (int64_t g = 0; rc == 0 && g < src->n_genes; g++)
        if (gz_puts(&w, src->ids[g], e) < 0 || gz_puts(&w, "\t", e) < 0 ||
            gz_puts(&w, src->names[g], e) < 0 || gz_puts(&w, "\t", e) < 0 ||
            gz_puts(&w, src->type, e) < 0 || gz_puts(&w, "\n", e) < 0)
            rc = -1;
    return gz_close(&w, rc == 0, e);
}

static int write_barcodes(const char *path, int64_t n_cells, uint64_t bc_key, int level, errbuf_t *e)
{
    gzw_t w;
    int rc = gz_open(&w, path, level, e);
    for (int64_t i = 0; rc == 0 && i < n_cells; i++) {
        if ((rc = gz_room(&w, BARCODE_LEN + 1, e)) < 0)
            break;
        barcode(gz_ptr(&w), bc_key, i, n_cells);
        gz_ptr(&w)[BARCODE_LEN] = '\n';
        w.len += BARCODE_LEN + 1;
    }
    return gz_close(&w, rc == 0, e);
}

/* Pass 2: draw every cell again and write matrix.mtx.gz (and the HDF5 entries). */
static int write_matrix(const opts_t *o, resampler_t *rs, uint64_t bc_key, int64_t nnz,
                        char *const *tmp, int show, errbuf_t *e)
{
    const source_t *src = rs->src;
    int64_t n_genes = src->n_genes, total = 0;
    char *gene_txt = calloc((size_t)n_genes, 8); /* "12345 " in 8-byte slots */
    unsigned char *gene_len = malloc((size_t)n_genes);
    gzw_t w;
    h5w_t h;
    int h5_open = 0, rc = -1;
    memset(&w, 0, sizeof w);
    if (!gene_txt || !gene_len) {
        fail(e, "out of memory");
        goto out;
    }
    for (int64_t g = 0; g < n_genes; g++) {
        char *end = put_uint(gene_txt + g * 8, (uint64_t)g + 1);
        *end++ = ' ';
        gene_len[g] = (unsigned char)(end - (gene_txt + g * 8));
    }
    if (gz_open(&w, tmp[OUT_MATRIX], o->level, e) < 0)
        goto out;
    if (o->h5) {
        h5_open = 1;
        if (h5_begin(&h, tmp[OUT_H5], src, o->n_cells, bc_key, e) < 0)
            goto out;
        h5_push_indptr(&h, 0);
    }
    char head[256];
    snprintf(head, sizeof head,
             "%%%%MatrixMarket matrix coordinate integer general\n"
             "%%metadata_json: {\"software_version\": \"dormscan-make_bench-%s\", "
             "\"format_version\": 2}\n%lld %lld %lld\n",
             dorm_version(), (long long)n_genes, (long long)o->n_cells, (long long)nnz);
    if (gz_puts(&w, head, e) < 0)
        goto out;
    for (int64_t cell = 0; cell < o->n_cells; cell++) {
        int64_t n = resample_cell(rs, cell);
        total += n;
        char cell_txt[32] = {0};
        char *end = put_uint(cell_txt, (uint64_t)cell + 1);
        *end++ = ' ';
        size_t cell_len = (size_t)(end - cell_txt);
        for (int64_t k = 0; k < n; k++) {
            if (gz_room(&w, LINE_MAX_BYTES, e) < 0)
                goto out;
            char *p = gz_ptr(&w), *start = p;
            memcpy(p, gene_txt + rs->gene[k] * 8, 8);
            p += gene_len[rs->gene[k]];
            memcpy(p, cell_txt, 16);
            p += cell_len;
            p = put_uint(p, (uint64_t)rs->count[k]);
            *p++ = '\n';
            w.len += (size_t)(p - start);
        }
        if (o->h5 && h5_add_cell(&h, rs->gene, rs->count, n, e) < 0)
            goto out;
        if ((cell & 0x3fff) == 0)
            progress(show, 2, cell, o->n_cells);
    }
    progress(show, 2, o->n_cells, o->n_cells);
    if (total != nnz) {
        fail(e, "internal error: pass 2 drew %lld entries, pass 1 %lld", (long long)total,
             (long long)nnz);
        goto out;
    }
    rc = 0;
out:
    if (gz_close(&w, rc == 0, e) < 0)
        rc = -1;
    if (h5_open && h5_end(&h, rc == 0, e) < 0)
        rc = -1;
    free(gene_txt);
    free(gene_len);
    return rc;
}

static int run(const opts_t *o, errbuf_t *e)
{
    source_t src;
    resampler_t rs;
    char *tmp[N_OUT] = {0}, *dst[N_OUT] = {0};
    int made[N_OUT] = {0}, rc = -1, show = isatty(2);
    memset(&rs, 0, sizeof rs);
    if (source_load(&src, o->source, e) < 0)
        return -1;
    if (mkdir(o->outdir, 0777) < 0 && errno != EEXIST) {
        fail(e, "%s: cannot create (%s)", o->outdir, strerror(errno));
        goto out;
    }
    for (int i = 0; i < N_OUT; i++) {
        size_t n = strlen(o->outdir) + strlen(out_names[i]) + 32;
        if (!(tmp[i] = malloc(n)) || !(dst[i] = malloc(n))) {
            fail(e, "out of memory");
            goto out;
        }
        snprintf(tmp[i], n, "%s/.%s.part", o->outdir, out_names[i]);
        snprintf(dst[i], n, "%s/%s", o->outdir, out_names[i]);
    }
    rs.src = &src;
    uint64_t x = o->seed;
    rs.key = splitmix64(&x);
    uint64_t bc_key = splitmix64(&x);
    rs.gene = malloc((size_t)src.max_cell_nnz * sizeof *rs.gene + 1);
    rs.count = malloc((size_t)src.max_cell_nnz * sizeof *rs.count + 1);
    if (!rs.gene || !rs.count) {
        fail(e, "out of memory");
        goto out;
    }

    int64_t nnz = 0; /* pass 1: count */
    for (int64_t cell = 0; cell < o->n_cells; cell++) {
        nnz += resample_cell(&rs, cell);
        if ((cell & 0x3fff) == 0)
            progress(show, 1, cell, o->n_cells);
    }
    progress(show, 1, o->n_cells, o->n_cells);

    made[OUT_FEATURES] = 1;
    if (write_features(tmp[OUT_FEATURES], &src, o->level, e) < 0)
        goto out;
    made[OUT_BARCODES] = 1;
    if (write_barcodes(tmp[OUT_BARCODES], o->n_cells, bc_key, o->level, e) < 0)
        goto out;
    made[OUT_MATRIX] = 1;
    made[OUT_H5] = o->h5;
    if (write_matrix(o, &rs, bc_key, nnz, tmp, show, e) < 0)
        goto out;
    for (int i = 0; i < N_OUT; i++)
        if (made[i] && rename(tmp[i], dst[i]) < 0) {
            fail(e, "%s: cannot rename to %s (%s)", tmp[i], dst[i], strerror(errno));
            goto out;
        } else {
            made[i] = 0;
        }
    if (show)
        fputc('\n', stderr);
    printf("%s: %lld cells x %lld genes, %lld entries\n", o->outdir, (long long)o->n_cells,
           (long long)src.n_genes, (long long)nnz);
    rc = 0;
out:
    if (rc < 0 && show)
        fputc('\n', stderr);
    for (int i = 0; i < N_OUT; i++) {
        if (made[i] && tmp[i])
            unlink(tmp[i]);
        free(tmp[i]);
        free(dst[i]);
    }
    free(rs.gene);
    free(rs.count);
    source_free(&src);
    return rc;
}

/* ---- command line ------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "Usage: make_bench SOURCE N_CELLS OUTDIR [options]\n\n"
               "Resample N_CELLS cells from the count matrix SOURCE and write them to OUTDIR\n"
               "as a Cell Ranger v3 directory (matrix.mtx.gz, features.tsv.gz,\n"
               "barcodes.tsv.gz).  See bench/README.md for the model.\n\n"
               "Options:\n"
               "  --seed S     random seed (default 1)\n"
               "  --level L    gzip level 0-9 of the .gz files (default 6)\n"
               "  --h5         also write filtered_feature_bc_matrix.h5 (10x v3)\n"
               "  -h, --help   show this help\n");
}

static int misuse(const char *fmt, const char *arg)
{
    fputs("make_bench: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see --help)\n", stderr);
    return 2;
}

static int parse_int(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"seed", required_argument, NULL, 's'},
                                             {"level", required_argument, NULL, 'l'},
                                             {"h5", no_argument, NULL, '5'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    opts_t o = {.seed = 1, .level = 6};
    long long v;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': {
            char *end;
            errno = 0;
            o.seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || *optarg == '-')
                return misuse("--seed: '%s' is not a non-negative integer", optarg);
            break;
        }
        case 'l':
            if (parse_int(optarg, 0, 9, &v) < 0)
                return misuse("--level: '%s' is not 0-9", optarg);
            o.level = (int)v;
            break;
        case '5':
            o.h5 = 1;
            break;
        case 'h':
            usage(stdout);
            return fclose(stdout) == 0 ? 0 : 1;
        case ':':
            return misuse("%s needs a value", argv[optind - 1]);
        default:
            return misuse("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind != 3)
        return misuse("%s", "expected SOURCE N_CELLS OUTDIR");
    o.source = argv[optind];
    if (parse_int(argv[optind + 1], 1, INT32_MAX, &v) < 0)
        return misuse("N_CELLS: '%s' is not an integer in 1..2147483647", argv[optind + 1]);
    o.n_cells = v;
    o.outdir = argv[optind + 2];
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) { /* our one-line messages instead */
        fprintf(stderr, "make_bench: H5Eset_auto2 failed\n");
        return 1;
    }
    errbuf_t e = {{0}};
    if (run(&o, &e) < 0) {
        fprintf(stderr, "make_bench: %s\n", e.msg);
        return 1;
    }
    return fclose(stdout) == 0 ? 0 : 1;
}
