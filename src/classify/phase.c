/* phase.c -- the cell-cycle phase of a cell from the relative strength of
 * its phase programmes (dormscan-score(1), PHASE). */
#include <math.h>

#include "dormscan/classify.h"

const char *dorm_phase_name(dorm_phase_t p)
{
    static const char *const names[] = {"G1", "S", "G2M", "Undecided"};
    return p >= 0 && p < DORM_N_PHASES ? names[p] : "NA";
}

dorm_phase_t dorm_phase_relative(double u_s, double u_g2m)
{
    if (isnan(u_s) && isnan(u_g2m))
        return DORM_N_PHASES;
    double s = isnan(u_s) ? -INFINITY : u_s, g = isnan(u_g2m) ? -INFINITY : u_g2m;
    if (s <= 0 && g <= 0)
        return DORM_PHASE_G1;
    if (s == g)
        return DORM_PHASE_UNDECIDED;
    return s > g ? DORM_PHASE_S : DORM_PHASE_G2M;
}
