/* cellstore.c -- chunks of cells in a compact temporary file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/grow.h"
#include "core/tmpfile.h"
#include "cellstore.h"
#include "spill.h"

typedef struct chunk_header_t {
    int64_t first_cell, n_cells, nnz;
    uint64_t payload, barcodes; /* bytes of each part */
    int32_t int_values;         /* counts in the codes, else raw doubles after them */
    int32_t pad;
} chunk_header_t;

static int io_error(dorm_err_t *err, const char *path, const char *what)
{
    return dorm_err_set(err, DORM_E_IO, "%s: %s: %s", path, what,
                        errno ? strerror(errno) : "I/O error");
}

static int grow_buf(uint8_t **buf, int64_t *cap, size_t n)
{
    return dorm_grow(buf, cap, (int64_t)n, 1, 1 << 16);
}

int dorm_cellstore_open(cellstore_t *cs, const char *dir, const char *tag, dorm_err_t *err)
{
    memset(cs, 0, sizeof *cs);
    if (!(cs->path = dorm_spill_tmp_name(dir, tag, "cells")))
        return dorm_err_nomem(err);
    errno = 0;
    if (!(cs->fp = dorm_tmp_anon(cs->path))) {
        int rc = io_error(err, cs->path, "cannot create");
        dorm_cellstore_close(cs);
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

/* Entry codes.  A cell is varint(n) and n codes.  A code is one byte,
 * step << 3 | count, when the gene step (from the cell's previous gene, the
 * first from 0) is below 32 and the count is 1 to 7 (about 87% of Cell
 * Ranger entries), else a 0 byte and then the step and the count as
 * varints.  A chunk whose values are not all integers below 2^53 codes
 * count 1 for every entry and appends the values as raw doubles. */
static inline uint8_t *put_entry(uint8_t *p, uint32_t step, uint64_t count)
{
    if (step < 32 && count - 1 < 7) {
        *p++ = (uint8_t)(step << 3 | count);
        return p;
    }
    *p++ = 0;
    p = put_varint(p, step);
    return put_varint(p, count);
}

/* The codes of a cell's n entries with counts (a count of 0 takes the long
 * form); eight at a time while eight in a row fit a byte each. */
static uint8_t *put_codes(uint8_t *p, const int32_t *gene, const uint32_t *count, int64_t n)
{
    int64_t k = 0;
#if defined(__SSE2__)
    while (k + 8 <= n) {
        __m128i g0 = _mm_loadu_si128((const __m128i *)(const void *)(gene + k));
        __m128i g1 = _mm_loadu_si128((const __m128i *)(const void *)(gene + k + 4));
        __m128i p0 = k ? _mm_loadu_si128((const __m128i *)(const void *)(gene + k - 1))
                       : _mm_slli_si128(g0, 4); /* 0 before the first */
        __m128i p1 = _mm_loadu_si128((const __m128i *)(const void *)(gene + k + 3));
        __m128i s0 = _mm_sub_epi32(g0, p0), s1 = _mm_sub_epi32(g1, p1);
        __m128i c0 = _mm_loadu_si128((const __m128i *)(const void *)(count + k));
        __m128i c1 = _mm_loadu_si128((const __m128i *)(const void *)(count + k + 4));
        __m128i zero = _mm_setzero_si128();
        /* nonzero lanes: a step of 32 or more, a count of 8 or more, or of 0 */
        __m128i bad0 = _mm_or_si128(_mm_and_si128(s0, _mm_set1_epi32(~31)),
                                    _mm_and_si128(c0, _mm_set1_epi32(~7)));
        __m128i bad1 = _mm_or_si128(_mm_and_si128(s1, _mm_set1_epi32(~31)),
                                    _mm_and_si128(c1, _mm_set1_epi32(~7)));
        bad0 = _mm_or_si128(bad0, _mm_cmpeq_epi32(c0, zero));
        bad1 = _mm_or_si128(bad1, _mm_cmpeq_epi32(c1, zero));
        unsigned fit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi32(bad0, zero)) |
                       (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi32(bad1, zero)) << 16;
        int run = ~fit ? (int)__builtin_ctz(~fit) >> 2 : 8; /* entries that fit a byte, from the first */
        if (run > 0) { /* eight bytes written, the first run of them kept */
            __m128i b0 = _mm_or_si128(_mm_slli_epi32(s0, 3), c0);
            __m128i b1 = _mm_or_si128(_mm_slli_epi32(s1, 3), c1);
            __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(b0, b1), zero);
            _mm_storel_epi64((__m128i *)(void *)p, bytes);
            p += run;
            k += run;
        }
        if (run < 8) {
            p = put_entry(p, (uint32_t)(gene[k] - (k ? gene[k - 1] : 0)), count[k]);
            k++;
        }
    }
#endif
    for (; k < n; k++)
        p = put_entry(p, (uint32_t)(gene[k] - (k ? gene[k - 1] : 0)), count[k]);
    return p;
}

