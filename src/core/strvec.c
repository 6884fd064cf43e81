/* strvec.c -- a growable list of owned strings. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/strvec.h"

int dorm_strvec_push(dorm_strvec_t *v, const char *s)
{
    if (dorm_grow(&v->s, &v->cap, v->n + 1, sizeof *v->s, 256) < 0)
        return -1;
    v->s[v->n] = NULL;
    if (s && !(v->s[v->n] = strdup(s)))
        return -1;
    v->n++;
    return 0;
}

void dorm_strvec_free(dorm_strvec_t *v)
{
    for (int64_t i = 0; i < v->n; i++)
        free(v->s[i]);
    free(v->s);
    memset(v, 0, sizeof *v);
}
