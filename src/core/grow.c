/* grow.c -- growing arrays. */
#include <stdlib.h>

#include "core/grow.h"

static int64_t next_cap(int64_t cap, int64_t need, int64_t first)
{
    int64_t c = cap > 0 ? cap * 2 : first > 0 ? first : 1;
    while (c < need)
        c *= 2;
    return c;
}

static int resize(void *pp, int64_t n, size_t elem)
{
    void **p = pp;
    void *q = realloc(*p, (size_t)n * elem);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

int dorm_grow(void *pp, int64_t *cap, int64_t need, size_t elem, int64_t first)
{
    if (need <= *cap)
        return 0;
    int64_t c = next_cap(*cap, need, first);
    if (resize(pp, c, elem) < 0)
        return -1;
    *cap = c;
    return 0;
}

int dorm_grow_all(void *const *pps, const size_t *elems, int n, int64_t *cap, int64_t need,
                  int64_t first)
{
    if (need <= *cap)
        return 0;
    int64_t c = next_cap(*cap, need, first);
    for (int i = 0; i < n; i++)
        if (resize(pps[i], c, elems[i]) < 0)
            return -1;
    *cap = c;
    return 0;
}
