/* blas.h -- the one place libdormscan calls BLAS, private. */
#ifndef DORM_SCORE_BLAS_H
#define DORM_SCORE_BLAS_H

/* C (m x n) = A (m x k) * B (k x n), all row-major and dense.
 * Callers keep m, n and k below INT_MAX (chunks and set counts are small). */
void dorm_blas_gemm(int m, int n, int k, const double *a, const double *b, double *c);

/* Make OpenBLAS single-threaded: dormscan owns its threads. */
void dorm_blas_single_thread(void);

#endif
