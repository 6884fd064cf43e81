/* phase.c -- the cell-cycle phase of a cell from the relative strength of
 * its phase programmes (dormscan-score(1), PHASE). */
#include <math.h>

#include "dormscan/classify.h"

const char *dorm_phase_name(dorm_phase_t p)
{
    static const char *const names[] = {"G1", "S", "G2M", "Undecided"};
    return p >= 0 && p < DORM_N_PHASES ? names[p] : "NA";
}

dorm_phase_t dorm_phase_relative(const double *u)
{
    int n, best = -1, tie = 0, g2m_up = 0;
    const dorm_component_t *c = dorm_components(&n);
    for (int k = 0; k < n; k++) {
        if (c[k].phase == DORM_MARK_NONE || isnan(u[k]))
            continue;
        g2m_up |= c[k].phase == DORM_MARK_G2M && u[k] > 0;
        if (best < 0 || u[k] > u[best]) {
            best = k;
            tie = 0;
        } else if (u[k] == u[best] && c[k].phase != c[best].phase) {
            tie = 1;
        }
    }
    if (best < 0)
        return DORM_N_PHASES;
    if (u[best] <= 0)
        return DORM_PHASE_G1;
    if (tie)
        return DORM_PHASE_UNDECIDED;
    switch (c[best].phase) {
    case DORM_MARK_G2M:
        return DORM_PHASE_G2M;
    case DORM_MARK_S:
        return DORM_PHASE_S;
    default: /* the G1/S programme */
        return g2m_up ? DORM_PHASE_S : DORM_PHASE_G1;
    }
}
