/* cellstore.c -- chunks of cells in a compact temporary file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cellstore.h"
#include "spill.h"

typedef struct chunk_header_t {
    int64_t first_cell, n_cells, nnz;
    uint64_t payload, barcodes; /* bytes of each part */
    int32_t int_values;         /* values are varints, else raw doubles */
    int32_t pad;
} chunk_header_t;

static int io_error(dorm_err_t *err, const char *path, const char *what)
{
    return dorm_err_set(err, DORM_E_IO, "%s: %s: %s", path, what,
                        errno ? strerror(errno) : "I/O error");
}

static int nomem(dorm_err_t *err) { return dorm_err_set(err, DORM_E_NOMEM, "out of memory"); }

static int grow_buf(uint8_t **buf, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 1 << 16;
    while (c < n)
        c *= 2;
    uint8_t *b = realloc(*buf, c);
    if (!b)
        return -1;
    *buf = b;
    *cap = c;
    return 0;
}

int cellstore_open(cellstore_t *cs, const char *dir, const char *tag, dorm_err_t *err)
{
    memset(cs, 0, sizeof *cs);
    if (!(cs->path = spill_tmp_name(dir, tag, "cells")))
        return nomem(err);
    errno = 0;
    if (!(cs->fp = fopen(cs->path, "w+b"))) {
        int rc = io_error(err, cs->path, "cannot create");
        cellstore_close(cs);
        return rc;
    }
    return 0;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static const uint8_t *get_varint_long(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (b < 0x80) {
            *v = x;
            return p;
        }
    }
    return NULL;
}

/* One varint at p (most are one byte), or NULL if it runs past end. */
static inline const uint8_t *get_varint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
    if (p < end && *p < 0x80) {
        *v = *p;
        return p + 1;
    }
    return get_varint_long(p, end, v);
}

/* The next 8 bytes at p into *w if all 8 are one-byte varints. */
static inline int get_8_small(const uint8_t *p, const uint8_t *end, uint64_t *w)
{
    if (end - p < 8)
        return 0;
    memcpy(w, p, sizeof *w);
    return !(*w & UINT64_C(0x8080808080808080));
}

/* Eight gene steps (the bytes of w, each below 128) after gene g: the eight
 * genes into out; returns the last. */
static inline int32_t add_8_steps(int32_t *out, int32_t g, uint64_t w)
{
#if defined(__SSE2__)
    __m128i x = _mm_unpacklo_epi8(_mm_cvtsi64_si128((long long)w), _mm_setzero_si128());
    x = _mm_add_epi16(x, _mm_slli_si128(x, 2)); /* running sums, at most 8 x 127 */
    x = _mm_add_epi16(x, _mm_slli_si128(x, 4));
    x = _mm_add_epi16(x, _mm_slli_si128(x, 8));
    __m128i base = _mm_set1_epi32(g);
    __m128i lo = _mm_add_epi32(_mm_unpacklo_epi16(x, _mm_setzero_si128()), base);
    __m128i hi = _mm_add_epi32(_mm_unpackhi_epi16(x, _mm_setzero_si128()), base);
    _mm_storeu_si128((__m128i *)(void *)out, lo);
    _mm_storeu_si128((__m128i *)(void *)(out + 4), hi);
    return _mm_cvtsi128_si32(_mm_shuffle_epi32(hi, 3));
#else
    for (int b = 0; b < 8; b++)
        out[b] = g += (int32_t)(w >> (8 * b) & 0x7f);
    return g;
#endif
}

