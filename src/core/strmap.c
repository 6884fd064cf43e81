/* strmap.c -- string -> int64 hash map with linear probing (FNV-1a). */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

uint64_t dorm_str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void dorm_strmap_init(dorm_strmap_t *m) { memset(m, 0, sizeof *m); }

void dorm_strmap_destroy(dorm_strmap_t *m)
{
    if (!m)
        return;
    for (int64_t i = 0; i < m->cap; i++)
        free(m->key[i]);
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static int64_t find_slot(char **key, int64_t cap, const char *k)
{
    int64_t i = (int64_t)(dorm_str_hash(k) & (uint64_t)(cap - 1));
    while (key[i] && strcmp(key[i], k) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

static int grow(dorm_strmap_t *m)
{
    int64_t cap = m->cap ? m->cap * 2 : 64;
    char **key = calloc((size_t)cap, sizeof *key);
    int64_t *val = calloc((size_t)cap, sizeof *val);
    if (!key || !val) {
        free(key);
        free(val);
        return -1;
    }
    for (int64_t i = 0; i < m->cap; i++) {
        if (!m->key[i])
            continue;
        int64_t j = find_slot(key, cap, m->key[i]);
        key[j] = m->key[i];
        val[j] = m->val[i];
    }
    free(m->key);
    free(m->val);
    m->key = key;
    m->val = val;
    m->cap = cap;
    return 0;
}

int dorm_strmap_put(dorm_strmap_t *m, const char *k, int64_t v)
{
    if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
        return -1;
    int64_t i = find_slot(m->key, m->cap, k);
    if (m->key[i])
        return 0;
    m->key[i] = strdup(k);
    if (!m->key[i])
        return -1;
    m->val[i] = v;
    m->n++;
    return 1;
}

int64_t dorm_strmap_get(const dorm_strmap_t *m, const char *k)
{
    if (!m->cap)
        return -1;
    int64_t i = find_slot(m->key, m->cap, k);
    return m->key[i] ? m->val[i] : -1;
}
