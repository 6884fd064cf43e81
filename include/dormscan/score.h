/* score.h -- per-cell signature scores.
 *
 * Two methods:
 *  - DORM_METHOD_UCELL: UCell's Mann-Whitney statistic on per-cell ranks
 *    (decreasing expression, average ties, capped at max_rank).  Needs only
 *    the cell itself.
 *  - DORM_METHOD_MODULE: Seurat AddModuleScore on LogNormalize'd data, with
 *    the random control draw replaced by its expectation.  Needs dataset-wide
 *    gene means first (dorm_gene_means_*), then scores cell by cell.
 *
 * Both also give, per set and cell, a z statistic and a p-value against an
 * explicit null: for ucell the within-cell permutation null of the set's
 * ranks, for module the expression-matched random sets of Seurat's controls
 * (see dormscan-score(1)).
 */
#ifndef DORMSCAN_SCORE_H
#define DORMSCAN_SCORE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/error.h"
#include "dormscan/matrix.h"
#include "dormscan/geneset.h"

typedef enum { DORM_METHOD_UCELL = 0, DORM_METHOD_MODULE = 1, DORM_N_METHODS } dorm_method_t;

/* What the rest of dormscan needs to know about a scoring method (one row
 * of the table in src/score/method.c; the phase rule and the classifier
 * are the same for every method). */
typedef struct dorm_method_info_t {
    const char *name;       /* as --method, run.json and shard.bin spell it */
    const char *null;       /* the per-cell null of its z and p, for run.json */
    int needs_gene_means;   /* dorm_scorer_init needs the gene means of a reference */
    int scores_cells_alone; /* a cell's score needs nothing but the cell, so cells
                               can be scored while the input is first read */
    int deviations;         /* dorm_scorer_score_chunk_dev works (the classifier's null) */
    int absent_as_zero;     /* a set's genes absent from the input count as unexpressed
                               genes (dorm_scorer_init's n_extra) */
} dorm_method_info_t;

/* The method's row (static; never freed). */
const dorm_method_info_t *dorm_method_info(dorm_method_t m);
/* The method called name: 0, or -1 when there is none. */
int dorm_method_by_name(const char *name, dorm_method_t *m);

typedef struct dorm_score_opts_t {
    dorm_method_t method;
    int max_rank;        /* UCell rank cap (1500) */
    int n_bins;          /* module: expression bins (24) */
    int n_ctrl;          /* module: control genes per set gene (100) */
    int normalized;      /* values are already normalised: no LogNormalize */
    double scale_factor; /* LogNormalize scale (1e4) */
    int centred;         /* module null on deviations from the gene means (the
                            classifier's reference frame, see dorm_scorer_init) */
    char reserved[28];
} dorm_score_opts_t;

/* Fill opts with the defaults above (method ucell). */
void dorm_score_opts_default(dorm_score_opts_t *opts);

/* One cell's n values normalised the way the module method does
 * (log1p(x / total * scale)) into out, or copied when opts->normalized;
 * out may be value itself. */
void dorm_normalize_cell(const dorm_score_opts_t *opts, const double *value, double *out,
                         int64_t n);

/* Dataset-wide mean of normalised expression per gene (module method). */
typedef struct dorm_gene_means_t {
    int64_t n_genes;
    int64_t n_cells;
    double *sum;   /* n_genes running sums; owned */
} dorm_gene_means_t;

int dorm_gene_means_init(dorm_gene_means_t *m, int64_t n_genes, dorm_err_t *err) DORM_WUR;
/* Add a chunk's cells (raw values; normalised here per opts). */
int dorm_gene_means_add(dorm_gene_means_t *m, const dorm_score_opts_t *opts,
                        const dorm_chunk_t *chunk, dorm_err_t *err) DORM_WUR;
/* The same for the cells c with use[c] != 0 (use NULL: every cell); gene
 * g of the chunk adds to sum[map[g]] when map is given (a gene table that
 * spans several inputs), else to sum[g]. */