/* Eight counts (the bytes of w, each below 128) into count and value. */
static inline void put_8_counts(uint32_t *count, double *value, uint64_t w)
{
#if defined(__SSE2__)
    __m128i x = _mm_unpacklo_epi8(_mm_cvtsi64_si128((long long)w), _mm_setzero_si128());
    __m128i lo = _mm_unpacklo_epi16(x, _mm_setzero_si128());
    __m128i hi = _mm_unpackhi_epi16(x, _mm_setzero_si128());
    _mm_storeu_si128((__m128i *)(void *)count, lo);
    _mm_storeu_si128((__m128i *)(void *)(count + 4), hi);
    _mm_storeu_pd(value, _mm_cvtepi32_pd(lo));
    _mm_storeu_pd(value + 2, _mm_cvtepi32_pd(_mm_shuffle_epi32(lo, 0x0e)));
    _mm_storeu_pd(value + 4, _mm_cvtepi32_pd(hi));
    _mm_storeu_pd(value + 6, _mm_cvtepi32_pd(_mm_shuffle_epi32(hi, 0x0e)));
#else
    for (int b = 0; b < 8; b++) {
        count[b] = (uint32_t)(w >> (8 * b) & 0x7f);
        value[b] = (double)(int)count[b];
    }
#endif
}

/* Values as varints into p, or NULL if one is not an integer in [0, 2^53). */
static uint8_t *put_int_values(uint8_t *p, const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        if (v[i] >= 0 && v[i] < 128) { /* most counts: one byte */
            int c = (int)v[i];
            if ((double)c != v[i])
                return NULL;
            *p++ = (uint8_t)c;
            continue;
        }
        if (!(v[i] >= 0 && v[i] < 9007199254740992.0) || (double)(int64_t)v[i] != v[i])
            return NULL;
        p = put_varint(p, (uint64_t)(int64_t)v[i]);
    }
    return p;
}

#if defined(__SSE2__)
/* Eight non-negative int32 (two vectors) as eight one-byte varints at p,
 * if all are below 128; else 0 and nothing is written. */
static inline int put_8_small(uint8_t *p, __m128i a, __m128i b)
{
    __m128i high = _mm_and_si128(_mm_or_si128(a, b), _mm_set1_epi32(~0x7f));
    if (_mm_movemask_epi8(_mm_cmpeq_epi32(high, _mm_setzero_si128())) != 0xffff)
        return 0;
    __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_setzero_si128());
    _mm_storel_epi64((__m128i *)(void *)p, bytes);
    return 1;
}
#endif

/* The gene steps of a cell's n entries (the first from 0) as varints into
 * p: eight at a time while eight in a row are below 128 (the same bytes). */
static uint8_t *put_gene_steps(uint8_t *p, const int32_t *gene, int64_t n)
{
    int64_t k = 0;
#if defined(__SSE2__)
    for (; k + 8 <= n; k += 8) {
        __m128i g0 = _mm_loadu_si128((const __m128i *)(const void *)(gene + k));
        __m128i g1 = _mm_loadu_si128((const __m128i *)(const void *)(gene + k + 4));
        __m128i p0 = k ? _mm_loadu_si128((const __m128i *)(const void *)(gene + k - 1))
                       : _mm_slli_si128(g0, 4); /* 0 before the first */
        __m128i p1 = _mm_loadu_si128((const __m128i *)(const void *)(gene + k + 3));
        if (put_8_small(p, _mm_sub_epi32(g0, p0), _mm_sub_epi32(g1, p1))) {
            p += 8;
            continue;
        }
        for (int j = 0; j < 8; j++)
            p = put_varint(p, (uint64_t)(uint32_t)(gene[k + j] - (k + j ? gene[k + j - 1] : 0)));
    }
#endif
    for (; k < n; k++)
        p = put_varint(p, (uint64_t)(uint32_t)(gene[k] - (k ? gene[k - 1] : 0)));
    return p;
}

/* Counts as varints into p, eight at a time while they are below 128. */
static uint8_t *put_counts(uint8_t *p, const uint32_t *count, int64_t n)
{
    int64_t i = 0;
#if defined(__SSE2__)
    for (; i + 8 <= n; i += 8) {
        __m128i c0 = _mm_loadu_si128((const __m128i *)(const void *)(count + i));
        __m128i c1 = _mm_loadu_si128((const __m128i *)(const void *)(count + i + 4));
        if (!put_8_small(p, c0, c1)) { /* (counts from 2^31 look negative: not small) */
            for (int j = 0; j < 8; j++)
                p = put_varint(p, count[i + j]);
            continue;
        }
        p += 8;
    }
#endif
    for (; i < n; i++) {
        if (count[i] < 128)
            *p++ = (uint8_t)count[i];
        else
            p = put_varint(p, count[i]);
    }
    return p;
}

