/* mtx_line.c -- the SSSE3 line parser's shuffle table and CPU check. */
#include <pthread.h>
#include <string.h>

#include "mtx_line_internal.h"

#if MTX_LINE_WORDS
static mtx_line_shuffle_t shuffles[512];
static pthread_once_t shuffles_once = PTHREAD_ONCE_INIT;

static void build_shuffles(void)
{
    for (int l1 = 1; l1 <= 8; l1++)
        for (int l2 = 1; l2 <= 8; l2++)
            for (int l3 = 1; l3 <= 8; l3++) {
                uint8_t *m = shuffles[(l1 - 1) + 8 * (l2 - 1) + 64 * (l3 - 1)];
                memset(m, 0x80, sizeof(mtx_line_shuffle_t)); /* high bit: a zero byte */
                int s1 = l1, s2 = l1 + 1 + l2;
                for (int i = 0; i < l1; i++)
                    m[8 - l1 + i] = (uint8_t)i;
                for (int i = 0; i < l2; i++)
                    m[16 - l2 + i] = (uint8_t)(s1 + 1 + i);
                for (int i = 0; i < l3; i++)
                    m[16 + 8 - l3 + i] = (uint8_t)(s2 + 1 + i);
            }
}

const mtx_line_shuffle_t *dorm_mtx_line_shuffles(void)
{
    pthread_once(&shuffles_once, build_shuffles);
    return shuffles;
}

int dorm_mtx_line_ssse3(void)
{
    return __builtin_cpu_supports("ssse3");
}
#endif
