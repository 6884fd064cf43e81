/* mtx_line_internal.h -- one MatrixMarket entry line "row col value\n" parsed without
 * a loop per digit, for mtx.c's bulk path.
 *
 * The line is taken only in its commonest shape: three fields of 1 to 8
 * decimal digits separated by single spaces, ending in "\n", 16 bytes in
 * all.  Anything else (tabs, space runs, "\r", signs, decimals, longer
 * fields or lines) returns 0 and is left to the scalar parser, which accepts
 * a superset of these lines with the same values, and reports errors.
 * Reads 16 bytes at p and up to 8 past a field's start: the caller
 * guarantees 32 readable bytes at p (lines.h DORM_LINES_PAD).
 *
 * Two versions take the same lines and give the same values: SSE2 converts
 * each field with a multiply-and-shift word trick; SSSE3 (most x86-64 CPUs;
 * dorm_mtx_line_ssse3() tells) places the three fields in fixed 8-digit slots
 * with one byte shuffle and converts them together with pmaddubsw/pmaddwd. */
#ifndef DORM_IO_MTX_LINE_H
#define DORM_IO_MTX_LINE_H

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <tmmintrin.h>
#define MTX_LINE_WORDS 1 /* else every line goes to the scalar parser */

/* The number in the len (1..8) digits at s. */
static inline int64_t mtx_line_digits(const char *s, unsigned len)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    /* first digit in the low byte: shift so that it lands in the top used
     * byte and the vacated low bytes are leading zeros */
    w = (w & UINT64_C(0x0F0F0F0F0F0F0F0F)) << (8 * (8 - len));
    w = (w * 10 + (w >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
    w = (w * 100 + (w >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
    w = (w * 10000 + (w >> 32)) & UINT64_C(0x00000000FFFFFFFF);
    return (int64_t)w;
}

/* The shape both versions take, in the 16 bytes x loaded at a line's start:
 * "\n" at *n, spaces at *s1 and *s2, digits in between, 1 to 8 of them per
 * field.  1 if the line has it, else 0. */
static inline int mtx_line_shape(__m128i x, unsigned *n, unsigned *s1, unsigned *s2)
{
    unsigned nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')));
    if (!nl)
        return 0;
    *n = (unsigned)__builtin_ctz(nl);
    unsigned before = (1u << *n) - 1;
    unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' '))) & before;
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    unsigned digit =
        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
    unsigned sp2 = sp & (sp - 1); /* sp without its first space */
    if ((digit & before) != (before & ~sp) || !sp2 || (sp2 & (sp2 - 1)))
        return 0; /* not digits and exactly two spaces */
    *s1 = (unsigned)__builtin_ctz(sp);
    *s2 = (unsigned)__builtin_ctz(sp2);
    unsigned l1 = *s1, l2 = *s2 - *s1 - 1, l3 = *n - *s2 - 1;
    return l1 - 1 <= 7 && l2 - 1 <= 7 && l3 - 1 <= 7; /* each 1..8 (unsigned wrap for 0) */
}

/* Parse the line at p into *row, *col, *value; returns the length of the
 * line including "\n", or 0 to leave it to the scalar parser. */
static inline unsigned mtx_line_parse(const char *p, int64_t *row, int64_t *col, int64_t *value)
{
    unsigned n, s1, s2;
    if (!mtx_line_shape(_mm_loadu_si128((const __m128i *)(const void *)p), &n, &s1, &s2))
        return 0;
    unsigned l1 = s1, l2 = s2 - s1 - 1, l3 = n - s2 - 1;
    *row = mtx_line_digits(p, l1);
    *col = mtx_line_digits(p + s1 + 1, l2);
    *value = l3 == 1 ? p[s2 + 1] - '0' : mtx_line_digits(p + s2 + 1, l3); /* mostly 1 */
    return n + 1;
}
/* The SSSE3 version (mtx_line_parse_ssse3) is usable on this CPU. */
int dorm_mtx_line_ssse3(void);

/* Byte shuffles of the SSSE3 version, indexed by the field lengths
 * (l1 - 1) + 8 (l2 - 1) + 64 (l3 - 1): 16 bytes moving row and column into
 * two right-aligned 8-digit slots, 16 moving the value into the first. */
typedef uint8_t mtx_line_shuffle_t[32];
/* The table (built once, thread-safe; never freed). */
const mtx_line_shuffle_t *dorm_mtx_line_shuffles(void);

/* mtx_line_parse by byte shuffles; sh from dorm_mtx_line_shuffles(). */
__attribute__((target("ssse3"))) static inline unsigned
mtx_line_parse_ssse3(const char *p, const mtx_line_shuffle_t *sh, int64_t *row, int64_t *col,
                     int64_t *value)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned n, s1, s2;
    if (!mtx_line_shape(x, &n, &s1, &s2))
        return 0;
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    unsigned l1 = s1, l2 = s2 - s1 - 1, l3 = n - s2 - 1;
    const uint8_t *m = sh[(l1 - 1) + 8 * (l2 - 1) + 64 * (l3 - 1)];
    __m128i rc = _mm_shuffle_epi8(d, _mm_loadu_si128((const __m128i *)(const void *)m));
    __m128i v = _mm_shuffle_epi8(d, _mm_loadu_si128((const __m128i *)(const void *)(m + 16)));
    const __m128i ten = _mm_set1_epi16(0x010A), hundred = _mm_set1_epi32(0x00010064);
    rc = _mm_madd_epi16(_mm_maddubs_epi16(rc, ten), hundred); /* 4-digit groups */
    v = _mm_madd_epi16(_mm_maddubs_epi16(v, ten), hundred);
    __m128i all = _mm_madd_epi16(_mm_packs_epi32(rc, v), _mm_set1_epi32(0x00012710));
    *row = _mm_cvtsi128_si32(all);
    *col = _mm_cvtsi128_si32(_mm_shuffle_epi32(all, 1));
    *value = _mm_cvtsi128_si32(_mm_shuffle_epi32(all, 2));
    return n + 1;
}
#else
#define MTX_LINE_WORDS 0
static inline unsigned mtx_line_parse(const char *p, int64_t *row, int64_t *col, int64_t *value)
{
    (void)p, (void)row, (void)col, (void)value;
    return 0;
}
#endif

#endif
