/* phase.c -- cell-cycle phase rules. */
#include <math.h>

#include "dormscan/classify.h"

const char *dorm_phase_name(dorm_phase_t p)
{
    static const char *const names[] = {"G1", "S", "G2M", "Undecided"};
    return p >= 0 && p < DORM_N_PHASES ? names[p] : "NA";
}

dorm_phase_t dorm_phase_seurat(double s, double g2m)
{
    if (s < 0 && g2m < 0)
        return DORM_PHASE_G1;
    if (s == g2m)
        return DORM_PHASE_UNDECIDED;
    return s > g2m ? DORM_PHASE_S : DORM_PHASE_G2M;
}

dorm_phase_t dorm_phase_rank(int cycling, double z_s, double z_g2m)
{
    if (!cycling)
        return DORM_PHASE_G1;
    if (isnan(z_s))
        return DORM_PHASE_G2M;
    if (isnan(z_g2m) || z_s > z_g2m)
        return DORM_PHASE_S;
    return z_s == z_g2m ? DORM_PHASE_UNDECIDED : DORM_PHASE_G2M;
}
