/* call.c -- one state per cell.
 *
 * Order of decisions (DESIGN.md section 1): low quality first, because dying
 * cells mimic dormancy; unscored when no state has evidence (no reference
 * population for the cell, or no component found); then cycling when its
 * evidence is significant (BH FDR <= alpha); otherwise the dormancy
 * programme (quiescent, diapause-like, senescent) with the largest score
 * among the significant ones: scores are in units of each programme's
 * spread over the reference cells, so the programme whose departure from
 * the reference is the least ordinary wins; otherwise non_cycling.  The
 * SASP flag marks a significant SASP programme in a cell that is not
 * cycling.
 *
 * confidence = Phi((z_call - z_next) / sqrt 2): the probability that the
 * called programme's evidence exceeds the strongest other one under unit
 * noise on each.  For non_cycling, the called "evidence" is the z at which a
 * programme would have been significant for this cell's FDR, so confidence
 * says how clearly every programme stayed below it. */
#include <math.h>

#include "core/stats.h"
#include "dormscan/classify.h"

const char *dorm_state_name(dorm_state_t s)
{
    static const char *const names[] = {"cycling",     "quiescent",   "diapause_like", "senescent",
                                        "non_cycling", "low_quality", "unscored"};
    return s >= 0 && s < DORM_N_STATES ? names[s] : "NA";
}

static int significant(double fdr, double alpha) { return !isnan(fdr) && fdr <= alpha; }

void dorm_call(int low_quality, const double ev_z[DORM_N_EVIDENCE],
               const double ev_fdr[DORM_N_EVIDENCE], double alpha, dorm_call_t *call)
{
    call->sasp = 0;
    call->confidence = NAN;
    if (low_quality) {
        call->state = DORM_STATE_LOW_QUALITY;
        return;
    }
    int any = 0;
    for (int e = DORM_EV_CYCLING; e <= DORM_EV_SENESCENT; e++)
        any |= !isnan(ev_z[e]);
    if (!any) {
        call->state = DORM_STATE_UNSCORED;
        return;
    }
    /* States 0..3 match evidence 0..3. */
    int best = -1;
    if (significant(ev_fdr[DORM_EV_CYCLING], alpha)) {
        best = DORM_EV_CYCLING;
    } else {
        for (int e = DORM_EV_QUIESCENT; e <= DORM_EV_SENESCENT; e++)
            if (significant(ev_fdr[e], alpha) && (best < 0 || ev_z[e] > ev_z[best]))
                best = e;
    }
    double next = -INFINITY;
    for (int e = DORM_EV_CYCLING; e <= DORM_EV_SENESCENT; e++)
        if (e != best && !isnan(ev_z[e]) && ev_z[e] > next)
            next = ev_z[e];
    if (best >= 0) {
        call->state = (dorm_state_t)best;
        call->confidence = isinf(next) ? 1.0 : 1.0 - dorm_norm_sf((ev_z[best] - next) / M_SQRT2);
    } else {
        call->state = DORM_STATE_NON_CYCLING;
        /* z a programme with this FDR would have needed: the unadjusted
         * p that BH maps to alpha is at least alpha / n; use alpha. */
        double need = dorm_norm_isf(alpha);
        call->confidence = isinf(next) ? NAN : 1.0 - dorm_norm_sf((need - next) / M_SQRT2);
    }
    call->sasp = call->state != DORM_STATE_CYCLING && significant(ev_fdr[DORM_EV_SASP], alpha);
}
