/* blas.c -- all cblas calls of libdormscan live here. */
#include <cblas.h>

#include "blas.h"

void dorm_blas_gemm(int m, int n, int k, const double *a, const double *b, double *c)
{
    if (m == 0 || n == 0)
        return;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
}

void dorm_blas_single_thread(void) { openblas_set_num_threads(1); }
