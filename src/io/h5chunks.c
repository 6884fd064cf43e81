/* h5chunks.c -- 1-D dataset ranges; raw chunks decoded in parallel. */
#include <stdlib.h>
#include <string.h>

#include <isa-l/igzip_lib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/grow.h"
#include "core/simd.h"
#include "core/threads.h"
#include "h5chunks_internal.h"

#define MAX_FILTERS 4
#define MAX_CHUNK_BYTES ((uint64_t)1 << 30)

typedef struct job_t {
    int64_t k;      /* chunk index */
    size_t raw_off; /* where its raw bytes are in h5chunks_t.raw */
    const uint8_t *raw;
    size_t raw_len;
    uint32_t mask;  /* filters HDF5 says were skipped for this chunk */
    uint8_t *dst;   /* chunk_bytes of decoded data */
    int failed;
} job_t;

struct h5chunks_t {
    hid_t d;
    char *name, *file;
    int direct, threads;
    int64_t n, chunk;            /* elements; elements per chunk */
    size_t esize, chunk_bytes;
    H5T_class_t cls;
    int is_signed;
    int n_filters;
    H5Z_filter_t filter[MAX_FILTERS]; /* in pipeline (write) order */
    /* decoded chunks [first, first + count) of the last range, in dec */
    int64_t first, count;
    uint8_t *dec, *dec2;
    int64_t dec_cap, dec2_cap;
    uint8_t *raw;                /* raw chunks being decoded, back to back */
    int64_t raw_cap;
    job_t *jobs;
    int64_t jobs_cap;
    uint8_t **scratch;           /* threads x chunk_bytes, kept between ranges */
};

static int h5_fail(const h5chunks_t *c, int64_t start, int64_t count, dorm_err_t *err)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read %s[%lld..%lld) (truncated or corrupt?)",
                        c->file, c->name, (long long)start, (long long)(start + count));
}

/* Decide whether chunks can be decoded here. */
static void probe_direct(h5chunks_t *c)
{
    hid_t space = H5Dget_space(c->d), type = H5Dget_type(c->d), dcpl = H5Dget_create_plist(c->d);
    hsize_t dim = 0, cdim = 0;
    int ok = space >= 0 && type >= 0 && dcpl >= 0 && H5Sget_simple_extent_ndims(space) == 1 &&
             H5Sget_simple_extent_dims(space, &dim, NULL) == 1 &&
             H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 1, &cdim) == 1 && cdim > 0;
    if (ok) {
        c->cls = H5Tget_class(type);
        c->esize = H5Tget_size(type);
        c->is_signed = c->cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_2;
        ok = H5Tget_order(type) == H5T_ORDER_LE &&
             ((c->cls == H5T_INTEGER && (c->esize == 1 || c->esize == 2 || c->esize == 4 ||
                                        c->esize == 8)) ||
              (c->cls == H5T_FLOAT && (c->esize == 4 || c->esize == 8))) &&
             (uint64_t)cdim * c->esize <= MAX_CHUNK_BYTES;
    }
    int nf = ok ? H5Pget_nfilters(dcpl) : 0;
    ok = ok && nf >= 0 && nf <= MAX_FILTERS;
    for (int i = 0; ok && i < nf; i++) {
        unsigned flags, values[8];
        size_t n_values = 8;
        char fname[64];
        H5Z_filter_t f = H5Pget_filter2(dcpl, (unsigned)i, &flags, &n_values, values, sizeof fname,
                                        fname, NULL);
        ok = f == H5Z_FILTER_DEFLATE || f == H5Z_FILTER_SHUFFLE;
        c->filter[i] = f;
    }
    if (ok) {
        c->n_filters = nf;
        c->n = (int64_t)dim;
        c->chunk = (int64_t)cdim;
        c->chunk_bytes = (size_t)cdim * c->esize;
        c->direct = 1;
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
}

