/* fmt.c -- numbers for the tables: exactly printf's "%.10g", faster.
 *
 * printf formats the exact binary value; so does this, except that it
 * scales by a power of ten in double arithmetic: one rounding per factor of
 * at most 1e22 (at most 16 of them, relative error below 2e-15, far below a
 * unit of the tenth digit).  The scaled value decides the ten digits unless
 * it lies within 1e-4 of a rounding tie, where the error could matter; those
 * rare values go to snprintf. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dormscan/tables.h"

#define DIGITS 10
_Static_assert(DIGITS == 10, "dorm_fmt_double_put writes the digits as two halves of five");

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* |v| * 10^k, one rounding per exact power of at most 1e22. */
static double scale(double a, int k)
{
    for (; k > 22; k -= 22)
        a *= 1e22;
    for (; k < -22; k += 22)
        a /= 1e22;
    return k >= 0 ? a * pow10_tab[k] : a / pow10_tab[-k];
}

/* The ten significant digits of a (> 0) and its decimal exponent; 0 if the
 * fast path cannot decide. */
static int digits(double a, uint64_t *m, int *exp10)
{
    /* floor(log10(a)) from the binary exponent and a linear guess for the
     * mantissa's log (off by at most one; the loop below corrects it) */
    int be;
    double mant;
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    if (bits >> 52) { /* normal: a = mant 2^be, mant in [0.5, 1), as frexp gives */
        be = (int)(bits >> 52) - 1022;
        bits = (bits & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1022) << 52);
        memcpy(&mant, &bits, sizeof mant);
    } else {
        mant = frexp(a, &be);
    }
    int e = (int)floor((be - 1) * 0.30102999566398120 + (2 * mant - 1) * 0.30102999566398120);
    for (int tries = 0; tries < 2; tries++) {
        int k = DIGITS - 1 - e;
        if (k < -340 || k > 340)
            return 0;
        double x = scale(a, k), fl = floor(x), frac = x - fl;
        if (fabs(frac - 0.5) < 1e-4)
            return 0;
        uint64_t r = (uint64_t)fl + (frac > 0.5);
        if (r >= UINT64_C(10000000000)) { /* the exponent guess was low, or rounded up to 10^10 */
            if (r == UINT64_C(10000000000) && fl < 1e10) {
                *m = UINT64_C(1000000000);
                *exp10 = e + 1;
                return 1;
            }
            e++;
            continue;
        }
        if (r < UINT64_C(1000000000)) { /* the exponent guess was high */
            e--;
            continue;
        }
        *m = r;
        *exp10 = e;
        return 1;
    }
    return 0;
}

/* s (at most 31 bytes) at dst; its end. */
static char *put(char *dst, const char *s, size_t n)
{
    memcpy(dst, s, n);
    return dst + n;
}

char *dorm_fmt_double_put(double v, char *dst)
{
    if (isnan(v))
        return put(dst, "NA", 2);
    if (v == 0) /* common (scores at the floor); printf keeps the sign */
        return signbit(v) ? put(dst, "-0", 2) : put(dst, "0", 1);
    uint64_t m;
    int e;
    if (!isfinite(v) || !digits(fabs(v), &m, &e)) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%.10g", v);
        return put(dst, buf, (size_t)n);
    }
    static const char pairs[] = "00010203040506070809101112131415161718192021222324"
                                "25262728293031323334353637383940414243444546474849"
                                "50515253545556575859606162636465666768697071727374"
                                "75767778798081828384858687888990919293949596979899";
    char d[DIGITS]; /* two digits at a time, in two 32-bit halves of five */
    uint32_t half[2] = {(uint32_t)(m / 100000), (uint32_t)(m % 100000)};
    for (int h = 0; h < 2; h++) {
        uint32_t x = half[h], top = x / 10000, rest = x - 10000 * top;
        d[5 * h] = (char)('0' + top);
        memcpy(d + 5 * h + 1, pairs + 2 * (rest / 100), 2);
        memcpy(d + 5 * h + 3, pairs + 2 * (rest % 100), 2);
    }
    int n = DIGITS; /* significant digits after removing trailing zeros */
    while (n > 1 && d[n - 1] == '0')
        n--;
    char *p = dst;
    if (v < 0)
        *p++ = '-';
    if (e >= -4 && e < DIGITS) { /* %f style */
        if (e < 0) {
            *p++ = '0';
            *p++ = '.';
            for (int i = -1; i > e; i--)
                *p++ = '0';
            memcpy(p, d, (size_t)n);
            p += n;
        } else {
            int whole = e + 1;
            memcpy(p, d, (size_t)whole);
            p += whole;
            if (n > whole) {
                *p++ = '.';
                memcpy(p, d + whole, (size_t)(n - whole));
                p += n - whole;
            }
        }
    } else { /* %e style: d.ddde+XX */
        *p++ = d[0];
        if (n > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)(n - 1));
            p += n - 1;
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        int x = e < 0 ? -e : e;
        if (x >= 100)
            *p++ = (char)('0' + x / 100);
        *p++ = (char)('0' + x / 10 % 10);
        *p++ = (char)('0' + x % 10);
    }
    return p;
}

const char *dorm_fmt_double(double v, char *buf)
{
    *dorm_fmt_double_put(v, buf) = '\0';
    return buf;
}

char *dorm_fmt_count_put(double v, char *dst)
{
    if (v == floor(v) && fabs(v) < 9.2233720368547758e18)
        return dst + snprintf(dst, 32, "%lld", (long long)v);
    return dorm_fmt_double_put(v, dst);
}
