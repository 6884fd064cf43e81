/* tally.c -- ordered name sets and keyed sums for compare's inputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "compare/compare_internal.h"

void dorm_cmp_names_init(dorm_cmp_names_t *s)
{
    memset(s, 0, sizeof *s);
    dorm_strmap_init(&s->index);
}

void dorm_cmp_names_destroy(dorm_cmp_names_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->name[i]);
    free(s->name);
    dorm_strmap_destroy(&s->index);
    memset(s, 0, sizeof *s);
}

int dorm_cmp_names_find(const dorm_cmp_names_t *s, const char *name)
{
    return (int)dorm_strmap_get(&s->index, name);
}

int dorm_cmp_names_add(dorm_cmp_names_t *s, const char *name)
{
    int i = dorm_cmp_names_find(s, name);
    if (i >= 0)
        return i;
    if (dorm_grow(&s->name, &s->cap, s->n + 1, sizeof *s->name, 16) < 0)
        return -1;
    if (!(s->name[s->n] = strdup(name)) || dorm_strmap_put(&s->index, name, s->n) < 0) {
        free(s->name[s->n]);
        return -1;
    }
    return s->n++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int dorm_cmp_names_sort(dorm_cmp_names_t *s)
{
    if (s->n > 1)
        qsort(s->name, s->n, sizeof(char *), cmp_str);
    dorm_strmap_destroy(&s->index);
    dorm_strmap_init(&s->index);
    for (int i = 0; i < s->n; i++)
        if (dorm_strmap_put(&s->index, s->name[i], i) < 0)
            return -1;
    return 0;
}

void dorm_cmp_tally_init(dorm_cmp_tally_t *t)
{
    memset(t, 0, sizeof *t);
    dorm_strmap_init(&t->index);
}

void dorm_cmp_tally_destroy(dorm_cmp_tally_t *t)
{
    if (!t)
        return;
    dorm_strmap_destroy(&t->index);
    free(t->sum);
    free(t->n);
    memset(t, 0, sizeof *t);
}

/* The key of (a, b, c) in buf; 0, or -1 if it does not fit. */
static int make_key(char *buf, size_t cap, const char *a, const char *b, const char *c)
{
    int n = snprintf(buf, cap, "%s\x1f%s\x1f%s", a, b, c ? c : "");
    return n >= 0 && (size_t)n < cap ? 0 : -1;
}

enum { KEY_MAX = 4096 };

int dorm_cmp_tally_add(dorm_cmp_tally_t *t, const char *a, const char *b, const char *c,
                       double value)
{
    char key[KEY_MAX];
    if (make_key(key, sizeof key, a, b, c) < 0)
        return -1;
    int64_t i = dorm_strmap_get(&t->index, key);
    if (i < 0) {
        void *const arrays[] = {&t->sum, &t->n};
        const size_t sizes[] = {sizeof *t->sum, sizeof *t->n};
        if (dorm_grow_all(arrays, sizes, 2, &t->cap, t->n_slots + 1, 64) < 0)
            return -1;
        i = t->n_slots;
        if (dorm_strmap_put(&t->index, key, i) < 0)
            return -1;
        t->sum[i] = t->n[i] = 0;
        t->n_slots++;
    }
    t->sum[i] += value;
    t->n[i] += 1;
    return 0;
}

double dorm_cmp_tally_get(const dorm_cmp_tally_t *t, const char *a, const char *b,
                          const char *c, double *n)
{
    char key[KEY_MAX];
    int64_t i = make_key(key, sizeof key, a, b, c) < 0 ? -1 : dorm_strmap_get(&t->index, key);
    if (n)
        *n = i < 0 ? 0 : t->n[i];
    return i < 0 ? 0 : t->sum[i];
}
