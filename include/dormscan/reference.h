/* reference.h -- the classifier's fixed frame of reference.
 *
 * A dormancy state means "this programme is higher than in the reference
 * population", so a cell's evidence depends on that cell and the reference
 * only, never on the other cells of its run.  A reference holds, for one
 * or more populations (all reference cells, and each cell type when built
 * with a cell-type column):
 *  - the mean log-normalised expression of every gene: the classifier's
 *    components are tested on each gene's deviation from these means
 *    (dorm_score_opts_t.centred) against expression-matched random genes,
 *    binned by the same means;
 *  - the baseline of each programme: the median and the robust spread of
 *    the programme's raw evidence over the population's cells, which turns
 *    a cell's raw evidence into its score (dorm_reference_standardise).
 * It is written by `dormscan reference` (or made in memory from a run's own
 * cells) in a versioned text format described in dormscan-reference(1).
 */
#ifndef DORMSCAN_REFERENCE_H
#define DORMSCAN_REFERENCE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/classify.h"
#include "dormscan/error.h"
#include "dormscan/geneset.h"
#include "dormscan/matrix.h"

#define DORM_REFERENCE_VERSION 1

/* One programme over one population: n cells with evidence, its median
 * and its robust spread (NaN when n is 0); see dorm_baseline_estimate. */
typedef struct dorm_baseline_t {
    int64_t n;
    double centre, spread;
} dorm_baseline_t;

/* One classifier component over one population: n cells, the median of
 * its deviation and the between-cell variance tau2 that the deviation has
 * beyond its within-cell null variance (dorm_component_baseline_estimate). */
typedef struct dorm_comp_baseline_t {
    int64_t n;
    double centre, tau2;
} dorm_comp_baseline_t;

typedef struct dorm_reference_t {
    dorm_species_t species;
    char panel[65];        /* SHA-256 (hex) of the classifier's definition */
    int n_bins;            /* expression bins of the null */
    int normalized;        /* values were used as given (no LogNormalize) */
    double scale_factor;   /* LogNormalize scale */
    char *celltype;        /* the cell-type column, or NULL: one population */
    char *built_from;      /* free text: what the cells were (inputs, filters) */
    int64_t n_genes;
    char **gene_ids;       /* n_genes, the key genes are matched by */
    char **gene_names;     /* n_genes symbols */
    int n_pops;            /* populations: 0 is every reference cell, then
                              one per cell type (with celltype) */
    char **pop_names;      /* n_pops; pop_names[0] is "all" */
    int64_t *pop_cells;    /* n_pops reference cells */
    double *means;         /* n_pops x n_genes, population-major */
    dorm_baseline_t *baseline; /* n_pops x DORM_N_EVIDENCE */
    int n_comp;            /* the classifier's components (dorm_components) */
    dorm_comp_baseline_t *component; /* n_pops x n_comp */
} dorm_reference_t;

/* An empty reference of n_pops populations (names copied) over n_genes
 * genes (ids and names copied), means zero, baselines unset (n = 0).
 * Free with dorm_reference_destroy. */
int dorm_reference_new(dorm_reference_t **out, int64_t n_genes, char *const *ids,
                       char *const *names, int n_pops, char *const *pop_names,
                       dorm_err_t *err) DORM_WUR;
void dorm_reference_destroy(dorm_reference_t *ref);

/* A digest of the reference's content (SHA-256 hex): equal for a reference
 * and the same reference read back from its file. */
void dorm_reference_digest(const dorm_reference_t *ref, char hex[65]);

/* The population a cell of this cell type belongs to: 0 without a cell-type
 * column, else the type's index, or -1 when the reference has no such
 * type (NULL type: the cell has none, looked up as "NA"). */
int dorm_reference_pop(const dorm_reference_t *ref, const char *type);

/* The keys genes are matched by: "ID<TAB>NAME<TAB>K" for the K-th (from 0)
 * of n genes with that id and name (tables repeat ids such as "None", and
 * some repeat id and name).  NULL without memory; free with
 * dorm_gene_keys_free. */
char **dorm_gene_keys(char *const *ids, char *const *names, int64_t n);
void dorm_gene_keys_free(char **keys, int64_t n);

/* Population pop's gene means in the order of features f: a gene is the
 * reference gene of the same key (dorm_gene_keys), else the only one with
 * its id, else the only one with its name; genes the reference lacks get 0
 * and are counted in *n_missing.  out holds f->n doubles. */
void dorm_reference_means_for(const dorm_reference_t *ref, int pop, const dorm_features_t *f,
                              double *out, int64_t *n_missing);

/* A programme's baseline from the raw evidence v[0..n) of the reference
 * cells (no NaN): the median, and 1.4826 x the median absolute deviation
 * from it (the standard deviation for normal data; a minority of reference
 * cells in the state moves neither much).  v is reordered. */
void dorm_baseline_estimate(double *v, int64_t n, dorm_baseline_t *b);

/* A component's baseline from the deviations d[0..n) and their null
 * variances var[0..n) over the reference cells (no NaN): the median of d,
 * and tau2 = max(0, S^2 - median(var)) with S = 1.4826 x the MAD of d.
 * d and var are reordered. */
void dorm_component_baseline_estimate(double *d, double *var, int64_t n,
                                      dorm_comp_baseline_t *b);

/* A cell's raw programme evidence from its components' deviations, null
 * variances and within-cell z (n_comp each, NaN when not scored) against
 * population pop.  Dormancy programmes: component scores
 * s_i = (d_i - centre_i) / sqrt(var_i + tau2_i), combined as dorm_evidence
 * combines z.  Cycling is a state of the cell itself, not a departure from
 * a baseline (a proliferating reference is full of cycling cells): its
 * components enter with their within-cell z, and dorm_reference_standardise
 * is not applied to it. */
void dorm_reference_evidence(const dorm_reference_t *ref, int pop, const double *dev,
                             const double *var, const double *zabs,
                             double ev_z[DORM_N_EVIDENCE], double ev_p[DORM_N_EVIDENCE]);

/* The cell's phase (dorm_phase_relative) from its phase programmes'
 * deviations dev and null variances var (n_comp each) against population
 * pop: u = dev / sqrt(var + tau2), the deviation from the population's
 * average cell (the reference means) in units of the component's
 * cell-to-cell spread. */
dorm_phase_t dorm_reference_phase(const dorm_reference_t *ref, int pop, const double *dev,
                                  const double *var);

/* A programme's score from its raw evidence z against a baseline:
 * (z - centre) / (max(1, spread) sqrt(1 + 1/n)), NaN when either is; p is
 * its upper normal tail. */
void dorm_reference_standardise(const dorm_baseline_t *b, double raw_z, double *z, double *p);

#pragma GCC visibility pop
#endif
