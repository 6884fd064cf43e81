/* strvec.h -- a growable list of owned strings. */
#ifndef DORM_CORE_STRVEC_H
#define DORM_CORE_STRVEC_H

#include <stdint.h>

/* Zero-initialise; dorm_strvec_free frees the strings and the list. */
typedef struct dorm_strvec_t {
    char **s;
    int64_t n, cap;
} dorm_strvec_t;

/* Append a copy of s (or NULL); <0 when out of memory. */
int dorm_strvec_push(dorm_strvec_t *v, const char *s);
void dorm_strvec_free(dorm_strvec_t *v);

#endif
