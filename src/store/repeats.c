/* repeats.c -- repeated barcodes of a sample's rows. */
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "repeats.h"

/* Heapsort in place: glibc's qsort would take as much memory again. */
static void sift_down(uint64_t *v, int64_t i, int64_t n)
{
    uint64_t x = v[i];
    for (int64_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && v[c + 1] > v[c])
            c++;
        if (v[c] <= x)
            break;
        v[i] = v[c];
    }
    v[i] = x;
}

static void sort_u64(uint64_t *v, int64_t n)
{
    for (int64_t i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (int64_t end = n - 1; end > 0; end--) {
        uint64_t top = v[0];
        v[0] = v[end];
        v[end] = top;
        sift_down(v, 0, end);
    }
}

/* Whether h is one of the n sorted values v. */
static int listed(const uint64_t *v, int64_t n, uint64_t h)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (v[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == h;
}

/* The rows' barcodes whose hashes are among the n_dup sorted dup, as
 * strings: the repeats, the first one and its rows. */
static int64_t name_repeats(spill_t *sp, const uint64_t *dup, int64_t n_dup, char **first,
                            int64_t rows[2], dorm_err_t *err)
{
    dorm_strmap_t seen; /* barcode -> first row, for those rows only: few */
    dorm_strmap_init(&seen);
    int64_t repeated = 0, row = 0;
    char *bc;
    int rc = dorm_spill_barcodes_rewind(sp, err);
    while (rc == 0 && (rc = dorm_spill_next_barcode(sp, &bc, err)) > 0) {
        rc = 0;
        row++;
        if (!listed(dup, n_dup, dorm_str_hash(bc)))
            continue;
        int put = dorm_strmap_put(&seen, bc, row);
        if (put < 0)
            rc = dorm_err_nomem(err);
        else if (put == 0 && repeated++ == 0) {
            rows[0] = dorm_strmap_get(&seen, bc);
            rows[1] = row;
            if (!(*first = strdup(bc)))
                rc = dorm_err_nomem(err);
        }
    }
    dorm_strmap_destroy(&seen);
    return rc < 0 ? rc : repeated;
}

int64_t dorm_repeats_find(spill_t *sp, char **first, int64_t rows[2], dorm_err_t *err)
{
    *first = NULL;
    rows[0] = rows[1] = 0;
    uint64_t *hash = sp->n > 1 ? malloc((size_t)sp->n * sizeof *hash) : NULL;
    if (!hash)
        return 0;
    int64_t n = 0;
    char *bc;
    int rc = dorm_spill_barcodes_rewind(sp, err);
    while (rc == 0 && n < sp->n && (rc = dorm_spill_next_barcode(sp, &bc, err)) > 0) {
        rc = 0;
        hash[n++] = dorm_str_hash(bc);
    }
    int64_t result = rc;
    if (rc == 0) {
        sort_u64(hash, n);
        int64_t n_dup = 0; /* the hashes seen more than once, in place at the front */
        for (int64_t i = 1; i < n; i++)
            if (hash[i] == hash[i - 1] && (n_dup == 0 || hash[n_dup - 1] != hash[i]))
                hash[n_dup++] = hash[i];
        result = n_dup ? name_repeats(sp, hash, n_dup, first, rows, err) : 0;
    }
    free(hash);
    if (result <= 0) {
        free(*first);
        *first = NULL;
    }
    return result;
}
