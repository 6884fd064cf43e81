/* simd.h -- the vector registers' state after libraries that leave it
 * dirty, private to libdormscan. */
#ifndef DORM_CORE_SIMD_H
#define DORM_CORE_SIMD_H

/* Clears the upper halves of the AVX registers (vzeroupper) on CPUs that
 * have them; nothing elsewhere.  ISA-L's inflate returns with them in use,
 * and until something clears them every SSE instruction of ours (compiled
 * without VEX) waits on them: the UCell null ran 2.1x slower after a
 * MatrixMarket read pass (bench/RESULTS.md, 2026-12-04).  Call after each
 * call into such a library; cheap. */
void dorm_simd_clean(void);

#endif
