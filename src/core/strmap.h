/* strmap.h -- string -> int64 hash map (open addressing), private.
 * Keys are copied and owned by the map. */
#ifndef DORM_CORE_STRMAP_H
#define DORM_CORE_STRMAP_H

#include <stdint.h>

typedef struct dorm_strmap_t {
    char **key;
    int64_t *val;
    int64_t cap, n;
} dorm_strmap_t;

void dorm_strmap_init(dorm_strmap_t *m);
void dorm_strmap_destroy(dorm_strmap_t *m);
/* Insert key -> val unless key is present.  Returns 1 if inserted, 0 if it
 * was present (value unchanged), -1 on allocation failure. */
int dorm_strmap_put(dorm_strmap_t *m, const char *key, int64_t val);
/* Value of key, or -1 when absent. */
int64_t dorm_strmap_get(const dorm_strmap_t *m, const char *key);
/* The 64-bit FNV-1a hash of a string, as the map uses. */
uint64_t dorm_str_hash(const char *s);

#endif