int dorm_h5chunks_open(h5chunks_t **out, hid_t loc, const char *name, int threads, const char *file,
                  dorm_err_t *err)
{
    *out = NULL;
    h5chunks_t *c = calloc(1, sizeof *c);
    if (!c || !(c->name = strdup(name)) || !(c->file = strdup(file))) {
        if (c)
            free(c->name);
        free(c);
        return dorm_err_nomem(err);
    }
    c->threads = threads > 1 ? threads : 1;
    c->first = -1;
    if ((c->d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0) {
        dorm_h5chunks_close(c);
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no dataset %s", file, name);
    }
    probe_direct(c);
    *out = c;
    return 0;
}

int dorm_h5chunks_is_direct(const h5chunks_t *c) { return c->direct; }

/* Inflate (zlib wrapper) exactly chunk_bytes into dst. */
static int inflate_chunk(const uint8_t *src, size_t len, uint8_t *dst, size_t n)
{
    struct inflate_state z;
    isal_inflate_init(&z);
    z.crc_flag = ISAL_ZLIB;
    z.next_in = (uint8_t *)src;
    z.avail_in = (uint32_t)len;
    z.next_out = dst;
    z.avail_out = (uint32_t)n;
    int rc = isal_inflate_stateless(&z);
    dorm_simd_clean();
    return rc == ISAL_DECOMP_OK && z.avail_out == 0 ? 0 : -1;
}

/* The shuffle filter stores byte b of every element together (byte planes);
 * gathering them back is a transpose. */
#if defined(__SSE2__)
/* 16 elements of 4 bytes from byte planes p[0..3] at i into dst: transpose
 * by interleaving bytes, then byte pairs. */
static inline void unshuffle4_16(const uint8_t *src, size_t n, size_t i, uint8_t *dst)
{
    __m128i a0 = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
    __m128i a1 = _mm_loadu_si128((const __m128i *)(const void *)(src + n + i));
    __m128i a2 = _mm_loadu_si128((const __m128i *)(const void *)(src + 2 * n + i));
    __m128i a3 = _mm_loadu_si128((const __m128i *)(const void *)(src + 3 * n + i));
    __m128i b01l = _mm_unpacklo_epi8(a0, a1), b01h = _mm_unpackhi_epi8(a0, a1);
    __m128i b23l = _mm_unpacklo_epi8(a2, a3), b23h = _mm_unpackhi_epi8(a2, a3);
    __m128i *o = (__m128i *)(void *)(dst + 4 * i);
    _mm_storeu_si128(o, _mm_unpacklo_epi16(b01l, b23l));
    _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(b01l, b23l));
    _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(b01h, b23h));
    _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(b01h, b23h));
}

/* 16 elements of 8 bytes: bytes, byte pairs, then 4-byte halves. */
static inline void unshuffle8_16(const uint8_t *src, size_t n, size_t i, uint8_t *dst)
{
    __m128i a[8], b[8], c[8];
    for (int k = 0; k < 8; k++)
        a[k] = _mm_loadu_si128((const __m128i *)(const void *)(src + (size_t)k * n + i));
    for (int k = 0; k < 4; k++) { /* planes 2k, 2k+1: elements 0-7, 8-15 */
        b[2 * k] = _mm_unpacklo_epi8(a[2 * k], a[2 * k + 1]);
        b[2 * k + 1] = _mm_unpackhi_epi8(a[2 * k], a[2 * k + 1]);
    }
    for (int h = 0; h < 2; h++)     /* planes 0-3, then 4-7 */
        for (int e = 0; e < 2; e++) { /* elements 0-7, 8-15 */
            __m128i x = b[4 * h + e], y = b[4 * h + 2 + e];
            c[4 * h + 2 * e] = _mm_unpacklo_epi16(x, y);     /* elements 8e+0..3 */
            c[4 * h + 2 * e + 1] = _mm_unpackhi_epi16(x, y); /* elements 8e+4..7 */
        }
    __m128i *o = (__m128i *)(void *)(dst + 8 * i);
    for (int q = 0; q < 4; q++) { /* elements 4q..4q+3 */
        _mm_storeu_si128(o + 2 * q, _mm_unpacklo_epi32(c[q], c[4 + q]));
        _mm_storeu_si128(o + 2 * q + 1, _mm_unpackhi_epi32(c[q], c[4 + q]));
    }
}
#endif

/* HDF5's shuffle filter undone: byte b of element i is at src[b * n + i]. */
static void unshuffle(const uint8_t *src, uint8_t *dst, size_t n_bytes, size_t esize)
{
    size_t n = n_bytes / esize, i = 0;
#if defined(__SSE2__)
    if (esize == 4)
        for (; i + 16 <= n; i += 16)
            unshuffle4_16(src, n, i, dst);
    else if (esize == 8)
        for (; i + 16 <= n; i += 16)
            unshuffle8_16(src, n, i, dst);
#endif
    for (size_t b = 0; b < esize; b++)
        for (size_t k = i; k < n; k++)
            dst[k * esize + b] = src[b * n + k];
    memcpy(dst + n * esize, src + n * esize, n_bytes - n * esize);
}

