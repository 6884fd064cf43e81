/* grow.h -- growing arrays: the one place capacities double. */
#ifndef DORM_CORE_GROW_H
#define DORM_CORE_GROW_H

#include <stddef.h>
#include <stdint.h>

/* Make the array at *(void **)pp hold at least need items of elem bytes:
 * when *cap < need, the capacity doubles (from first when 0) until it is
 * enough, the array is reallocated and *cap updated; on failure (-1) the
 * array and *cap are unchanged.  Items past the old capacity are not
 * initialised. */
int dorm_grow(void *pp, int64_t *cap, int64_t need, size_t elem, int64_t first);

/* The same for arrays that share one capacity: grow each of the n arrays
 * pps[i] (item sizes elems[i]) to the capacity dorm_grow would choose; *cap
 * changes only when all of them grew (the ones that did keep their larger
 * size, which is harmless). */
int dorm_grow_all(void *const *pps, const size_t *elems, int n, int64_t *cap, int64_t need,
                  int64_t first);

#endif
