/* score_internal.h -- helpers shared by the scoring files, private. */
#ifndef DORM_SCORE_INTERNAL_H
#define DORM_SCORE_INTERNAL_H

#include <stdint.h>

typedef struct dorm_keyed_t {
    double v;
    int64_t i;
} dorm_keyed_t;

/* dorm_rank_average_desc with caller-provided scratch of n keyed slots. */
void dorm_rank_average_desc_scratch(const double *value, int64_t n, double *rank,
                                    dorm_keyed_t *scratch);

#endif

#include "dormscan/score.h"

/* The scorer's state.  Parts: column p < n_sets is set p's up members,
 * column n_sets + p its down members. */
struct dorm_scorer_t {
    dorm_score_opts_t opts;
    int64_t n_genes, n_extra;
    int n_sets, n_parts;
    int *found;        /* n_parts members found in the input */
    int *missing;      /* n_parts members absent (UCell: zero-expression genes) */
    int n_union;       /* distinct found member genes */
    int32_t *union_gene;  /* n_union feature indices */
    int32_t *union_of;    /* n_genes: position in the union or -1 */
    double *memb;      /* n_union x n_parts: ucell 1/0, module 1/found */
    double *ctrl_w;    /* module: n_genes x n_parts control weights */
    /* scratch, grown per chunk */
    int64_t cells_cap, nnz_cap;
    double *dense;     /* (2 * cells) x n_union */
    double *prod;      /* (2 * cells) x n_parts */
    double *cell_stat; /* 4 * cells: ucell zero rank (capped), zero rank <= cap, mean and variance of capped ranks */
    double *x;         /* nnz_cap values */
    dorm_keyed_t *keyed; /* nnz_cap */
};

int dorm_ucell_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z);
int dorm_module_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z);
int dorm_module_weights(dorm_scorer_t *sc, const dorm_score_set_t *sets,
                        const dorm_gene_means_t *means, dorm_err_t *err);