int cellstore_put(cellstore_t *cs, const dorm_chunk_t *ch, dorm_err_t *err)
{
    int64_t n = ch->n_cells, nnz = ch->col_ptr[n] - ch->col_ptr[0];
    const double *value = ch->value + ch->col_ptr[0];
    if (n == 0)
        return 0;
    chunk_header_t h = {ch->first_cell, n, nnz, 0, 0, 1, 0};
    /* varints: at most 10 bytes for a count, 5 for a gene delta, 10 for a value */
    if (grow_buf(&cs->buf, &cs->buf_cap, (size_t)n * 10 + (size_t)nnz * 15) < 0)
        return nomem(err);
    uint8_t *p = cs->buf;
    for (int64_t c = 0; c < n; c++) {
        int64_t a = ch->col_ptr[c], b = ch->col_ptr[c + 1];
        p = put_varint(p, (uint64_t)(b - a));
        p = put_gene_steps(p, ch->gene + a, b - a);
    }
    uint8_t *ints = ch->count ? put_counts(p, ch->count + ch->col_ptr[0], nnz)
                              : put_int_values(p, value, nnz);
    if (ints) {
        p = ints;
    } else {
        h.int_values = 0;
        memcpy(p, value, (size_t)nnz * sizeof *value);
        p += nnz * (int64_t)sizeof *value;
    }
    h.payload = (uint64_t)(p - cs->buf);
    for (int64_t c = 0; c < n; c++)
        h.barcodes += strlen(ch->barcodes[c]) + 1;
    errno = 0;
    if (fwrite(&h, sizeof h, 1, cs->fp) != 1 || fwrite(cs->buf, 1, h.payload, cs->fp) != h.payload)
        return io_error(err, cs->path, "write failed");
    for (int64_t c = 0; c < n; c++) {
        size_t len = strlen(ch->barcodes[c]) + 1;
        if (fwrite(ch->barcodes[c], 1, len, cs->fp) != len)
            return io_error(err, cs->path, "write failed");
    }
    cs->n_chunks++;
    cs->bytes += (int64_t)(sizeof h + h.payload + h.barcodes);
    return 0;
}

int cellstore_clear(cellstore_t *cs, dorm_err_t *err)
{
    errno = 0;
    if (fflush(cs->fp) != 0 || ftruncate(fileno(cs->fp), 0) != 0)
        return io_error(err, cs->path, "cannot truncate");
    rewind(cs->fp);
    cs->n_chunks = cs->bytes = 0;
    return 0;
}

int cellstore_rewind(cellstore_t *cs, dorm_err_t *err)
{
    return spill_file_rewind(cs->fp, cs->path, err);
}

static int corrupt(const char *path, dorm_err_t *err)
{
    return dorm_err_set(err, DORM_E_IO, "%s: temporary file changed under us", path);
}

int cellstore_read(cellstore_t *cs, cellstore_chunk_t *ck, dorm_err_t *err)
{
    chunk_header_t h;
    errno = 0;
    if (fread(&h, sizeof h, 1, cs->fp) != 1)
        return ferror(cs->fp) ? io_error(err, cs->path, "read failed") : 0;
    if (h.n_cells <= 0 || h.n_cells > INT32_MAX || h.nnz < 0 || h.payload > ((uint64_t)1 << 40) ||
        h.barcodes > ((uint64_t)1 << 40))
        return corrupt(cs->path, err);
    size_t bytes = (size_t)(h.payload + h.barcodes);
    if (grow_buf(&ck->buf, &ck->buf_cap, bytes) < 0)
        return nomem(err);
    if (fread(ck->buf, 1, bytes, cs->fp) != bytes)
        return ferror(cs->fp) ? io_error(err, cs->path, "read failed") : corrupt(cs->path, err);
    ck->first_cell = h.first_cell;
    ck->n_cells = h.n_cells;
    ck->nnz = h.nnz;
    ck->payload = h.payload;
    ck->barcode_bytes = h.barcodes;
    ck->int_values = h.int_values;
    ck->view.n_cells = 0;
    return (int)h.n_cells;
}

