/* simd.c -- vzeroupper where the CPU has AVX. */
#include "simd.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx"))) static void zero_upper(void) { _mm256_zeroupper(); }

void dorm_simd_clean(void)
{
    if (__builtin_cpu_supports("avx"))
        zero_upper();
}
#else
void dorm_simd_clean(void) {}
#endif
