/* rank.c -- average ranks in decreasing order, and the UCell statistic. */
#include <stdlib.h>
#include <string.h>

#include "dormscan/score.h"
#include "score_internal.h"

typedef dorm_keyed_t keyed_t;

static int cmp_desc(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Order k by decreasing value, ties by index.  Small non-negative integer
 * values (counts: max <= 4n + 63) are placed by a counting sort into count
 * (room for 4n + 65 slots), others by qsort. */
static void order_desc(const double *value, int64_t n, keyed_t *k, int64_t *count)
{
    double max = 0;
    int integral = 1;
    for (int64_t i = 0; i < n && integral; i++) {
        integral = value[i] >= 0 && value[i] == (double)(int64_t)value[i];
        if (value[i] > max)
            max = value[i];
    }
    if (!count || !integral || max > (double)(4 * n + 63)) {
        for (int64_t i = 0; i < n; i++)
            k[i] = (keyed_t){value[i], i};
        if (n > 1)
            qsort(k, (size_t)n, sizeof *k, cmp_desc);
        return;
    }
    int64_t top = (int64_t)max;
    memset(count, 0, (size_t)(top + 2) * sizeof *count);
    for (int64_t i = 0; i < n; i++)
        count[top - (int64_t)value[i] + 1]++; /* slot 1 holds the largest value */
    for (int64_t v = 1; v <= top + 1; v++)
        count[v] += count[v - 1];              /* count[s] = entries before slot s + 1 */
    for (int64_t i = 0; i < n; i++)
        k[count[top - (int64_t)value[i]]++] = (keyed_t){value[i], i};
}

void dorm_rank_average_desc_scratch(const double *value, int64_t n, double *rank, keyed_t *k,
                                    int64_t *count)
{
    order_desc(value, n, k, count);
    for (int64_t a = 0; a < n;) {
        int64_t b = a + 1;
        while (b < n && k[b].v == k[a].v)
            b++;
        double r = (double)(a + 1 + b) / 2.0; /* mean of ranks a+1 .. b */
        for (int64_t t = a; t < b; t++)
            rank[k[t].i] = r;
        a = b;
    }
}

int dorm_rank_average_desc(const double *value, int64_t n, double *rank, dorm_err_t *err)
{
    keyed_t *k = malloc((size_t)(n ? n : 1) * sizeof *k);
    if (!k)
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    dorm_rank_average_desc_scratch(value, n, rank, k, NULL);
    free(k);
    return 0;
}

double dorm_ucell_from_ranks(const double *rank, int n, int max_rank)
{
    if (n == 0)
        return 0;
    double sum = 0;
    int any_in = 0;
    for (int i = 0; i < n; i++) {
        any_in |= rank[i] <= max_rank;
        sum += rank[i] > max_rank ? max_rank : rank[i];
    }
    if (!any_in)
        return 0;
    double lfac = (double)n * (n + 1) / 2.0;
    return 1.0 - (sum - lfac) / ((double)n * max_rank - lfac);
}