int dorm_gene_means_add_cells(dorm_gene_means_t *m, const dorm_score_opts_t *opts,
                              const dorm_chunk_t *chunk, const uint8_t *use,
                              const int64_t *map, dorm_err_t *err) DORM_WUR;
void dorm_gene_means_destroy(dorm_gene_means_t *m);

/* One set as the scorer sees it: matched members and, for the module
 * method, its control size. */
typedef struct dorm_score_set_t {
    const dorm_match_t *match;
    int n_ctrl;          /* module control genes per member; 0 = opts->n_ctrl */
} dorm_score_set_t;

typedef struct dorm_scorer_t dorm_scorer_t;

/* Create a scorer for n_sets sets over n_genes features.  n_extra_genes is
 * the number of distinct signature genes absent from the input: like UCell,
 * they join the ranking as zero-expression genes.  For the module method,
 * means must hold the reference's gene means (not used by ucell; may be
 * NULL).  With opts->centred (module only), the z and p test each gene's
 * deviation from its mean, x_g - mean_g, instead of x_g: the members'
 * mean deviation against that of expression-matched random genes; the
 * scores themselves are unchanged.
 * The scorer copies what it needs; free with dorm_scorer_destroy. */
int dorm_scorer_init(dorm_scorer_t **out, const dorm_score_opts_t *opts,
                     int64_t n_genes, int64_t n_extra_genes,
                     const dorm_score_set_t *sets, int n_sets,
                     const dorm_gene_means_t *means, dorm_err_t *err) DORM_WUR;

/* Score every cell of a chunk.  score, z and p each receive n_cells * n_sets
 * values, cell-major (score[c * n_sets + s]): the score, and the z and
 * one-sided p-value (high score = small p) of the set against its null (see
 * dormscan-score(1)).  Not thread-safe per scorer. */
int dorm_scorer_score_chunk(dorm_scorer_t *sc, const dorm_chunk_t *chunk,
                            double *score, double *z, double *p, dorm_err_t *err) DORM_WUR;

/* The module method only: as dorm_scorer_score_chunk, and also each set's
 * deviation (its up members' mean minus the null expectation, less the
 * down members' one; of deviations from the gene means when centred) and
 * that deviation's null variance, into dev and var (n_cells x n_sets).
 * Centred scorers also give, in zabs (may be NULL), the within-cell z of
 * the values themselves against random genes of the same bins: evidence
 * of the cell alone, as for programmes that are absolute (the cycle). */
int dorm_scorer_score_chunk_dev(dorm_scorer_t *sc, const dorm_chunk_t *chunk, double *score,
                                double *z, double *p, double *dev, double *var, double *zabs,
                                dorm_err_t *err) DORM_WUR;

void dorm_scorer_destroy(dorm_scorer_t *sc);

/* Module bins (exposed for tests): bin[g] in 0..n_bins-1 for each gene from
 * the gene means, Seurat's cut_number on quantiles with ties kept in gene
 * order.  Returns 0 or DORM_E_NOMEM. */
int dorm_module_bins(const double *mean, int64_t n_genes, int n_bins,
                     int32_t *bin, dorm_err_t *err) DORM_WUR;

/* Seurat's expected number of distinct controls drawn from a bin of size
 * n_bin by k members with n_ctrl draws each: n_bin * (1 - (1 - n_ctrl/n_bin)^k). */
double dorm_module_bin_weight(int64_t n_bin, int k, int n_ctrl);

/* The UCell statistic from the ranks of a set's n members: ranks above
 * max_rank count as max_rank, U = 1 - (sum - n(n+1)/2) / (n max_rank -
 * n(n+1)/2); 0 when every rank is above max_rank. */
double dorm_ucell_from_ranks(const double *rank, int n, int max_rank);

/* Average ranks (1 = highest) of n values, ties averaged; rank[i] for value[i]. */
int dorm_rank_average_desc(const double *value, int64_t n, double *rank,
                           dorm_err_t *err) DORM_WUR;

#pragma GCC visibility pop
#endif
