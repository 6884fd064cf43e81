/* evidence.c -- the classifier's components and how they combine.
 *
 * Every component is a shipped gene set or a marker gene scored like any set,
 * so its z is calibrated against the same within-cell null.  Biology
 * (Santos-de-Frutos & Djouder 2021; DESIGN.md section 1; dormscan-score(1),
 * CLASSIFIER, says why each list is or is not a component):
 *  - cycling: the S (G1/S) and G2/M programmes (Tirosh 2016); with the
 *    replication-dependent histone genes (S phase only) they place the phase.
 *  - quiescent: the G0 arrest signature up and down (Wiecek 2023), DREAM
 *    targets repressed, low ribosome biogenesis (rRNA processing) and low
 *    ribosomal-protein share (biomass), p27 (CDKN1B) up.
 *  - diapause-like: the drug-tolerant persister signatures up and down
 *    (Rehman 2021, which named the state; Moghal 2023 consensus), without
 *    their cell-cycle genes, which every non-dividing state shares.
 *  - senescent: SenMayo, Fridman up/down, CellAge over/under-expressed,
 *    p21 (CDKN1A) and p16 (CDKN2A) up, lamin B1 (LMNB1) down.
 *  - SASP: the secreted SenMayo factors. */
#include <math.h>

#include "core/stats.h"
#include "dormscan/classify.h"

#define NO_PHASE DORM_MARK_NONE

static const dorm_component_t components[] = {
    {"cc_s", 0, DORM_EV_CYCLING, +1, DORM_MARK_G1S},
    {"cc_g2m", 0, DORM_EV_CYCLING, +1, DORM_MARK_G2M},
    {"cc_histone", 0, DORM_EV_PHASE_ONLY, +1, DORM_MARK_S},
    {"quiescence_up", 0, DORM_EV_QUIESCENT, +1, NO_PHASE},
    {"quiescence_down", 0, DORM_EV_QUIESCENT, -1, NO_PHASE},
    {"dream_targets", 0, DORM_EV_QUIESCENT, -1, NO_PHASE},
    {"rrna_processing", 0, DORM_EV_QUIESCENT, -1, NO_PHASE},
    {"qc_ribo", 0, DORM_EV_QUIESCENT, -1, NO_PHASE},
    {"CDKN1B", 1, DORM_EV_QUIESCENT, +1, NO_PHASE},
    {"dtp_rehman_up", 0, DORM_EV_DIAPAUSE_LIKE, +1, NO_PHASE},
    {"dtp_rehman_down", 0, DORM_EV_DIAPAUSE_LIKE, -1, NO_PHASE},
    {"dtp_moghal_up", 0, DORM_EV_DIAPAUSE_LIKE, +1, NO_PHASE},
    {"dtp_moghal_down", 0, DORM_EV_DIAPAUSE_LIKE, -1, NO_PHASE},
    {"senmayo", 0, DORM_EV_SENESCENT, +1, NO_PHASE},
    {"senescence_fridman_up", 0, DORM_EV_SENESCENT, +1, NO_PHASE},
    {"senescence_fridman_down", 0, DORM_EV_SENESCENT, -1, NO_PHASE},
    {"senescence_cellage_up", 0, DORM_EV_SENESCENT, +1, NO_PHASE},
    {"senescence_cellage_down", 0, DORM_EV_SENESCENT, -1, NO_PHASE},
    {"CDKN1A", 1, DORM_EV_SENESCENT, +1, NO_PHASE},
    {"CDKN2A", 1, DORM_EV_SENESCENT, +1, NO_PHASE},
    {"LMNB1", 1, DORM_EV_SENESCENT, -1, NO_PHASE},
    {"senmayo", 0, DORM_EV_SASP, +1, NO_PHASE},
};

_Static_assert(sizeof components / sizeof components[0] == DORM_N_COMPONENTS,
               "DORM_N_COMPONENTS is the size of the component table");

const dorm_component_t *dorm_components(int *n)
{
    *n = (int)(sizeof components / sizeof components[0]);
    return components;
}

const char *dorm_evidence_name(dorm_evidence_t e)
{
    static const char *const names[] = {"cycling", "quiescent", "diapause_like", "senescent",
                                        "sasp", "phase"};
    return e >= 0 && e <= DORM_EV_PHASE_ONLY ? names[e] : "NA";
}

void dorm_evidence(const double *z, double ev_z[DORM_N_EVIDENCE], double ev_p[DORM_N_EVIDENCE])
{
    int n;
    const dorm_component_t *c = dorm_components(&n);
    double sum[DORM_N_EVIDENCE] = {0}, p_min = NAN;
    int k[DORM_N_EVIDENCE] = {0};
    for (int i = 0; i < n; i++) {
        if (isnan(z[i]) || c[i].evidence == DORM_EV_PHASE_ONLY)
            continue;
        if (c[i].evidence == DORM_EV_CYCLING) {
            double p = dorm_norm_sf(z[i]);
            p_min = isnan(p_min) || p < p_min ? p : p_min;
            k[DORM_EV_CYCLING]++;
            continue;
        }
        sum[c[i].evidence] += c[i].sign * z[i];
        k[c[i].evidence]++;
    }
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        if (k[e] == 0) {
            ev_z[e] = ev_p[e] = NAN;
        } else if (e == DORM_EV_CYCLING) {
            ev_p[e] = -expm1((double)k[e] * log1p(-p_min)); /* Sidak: 1 - (1 - p)^k */
            ev_z[e] = dorm_norm_isf(ev_p[e]);
        } else {
            ev_z[e] = sum[e] / sqrt((double)k[e]);
            ev_p[e] = dorm_norm_sf(ev_z[e]);
        }
    }
}
