/* bh.c -- Benjamini-Hochberg adjustment in place, in bounded memory.
 *
 * The values are sorted together with their original positions (in-place
 * introsort on (p, position), NaN last: a total order, so the result does
 * not depend on the algorithm), adjusted from the largest down, and put
 * back in their original order by following the permutation's cycles.
 * Nothing is allocated: 12 bytes per value (the value and an int32
 * position) is all the memory, which keeps exact per-sample FDRs of a
 * million-cell sample at 12 MB per column. */
#include <math.h>
#include <stdint.h>

#include "core/stats.h"

/* a < b in (value, position) order, NaN after every number. */
static inline int before(double a, int32_t ia, double b, int32_t ib)
{
    int na = isnan(a), nb = isnan(b);
    if (na != nb)
        return nb;
    if (!na && a != b)
        return a < b;
    return ia < ib;
}

static inline void swap(double *v, int32_t *ix, int64_t i, int64_t j)
{
    double t = v[i];
    v[i] = v[j];
    v[j] = t;
    int32_t u = ix[i];
    ix[i] = ix[j];
    ix[j] = u;
}

static void sift_down(double *v, int32_t *ix, int64_t root, int64_t n)
{
    for (;;) {
        int64_t child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && before(v[child], ix[child], v[child + 1], ix[child + 1]))
            child++;
        if (!before(v[root], ix[root], v[child], ix[child]))
            return;
        swap(v, ix, root, child);
        root = child;
    }
}

static void heap_sort(double *v, int32_t *ix, int64_t n)
{
    for (int64_t i = n / 2 - 1; i >= 0; i--)
        sift_down(v, ix, i, n);
    for (int64_t end = n - 1; end > 0; end--) {
        swap(v, ix, 0, end);
        sift_down(v, ix, 0, end);
    }
}

static void insertion_sort(double *v, int32_t *ix, int64_t n)
{
    for (int64_t i = 1; i < n; i++)
        for (int64_t j = i; j > 0 && before(v[j], ix[j], v[j - 1], ix[j - 1]); j--)
            swap(v, ix, j, j - 1);
}

/* Quicksort (median of three) with heap sort past a depth limit. */
static void intro_sort(double *v, int32_t *ix, int64_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(v, ix, n);
            return;
        }
        int64_t mid = n / 2, last = n - 1;
        if (before(v[mid], ix[mid], v[0], ix[0]))
            swap(v, ix, mid, 0);
        if (before(v[last], ix[last], v[0], ix[0]))
            swap(v, ix, last, 0);
        if (before(v[last], ix[last], v[mid], ix[mid]))
            swap(v, ix, last, mid);
        swap(v, ix, mid, last - 1); /* pivot at last - 1 */
        double pv = v[last - 1];
        int32_t pi = ix[last - 1];
        int64_t i = 0, j = last - 1;
        for (;;) {
            do
                i++;
            while (before(v[i], ix[i], pv, pi));
            do
                j--;
            while (before(pv, pi, v[j], ix[j]));
            if (i >= j)
                break;
            swap(v, ix, i, j);
        }
        swap(v, ix, i, last - 1);
        if (i < n - i - 1) { /* recurse on the smaller side */
            intro_sort(v, ix, i, depth);
            v += i + 1;
            ix += i + 1;
            n -= i + 1;
        } else {
            intro_sort(v + i + 1, ix + i + 1, n - i - 1, depth);
            n = i;
        }
    }
    insertion_sort(v, ix, n);
}

int dorm_bh_adjust(double *p, int64_t n, int32_t *idx)
{
    if (n < 0 || n > INT32_MAX || (n > 0 && !idx))
        return -1;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        idx[i] = (int32_t)i;
        m += !isnan(p[i]);
    }
    int depth = 2;
    for (int64_t k = n; k > 1; k >>= 1)
        depth += 2;
    intro_sort(p, idx, n, depth);
    double running = 1.0;
    for (int64_t r = m; r >= 1; r--) { /* the m numbers come first */
        double adj = p[r - 1] * (double)m / (double)r;
        if (adj < running)
            running = adj;
        p[r - 1] = running;
    }
    /* Back to the original order: sorted slot k belongs at idx[k]; follow
     * each cycle once, marking placed slots by flipping idx negative. */
    for (int64_t start = 0; start < n; start++) {
        if (idx[start] < 0)
            continue;
        double carry = p[start];
        int64_t at = start;
        while (idx[at] != start) {
            int64_t to = idx[at];
            idx[at] = -1 - idx[at];
            double t = p[to];
            p[to] = carry;
            carry = t;
            at = to;
        }
        idx[at] = -1 - idx[at];
        p[start] = carry;
    }
    return 0;
}