int cellstore_decode(cellstore_chunk_t *ck, const char *path, dorm_err_t *err)
{
    if (chunk_arrays_reserve(&ck->arr, ck->n_cells, ck->nnz) < 0)
        return nomem(err);
    int64_t *col_ptr = ck->arr.col_ptr;
    int32_t *gene = ck->arr.gene;
    double *value = ck->arr.value;
    char **barcodes = ck->arr.barcodes;
    const uint8_t *p = ck->buf, *end = ck->buf + ck->payload;
    int64_t at = 0;
    col_ptr[0] = 0;
    for (int64_t c = 0; c < ck->n_cells; c++) {
        uint64_t count, d;
        if (!(p = get_varint(p, end, &count)) || count > (uint64_t)(ck->nnz - at))
            return corrupt(path, err);
        int32_t g = 0;
        uint64_t w;
        for (uint64_t k = 0; k < count;) {
            if (k + 8 <= count && get_8_small(p, end, &w)) { /* most gene steps are < 128 */
                g = add_8_steps(gene + at, g, w);
                at += 8;
                k += 8;
                p += 8;
                continue;
            }
            if (!(p = get_varint(p, end, &d)))
                return corrupt(path, err);
            g += (int32_t)(uint32_t)d;
            gene[at++] = g;
            k++;
        }
        col_ptr[c + 1] = at;
    }
    if (at != ck->nnz)
        return corrupt(path, err);
    int counts = ck->int_values;
    if (ck->int_values) {
        uint32_t *count = ck->arr.count;
        uint64_t w, v;
        for (int64_t k = 0; k < ck->nnz;) {
            if (k + 8 <= ck->nnz && get_8_small(p, end, &w)) { /* most counts are < 128 */
                put_8_counts(count + k, value + k, w);
                k += 8;
                p += 8;
                continue;
            }
            if (!(p = get_varint(p, end, &v)))
                return corrupt(path, err);
            counts &= v < ((uint64_t)1 << 31);
            count[k] = (uint32_t)v;
            value[k++] = (double)(int64_t)v; /* < 2^53: signed conversion is exact and cheaper */
        }
    } else {
        if ((size_t)(end - p) < (size_t)ck->nnz * sizeof *value)
            return corrupt(path, err);
        memcpy(value, p, (size_t)ck->nnz * sizeof *value);
    }
    /* Barcodes point into the buffer, after the payload. */
    char *b = (char *)ck->buf + ck->payload, *bend = b + ck->barcode_bytes;
    for (int64_t c = 0; c < ck->n_cells; c++) {
        char *z = memchr(b, '\0', (size_t)(bend - b));
        if (!z)
            return corrupt(path, err);
        barcodes[c] = b;
        b = z + 1;
    }
    ck->view = (dorm_chunk_t){ck->first_cell, ck->n_cells, col_ptr, gene, value, barcodes,
                              counts ? ck->arr.count : NULL};
    return 0;
}

void cellstore_chunk_free(cellstore_chunk_t *ck)
{
    free(ck->buf);
    chunk_arrays_free(&ck->arr);
    memset(ck, 0, sizeof *ck);
}

void cellstore_close(cellstore_t *cs)
{
    if (cs->fp)
        fclose(cs->fp);
    if (cs->path)
        unlink(cs->path);
    free(cs->path);
    free(cs->buf);
    memset(cs, 0, sizeof *cs);
}