/* Undo the filters in reverse order; scratch holds chunk_bytes. */
static int decode_chunk(const h5chunks_t *c, job_t *j, uint8_t *scratch)
{
    const uint8_t *cur = j->raw;
    size_t len = j->raw_len;
    int n_active = 0;
    for (int f = 0; f < c->n_filters; f++)
        n_active += !(j->mask >> f & 1);
    for (int f = c->n_filters - 1; f >= 0; f--) {
        if (j->mask >> f & 1)
            continue;
        /* the last step writes into dst, earlier ones into scratch */
        uint8_t *to = --n_active == 0 ? j->dst : (cur == scratch ? j->dst : scratch);
        if (c->filter[f] == H5Z_FILTER_DEFLATE) {
            if (inflate_chunk(cur, len, to, c->chunk_bytes) < 0)
                return -1;
        } else {
            if (len != c->chunk_bytes)
                return -1;
            unshuffle(cur, to, len, c->esize);
        }
        cur = to;
        len = c->chunk_bytes;
    }
    if (cur != j->dst) { /* no filter applied */
        if (len != c->chunk_bytes)
            return -1;
        memcpy(j->dst, cur, len);
    }
    return 0;
}

typedef struct {
    const h5chunks_t *c;
    int64_t n_jobs;
    int n_threads;
} decode_job_t;

/* Thread t's share of the queued chunks: every n_threads-th from t. */
static void decode_some(void *arg, int t)
{
    const decode_job_t *dj = arg;
    const h5chunks_t *c = dj->c;
    for (int64_t k = t; k < dj->n_jobs; k += dj->n_threads)
        c->jobs[k].failed = decode_chunk(c, &c->jobs[k], c->scratch[t]) < 0;
}

/* Decode the n_jobs queued chunks on up to c->threads threads; <0 when out
 * of memory for their scratch. */
static int decode_all(h5chunks_t *c, int64_t n_jobs)
{
    if (!c->scratch && !(c->scratch = calloc((size_t)c->threads, sizeof *c->scratch)))
        return -1;
    int nt = c->threads < n_jobs ? c->threads : (int)n_jobs;
    for (int t = 0; t < nt; t++) /* kept: a fresh one each time costs page faults */
        if (!c->scratch[t] && !(c->scratch[t] = malloc(c->chunk_bytes ? c->chunk_bytes : 1)))
            return -1;
    decode_job_t dj = {c, n_jobs, nt};
    dorm_parallel_for(nt, decode_some, &dj);
    return 0;
}

/* Make chunks k0..k1 the decoded range.  0, 1 to use H5Dread instead, <0. */
static int load_chunks(h5chunks_t *c, int64_t k0, int64_t k1, dorm_err_t *err)
{
    int64_t nk = k1 - k0 + 1;
    if (dorm_grow(&c->dec2, &c->dec2_cap, nk * (int64_t)c->chunk_bytes, 1, 1) < 0 ||
        dorm_grow(&c->jobs, &c->jobs_cap, nk, sizeof *c->jobs, 1) < 0)
        return dorm_err_nomem(err);
    /* Raw bytes of the chunks not decoded yet, read serially (HDF5 calls). */
    int64_t n_jobs = 0;
    size_t raw_used = 0;
    for (int64_t k = k0; k <= k1; k++) {
        uint8_t *dst = c->dec2 + (size_t)(k - k0) * c->chunk_bytes;
        if (k >= c->first && k < c->first + c->count) {
            memcpy(dst, c->dec + (size_t)(k - c->first) * c->chunk_bytes, c->chunk_bytes);
            continue;
        }
        hsize_t off = (hsize_t)(k * c->chunk), nbytes = 0;
        if (H5Dget_chunk_storage_size(c->d, &off, &nbytes) < 0 || nbytes == 0 ||
            nbytes > MAX_CHUNK_BYTES)
            return 1; /* unallocated (fill value) or odd: let HDF5 do it */
        if (dorm_grow(&c->raw, &c->raw_cap, (int64_t)(raw_used + nbytes), 1, 1) < 0)
            return dorm_err_nomem(err);
        c->jobs[n_jobs++] = (job_t){k, raw_used, NULL, (size_t)nbytes, 0, dst, 0};
        raw_used += (size_t)nbytes;
    }
    for (int64_t i = 0; i < n_jobs; i++) { /* c->raw has its final size now */
        job_t *j = &c->jobs[i];
        j->raw = c->raw + j->raw_off;
        hsize_t off = (hsize_t)(j->k * c->chunk);
        if (H5Dread_chunk(c->d, H5P_DEFAULT, &off, &j->mask, (void *)j->raw) < 0)
            return -2; /* reported by the caller with the range */
    }
    if (decode_all(c, n_jobs) < 0)
        return dorm_err_nomem(err);
    for (int64_t i = 0; i < n_jobs; i++)
        if (c->jobs[i].failed)
            return -2;
    uint8_t *t = c->dec;
    int64_t tc = c->dec_cap;
    c->dec = c->dec2;
    c->dec_cap = c->dec2_cap;
    c->dec2 = t;
    c->dec2_cap = tc;
    c->first = k0;
    c->count = nk;
    return 0;
}

