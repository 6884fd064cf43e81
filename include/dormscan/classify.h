/* classify.h -- per-cell QC, cell-cycle phase and state calls. */
#ifndef DORMSCAN_CLASSIFY_H
#define DORMSCAN_CLASSIFY_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/error.h"
#include "dormscan/geneset.h"
#include "dormscan/matrix.h"

typedef enum {
    DORM_PHASE_G1 = 0,
    DORM_PHASE_S = 1,
    DORM_PHASE_G2M = 2,
    DORM_PHASE_UNDECIDED = 3,
    DORM_N_PHASES = 4
} dorm_phase_t;

const char *dorm_phase_name(dorm_phase_t p);

/* What a phase programme marks: the G1/S transition (E2F targets, induced
 * at the restriction point before replication), S phase (replication-
 * dependent histone genes, made only while DNA is replicated) or G2/M. */
typedef enum {
    DORM_MARK_NONE = 0,
    DORM_MARK_G1S = 1,
    DORM_MARK_S = 2,
    DORM_MARK_G2M = 3
} dorm_phase_mark_t;

/* The phase of a cell from its phase programmes' scores against its
 * reference, u[k] for component k of dorm_components() (NaN for components
 * that mark no phase, or were not scored).  G1 when no phase programme is
 * above the reference's average cell (every u <= 0).  Otherwise the
 * highest-scoring programme decides: G2/M -> G2M; S -> S; G1/S -> S when a
 * G2/M programme is above average too (replication under way, G2/M genes
 * rising), else G1 (late G1).  Programmes of different marks tied at the
 * top: Undecided.  No phase programme scored: DORM_N_PHASES (NA). */
dorm_phase_t dorm_phase_relative(const double *u);

/* Per-cell QC metrics.  pct_* are NaN when the input has no such genes. */
typedef struct dorm_qc_t {
    double n_umi;
    int64_t n_genes;
    double pct_mito;
    double pct_ribo;
} dorm_qc_t;

#define DORM_QC_MITO 1
#define DORM_QC_RIBO 2

/* Flags (DORM_QC_MITO | DORM_QC_RIBO) per feature from the shipped QC sets,
 * matched case-insensitively (so mouse mt-/Rps/Rpl genes match too).
 * *flags is allocated (n features), caller frees; counts are returned. */
int dorm_qc_flags(const dorm_features_t *f, uint8_t **flags, int64_t *n_mito,
                  int64_t *n_ribo, dorm_err_t *err) DORM_WUR;

/* QC of one cell from its entries; count: the values as integers
 * (dorm_chunk_t.count), or NULL. */
void dorm_qc_cell(const int32_t *gene, const double *value, const uint32_t *count, int64_t n,
                  const uint8_t *flags, int has_mito, int has_ribo, dorm_qc_t *qc);

typedef enum {
    DORM_STATE_CYCLING = 0,
    DORM_STATE_QUIESCENT = 1,
    DORM_STATE_DIAPAUSE_LIKE = 2,
    DORM_STATE_SENESCENT = 3,
    DORM_STATE_NON_CYCLING = 4,
    DORM_STATE_LOW_QUALITY = 5,
    DORM_STATE_UNSCORED = 6,   /* the reference cannot score the cell */
    DORM_N_STATES = 7
} dorm_state_t;

const char *dorm_state_name(dorm_state_t s);

typedef struct dorm_qc_limits_t {
    int64_t min_genes;  /* fewer detected genes: low quality (200; 0 disables) */
    double min_umis;    /* fewer UMIs: low quality (0: off) */
    double max_mito;    /* higher % mitochondrial: low quality (20) */
} dorm_qc_limits_t;

void dorm_qc_limits_default(dorm_qc_limits_t *l);
int dorm_qc_is_low(const dorm_qc_t *qc, const dorm_qc_limits_t *l);

/* ---- evidence ---- */

/* The programmes the classifier weighs; DORM_EV_SASP is a flag, not a state. */
typedef enum {
    DORM_EV_CYCLING = 0,
    DORM_EV_QUIESCENT = 1,
    DORM_EV_DIAPAUSE_LIKE = 2,
    DORM_EV_SENESCENT = 3,
    DORM_EV_SASP = 4,
    DORM_N_EVIDENCE = 5,
    DORM_EV_PHASE_ONLY = DORM_N_EVIDENCE /* a component that places the phase only */
} dorm_evidence_t;

/* "cycling", "quiescent", "diapause_like", "senescent", "sasp"; "phase" for
 * DORM_EV_PHASE_ONLY. */
const char *dorm_evidence_name(dorm_evidence_t e);

/* One input of the classifier: a shipped gene set or a single marker gene,
 * the programme it informs and its direction (+1: up in that programme);
 * the cycle's components also mark a phase. */
typedef struct dorm_component_t {
    const char *name;   /* set name in the shipped panel or qc file, or a gene symbol */
    int is_gene;
    dorm_evidence_t evidence;
    int sign;
    dorm_phase_mark_t phase; /* what it marks in the cycle, or DORM_MARK_NONE */
} dorm_component_t;

/* The fixed component table (see dormscan-score(1), CLASSIFIER), of
 * DORM_N_COMPONENTS entries. */
#define DORM_N_COMPONENTS 22
const dorm_component_t *dorm_components(int *n);

/* Evidence z and one-sided p per programme from the components' z (NaN when
 * a component is unavailable).  Cycling: Sidak over its k components (S and
 * G2/M), p = 1 - (1 - min p)^k.  Others: Stouffer, sum(sign z) / sqrt(k)
 * over the k available components.  NaN when none is available. */
void dorm_evidence(const double *component_z, double ev_z[DORM_N_EVIDENCE],
                   double ev_p[DORM_N_EVIDENCE]);

/* ---- calls ---- */

typedef struct dorm_call_t {
    dorm_state_t state;
    int sasp;           /* 1: SASP flag */
    double confidence;  /* NaN for low_quality */
} dorm_call_t;

/* Decide one cell (see dormscan-score(1)).  ev_z and ev_fdr are the
 * programmes' evidence and BH-adjusted p-values; alpha is the FDR level.
 * A cell that is not low quality but has no evidence for any state (its
 * reference population is missing or too small, or no component could be
 * scored) is unscored. */
void dorm_call(int low_quality, const double ev_z[DORM_N_EVIDENCE],
               const double ev_fdr[DORM_N_EVIDENCE], double alpha, dorm_call_t *call);

#pragma GCC visibility pop
#endif