/* The codes of n entries whose values are integers (as counts), or, with
 * !ints, with count 1. */
static uint8_t *put_codes_of_values(uint8_t *p, const int32_t *gene, const double *value,
                                    int64_t n, int ints)
{
    for (int64_t k = 0; k < n; k++)
        p = put_entry(p, (uint32_t)(gene[k] - (k ? gene[k - 1] : 0)),
                      ints ? (uint64_t)value[k] : 1);
    return p;
}

/* Whether the n values are all integers in [0, 2^53): varint counts. */
static int integer_values(const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        if (!(v[i] >= 0 && v[i] < 9007199254740992.0) || (double)(int64_t)v[i] != v[i])
            return 0;
    return 1;
}

int dorm_cellstore_put(cellstore_t *cs, const dorm_chunk_t *ch, dorm_err_t *err)
{
    int64_t n = ch->n_cells, nnz = ch->col_ptr[n] - ch->col_ptr[0];
    const double *value = ch->value + ch->col_ptr[0];
    if (n == 0)
        return 0;
    int ints = ch->count || integer_values(value, nnz);
    chunk_header_t h = {ch->first_cell, n, nnz, 0, 0, ints, 0};
    /* at most 10 bytes for a cell's count; 1 + 5 + 10 per entry, and a double */
    if (grow_buf(&cs->buf, &cs->buf_cap, (size_t)n * 10 + (size_t)nnz * 24) < 0)
        return dorm_err_nomem(err);
    uint8_t *p = cs->buf;
    for (int64_t c = 0; c < n; c++) {
        int64_t a = ch->col_ptr[c], b = ch->col_ptr[c + 1];
        p = put_varint(p, (uint64_t)(b - a));
        p = ch->count ? put_codes(p, ch->gene + a, ch->count + a, b - a)
                      : put_codes_of_values(p, ch->gene + a, ch->value + a, b - a, ints);
    }
    if (!ints) {
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

int dorm_cellstore_clear(cellstore_t *cs, dorm_err_t *err)
{
    errno = 0;
    if (fflush(cs->fp) != 0 || ftruncate(fileno(cs->fp), 0) != 0)
        return io_error(err, cs->path, "cannot truncate");
    rewind(cs->fp);
    cs->n_chunks = cs->bytes = 0;
    return 0;
}

int dorm_cellstore_rewind(cellstore_t *cs, dorm_err_t *err)
{
    return dorm_spill_file_rewind(cs->fp, cs->path, err);
}

static int corrupt(const char *path, dorm_err_t *err)
{
    return dorm_err_set(err, DORM_E_IO, "%s: temporary file changed under us", path);
}

int dorm_cellstore_read(cellstore_t *cs, cellstore_chunk_t *ck, dorm_err_t *err)
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
        return dorm_err_nomem(err);
    if (fread(ck->buf, 1, bytes, cs->fp) != bytes)
        return ferror(cs->fp) ? io_error(err, cs->path, "read failed") : corrupt(cs->path, err);
    ck->first_cell = h.first_cell;
    ck->n_cells = h.n_cells;
    ck->nnz = h.nnz;
    ck->payload = h.payload;
    ck->barcode_bytes = h.barcodes;
    ck->int_values = h.int_values;
    ck->arr.view.n_cells = 0;
    return (int)h.n_cells;
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

/* How many of the eight code bytes in w, from the first, are one-byte
 * codes (a long code's first byte has its low three bits 0). */
static inline int short_run(uint64_t w)
{
    uint64_t t = w & UINT64_C(0x0707070707070707);
    /* high bit of each zero byte of t (exact up to the first one, which is
     * all that is used) */
    uint64_t z = (t - UINT64_C(0x0101010101010101)) & ~t & UINT64_C(0x8080808080808080);
    return z ? __builtin_ctzll(z) >> 3 : 8;
}

int dorm_cellstore_decode(cellstore_chunk_t *ck, const char *path, dorm_err_t *err)
{
    if (dorm_chunk_buf_size(&ck->arr, ck->n_cells, ck->nnz) < 0)
        return dorm_err_nomem(err);
    ck->arr.borrowed_barcodes = 1;
    int64_t *col_ptr = ck->arr.col_ptr;
    int32_t *gene = ck->arr.gene;
    double *value = ck->arr.value;
    uint32_t *count = ck->arr.count;
    char **barcodes = ck->arr.barcodes;
    const uint8_t *p = ck->buf, *end = ck->buf + ck->payload;
    int64_t at = 0;
    int counts = ck->int_values; /* every count below 2^31 */
    col_ptr[0] = 0;
    for (int64_t c = 0; c < ck->n_cells; c++) {
        uint64_t n;
        if (!(p = get_varint(p, end, &n)) || n > (uint64_t)(ck->nnz - at))
            return corrupt(path, err);
        int32_t g = 0;
        for (uint64_t k = 0; k < n;) {
            uint64_t w;
            int run = k + 8 <= n && end - p >= 8 ? (memcpy(&w, p, sizeof w), short_run(w)) : 0;
            if (run > 0) { /* eight entries written, the first run of them kept */
                int32_t last = add_8_steps(gene + at, g, (w >> 3) & UINT64_C(0x1f1f1f1f1f1f1f1f));
                put_8_counts(count + at, value + at, w & UINT64_C(0x0707070707070707));
                g = run == 8 ? last : gene[at + run - 1];
                at += run;
                k += (uint64_t)run;
                p += run;
                continue;
            }
            if (p >= end)
                return corrupt(path, err);
            uint8_t b = *p++;
            uint64_t step = b >> 3, v = b & 7;
            if (v == 0 && (!(p = get_varint(p, end, &step)) || !(p = get_varint(p, end, &v))))
                return corrupt(path, err); /* (a long code: step and count follow) */
            counts &= v < ((uint64_t)1 << 31);
            g += (int32_t)(uint32_t)step;
            gene[at] = g;
            count[at] = (uint32_t)v;
            value[at++] = (double)(int64_t)v; /* < 2^53: signed conversion is exact and cheaper */
            k++;
        }
        col_ptr[c + 1] = at;
    }
    if (at != ck->nnz)
        return corrupt(path, err);
    if (!ck->int_values) {
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
    ck->arr.view.first_cell = ck->first_cell;
    ck->arr.view.n_cells = ck->n_cells;
    ck->arr.counts_ok = counts;
    dorm_chunk_buf_view(&ck->arr);
    return 0;
}

void dorm_cellstore_chunk_free(cellstore_chunk_t *ck)
{
    free(ck->buf);
    dorm_chunk_buf_free(&ck->arr);
    memset(ck, 0, sizeof *ck);
}

void dorm_cellstore_close(cellstore_t *cs)
{
    if (cs->fp)
        fclose(cs->fp);
    free(cs->path);
    free(cs->buf);
    memset(cs, 0, sizeof *cs);
}
