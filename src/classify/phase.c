/* phase.c -- cell-cycle phase rules and the provisional state call. */
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

dorm_phase_t dorm_phase_rank(double z_s, double z_g2m, double z_min)
{
    int s_ok = !isnan(z_s) && z_s >= z_min, g_ok = !isnan(z_g2m) && z_g2m >= z_min;
    if (!s_ok && !g_ok)
        return DORM_PHASE_G1;
    if (s_ok && g_ok && z_s == z_g2m)
        return DORM_PHASE_UNDECIDED;
    if (!g_ok)
        return DORM_PHASE_S;
    if (!s_ok)
        return DORM_PHASE_G2M;
    return z_s > z_g2m ? DORM_PHASE_S : DORM_PHASE_G2M;
}

const char *dorm_state_name(dorm_state_t s)
{
    static const char *const names[] = {"cycling", "non_cycling", "low_quality"};
    return s >= 0 && s < DORM_N_STATES ? names[s] : "NA";
}

dorm_state_t dorm_state_call(const dorm_qc_t *qc, const dorm_qc_limits_t *l, dorm_phase_t phase)
{
    if (dorm_qc_is_low(qc, l))
        return DORM_STATE_LOW_QUALITY;
    if (phase == DORM_PHASE_S || phase == DORM_PHASE_G2M)
        return DORM_STATE_CYCLING;
    return DORM_STATE_NON_CYCLING;
}
