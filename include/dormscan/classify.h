/* classify.h -- per-cell QC, cell-cycle phase and state calls. */
#ifndef DORMSCAN_CLASSIFY_H
#define DORMSCAN_CLASSIFY_H

#include <stdint.h>
#include "dormscan/error.h"
#include "dormscan/geneset.h"
#include "dormscan/reader.h"

typedef enum {
    DORM_PHASE_G1 = 0,
    DORM_PHASE_S = 1,
    DORM_PHASE_G2M = 2,
    DORM_PHASE_UNDECIDED = 3,
    DORM_N_PHASES = 4
} dorm_phase_t;

const char *dorm_phase_name(dorm_phase_t p);

/* Seurat CellCycleScoring: both scores < 0 -> G1; otherwise the larger wins;
 * equal -> Undecided. */
dorm_phase_t dorm_phase_seurat(double s_score, double g2m_score);

/* Rank rule (ucell): G1 unless max(z_s, z_g2m) >= z_min; then the larger z
 * wins; equal -> Undecided.  NaN z counts as below z_min. */
dorm_phase_t dorm_phase_rank(double z_s, double z_g2m, double z_min);

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

/* QC of one cell from its entries. */
void dorm_qc_cell(const int32_t *gene, const double *value, int64_t n, const uint8_t *flags,
                  int has_mito, int has_ribo, dorm_qc_t *qc);

typedef enum {
    DORM_STATE_CYCLING = 0,
    DORM_STATE_NON_CYCLING = 1,
    DORM_STATE_LOW_QUALITY = 2,
    DORM_N_STATES = 3
} dorm_state_t;

const char *dorm_state_name(dorm_state_t s);

typedef struct dorm_qc_limits_t {
    int64_t min_genes;  /* fewer detected genes: low quality (200) */
    double min_umis;    /* fewer UMIs: low quality (500) */
    double max_mito;    /* higher % mitochondrial: low quality (20) */
} dorm_qc_limits_t;

void dorm_qc_limits_default(dorm_qc_limits_t *l);
int dorm_qc_is_low(const dorm_qc_t *qc, const dorm_qc_limits_t *l);

/* Provisional state: low_quality first, then cycling (S or G2M), else
 * non_cycling. */
dorm_state_t dorm_state_call(const dorm_qc_t *qc, const dorm_qc_limits_t *l, dorm_phase_t phase);

#endif