static int read_hdf5(h5chunks_t *c, int64_t start, int64_t count, hid_t mt, void *out,
                     dorm_err_t *err)
{
    hid_t fs = H5Dget_space(c->d);
    hsize_t st = (hsize_t)start, ct = (hsize_t)count;
    hid_t ms = H5Screate_simple(1, &ct, NULL);
    int rc = 0;
    if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st, NULL, &ct, NULL) < 0 ||
        H5Dread(c->d, mt, ms, fs, H5P_DEFAULT, out) < 0)
        rc = h5_fail(c, start, count, err);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

#define CONVERT(T, OUT_T)                                                                         \
    do {                                                                                          \
        const T *s = (const T *)(const void *)src;                                               \
        for (int64_t i = 0; i < count; i++)                                                       \
            out[i] = (OUT_T)s[i];                                                                 \
    } while (0)

/* Elements of the decoded range as OUT_T. */
#define CONVERT_ALL(OUT_T)                                                                        \
    do {                                                                                          \
        if (c->cls == H5T_FLOAT) {                                                                \
            if (c->esize == 4)                                                                    \
                CONVERT(float, OUT_T);                                                            \
            else                                                                                  \
                CONVERT(double, OUT_T);                                                           \
        } else if (c->is_signed) {                                                                \
            switch (c->esize) {                                                                   \
            case 1: CONVERT(int8_t, OUT_T); break;                                                \
            case 2: CONVERT(int16_t, OUT_T); break;                                               \
            case 4: CONVERT(int32_t, OUT_T); break;                                               \
            default: CONVERT(int64_t, OUT_T); break;                                              \
            }                                                                                     \
        } else {                                                                                  \
            switch (c->esize) {                                                                   \
            case 1: CONVERT(uint8_t, OUT_T); break;                                               \
            case 2: CONVERT(uint16_t, OUT_T); break;                                              \
            case 4: CONVERT(uint32_t, OUT_T); break;                                              \
            default: CONVERT(uint64_t, OUT_T); break;                                             \
            }                                                                                     \
        }                                                                                         \
    } while (0)

/* Decode the chunks under [start, start+count); *src points at start.
 * 0, 1 to use H5Dread instead, <0 on error. */
static int prepare(h5chunks_t *c, int64_t start, int64_t count, const uint8_t **src,
                   dorm_err_t *err)
{
    if (!c->direct)
        return 1;
    if (start < 0 || count < 0 || start + count > c->n)
        return h5_fail(c, start, count, err);
    int64_t k0 = start / c->chunk, k1 = (start + count - 1) / c->chunk;
    int rc = load_chunks(c, k0, k1, err);
    if (rc == -2)
        return h5_fail(c, start, count, err);
    if (rc != 0)
        return rc;
    *src = c->dec + (size_t)(start - k0 * c->chunk) * c->esize;
    return 0;
}

int dorm_h5chunks_read_i64(h5chunks_t *c, int64_t start, int64_t count, int64_t *out, dorm_err_t *err)
{
    if (count == 0)
        return 0;
    const uint8_t *src;
    int rc = prepare(c, start, count, &src, err);
    if (rc == 1)
        return read_hdf5(c, start, count, H5T_NATIVE_INT64, out, err);
    if (rc < 0)
        return rc;
    CONVERT_ALL(int64_t);
    return 0;
}

int dorm_h5chunks_read_f64(h5chunks_t *c, int64_t start, int64_t count, double *out, dorm_err_t *err)
{
    if (count == 0)
        return 0;
    const uint8_t *src;
    int rc = prepare(c, start, count, &src, err);
    if (rc == 1)
        return read_hdf5(c, start, count, H5T_NATIVE_DOUBLE, out, err);
    if (rc < 0)
        return rc;
    CONVERT_ALL(double);
    return 0;
}

void dorm_h5chunks_close(h5chunks_t *c)
{
    if (!c)
        return;
    if (c->d >= 0)
        H5Dclose(c->d);
    free(c->dec);
    free(c->dec2);
    free(c->raw);
    free(c->jobs);
    for (int t = 0; c->scratch && t < c->threads; t++)
        free(c->scratch[t]);
    free(c->scratch);
    free(c->name);
    free(c->file);
    free(c);
}
