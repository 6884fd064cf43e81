/* score_internal.h -- helpers shared by the scoring files, private. */
#ifndef DORM_SCORE_INTERNAL_H
#define DORM_SCORE_INTERNAL_H

#include <math.h>
#include <stdint.h>

typedef struct dorm_keyed_t {
    double v;
    int64_t i;
} dorm_keyed_t;

/* Average ranks in decreasing order of value[0..n) (ties share the mean of
 * their ranks) into rank[i], and the distinct values, largest first, as
 * levels: level_rank[l] their rank, level_n[l] how many entries have it.
 * ints: the same values as integers (dorm_chunk_t.count), or NULL.
 * Returns the number of levels.  Scratch, all caller-owned: level_rank,
 * level_n and keyed of n slots; count of 4n + 65 slots, or NULL.  Small
 * non-negative integer values (counts, max <= 4n + 63) take a histogram in
 * count when it is given; others are sorted in keyed.  by_level NULL: rank
 * is filled.  Else *by_level tells whether, instead, entry i's rank is
 * level_rank[count[ints[i]]] (the histogram of ints) and rank was left
 * alone. */
int64_t dorm_rank_levels_desc(const double *value, const uint32_t *ints, int64_t n, double *rank,
                              double *level_rank, int32_t *level_n, dorm_keyed_t *keyed,
                              int64_t *count, int *by_level);

#include "dormscan/score.h"

/* The within-cell null of a UCell part (see ucell.c): distances
 * d = M - min(rank, M) of the cell's G genes, as excess over the distance
 * base of the unexpressed genes; m expressed genes have a positive excess. */
typedef struct dorm_ucell_cell_t {
    double zero_capped;  /* capped rank of the zero-expression genes */
    int64_t G, m;
    double base;         /* distance of the unexpressed genes (0 unless G < maxRank) */
    double mean_d, var_d;/* over the m positive excesses */
    int64_t n_levels;    /* distinct positive excesses, from dtop[dofs] down, */
    int64_t dofs;        /* with dcum[dofs + l] genes at or above level l */
} dorm_ucell_cell_t;

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
    uint64_t *in_union;   /* n_genes bits: union_of >= 0 (small enough to stay in cache) */
    int *part_ptr;     /* n_union + 1 offsets into part_of */
    int *part_of;      /* the parts each union gene belongs to */
    double *ctrl_w;    /* module: n_bins x n_parts control weight of each gene of a bin */
    /* scratch, grown per chunk */
    int64_t cells_cap, nnz_cap;
    double *prod;      /* (2 * cells) x n_parts: ucell rank sums and counts,
                          module member and control means */
    dorm_ucell_cell_t *cell; /* cells: ucell per-cell null */
    double *dtop;      /* chunk nnz: ucell excess distances, per cell distinct, descending */
    int32_t *dcum;     /* chunk nnz: genes with an excess at or above dtop's */
    double *bin_stat;  /* module: cells x 3 n_bins (per bin sums, sums of squares and,
                          centred, sums of value x gene mean) */
    double *x;         /* nnz_cap values */
    dorm_keyed_t *keyed; /* nnz_cap */
    double *level_rank;  /* nnz_cap */
    int32_t *level_n;    /* nnz_cap */
    double *lfact;       /* ucell: lgamma(x + 1), x = 0..n_genes + n_extra */
    double *inv_sd;      /* ucell: max part size + 1, per cell 1 / sd of k draws */
    int64_t *twice;      /* ucell: n_parts, a cell's rank sums over expressed members x 2 */
    int64_t sd_filled;   /* inv_sd[2..sd_filled] hold the current cell's */
    int64_t sd_cap;      /* the last index of inv_sd */
    int64_t *count;    /* 4 nnz_cap + 65: counting sort of ranks */
    int64_t chunk_nnz_cap;
    int32_t *gene_row; /* module: n_genes, each gene's expression bin times
                          DORM_SMALL_COUNTS (its row of tally) */
    int64_t *bin_size; /* module: n_bins */
    int *part_bin_hits;/* module: n_parts x n_bins found members per bin */
    double *part_bin_var; /* module: n_parts x n_bins k (N - k) / (N - 1) of those */
    double *bin_moments;  /* module: 2 n_bins, a cell's per-bin mean and variance */
    int32_t *tally;    /* module: n_bins x DORM_SMALL_COUNTS, zero between cells */
    double *centre;    /* centred: n_genes gene means (the reference) */
    double *tally_mu;  /* centred: n_bins x DORM_SMALL_COUNTS sums of gene means */
    double *bin_centre;/* centred: 2 n_bins, each bin's mean of the gene means and of
                          their squares */
    double *part_centre; /* centred: n_parts, mean gene mean of the found members */
    double *dev, *var, *zabs; /* while dorm_scorer_score_chunk_dev runs: its outputs */
    int32_t *pick;     /* module: 2 nnz_cap entry positions within a cell */
};

/* Counts 1..DORM_SMALL_COUNTS - 1 are normalised once per distinct count in
 * a cell (and tallied per bin by the module method). */
enum { DORM_SMALL_COUNTS = 64 };

/* v as a small count (0 .. DORM_SMALL_COUNTS - 1), or -1 for anything else
 * (a fraction or a large count). */
static inline int dorm_small_count(double v)
{
    int c = (int)(v < DORM_SMALL_COUNTS && v > 0 ? v : 0);
    return (double)c == v ? c : -1;
}

/* A cell's LogNormalize factor from its library size: values become
 * log1p(v f); f = 0 keeps them as they are (--normalized, or no counts). */
double dorm_norm_factor(const dorm_score_opts_t *opts, double total);
static inline double dorm_norm_value(double f, double v) { return f > 0 ? log1p(v * f) : v; }

/* One cell's normalised values, small counts computed once each. */
typedef struct dorm_norm_cache_t {
    double f;
    uint64_t have; /* bit c: x[c] is set */
    double x[DORM_SMALL_COUNTS];
} dorm_norm_cache_t;

/* Start the cache of a cell of the given library size. */
static inline void dorm_norm_cache_init(dorm_norm_cache_t *nc, const dorm_score_opts_t *opts,
                                        double total)
{
    nc->f = dorm_norm_factor(opts, total);
    nc->have = 0;
}

/* The values of the small counts in mask (bit c: count c) at once, for
 * loops that then index nc->x directly. */
static inline void dorm_norm_cache_fill(dorm_norm_cache_t *nc, uint64_t mask)
{
    for (uint64_t bits = mask & ~nc->have; bits; bits &= bits - 1) {
        int c = __builtin_ctzll(bits);
        nc->x[c] = dorm_norm_value(nc->f, (double)c);
    }
    nc->have |= mask;
}

static inline double dorm_norm_cached(dorm_norm_cache_t *nc, double v)
{
    int c = dorm_small_count(v);
    if (c < 0)
        return dorm_norm_value(nc->f, v);
    if (!(nc->have >> c & 1)) {
        nc->x[c] = dorm_norm_value(nc->f, v);
        nc->have |= UINT64_C(1) << c;
    }
    return nc->x[c];
}

/* The library size of a cell's n values (0 when opts->normalized: unused). */
static inline double dorm_cell_total(const dorm_score_opts_t *opts, const double *value, int64_t n)
{
    double total = 0;
    if (!opts->normalized)
        for (int64_t i = 0; i < n; i++)
            total += value[i];
    return total;
}

/* Whether gene g is a member of some set. */
static inline int dorm_scorer_in_union(const dorm_scorer_t *sc, int32_t g)
{
    return (int)(sc->in_union[g >> 6] >> (g & 63) & 1);
}

/* A method's part of the scorer: init fills what the method keeps beyond
 * the shared state (after the parts are known); chunk scores a chunk whose
 * scratch is reserved. */
typedef struct dorm_method_ops_t {
    dorm_method_info_t info;
    int (*init)(dorm_scorer_t *sc, const dorm_score_set_t *sets, const dorm_gene_means_t *means,
                dorm_err_t *err);
    int (*chunk)(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z, double *p);
} dorm_method_ops_t;

/* The method's row, or NULL for an unknown one. */
const dorm_method_ops_t *dorm_method_ops(dorm_method_t m);

int dorm_ucell_init(dorm_scorer_t *sc, const dorm_score_set_t *sets, const dorm_gene_means_t *means,
                    dorm_err_t *err);
int dorm_ucell_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z,
                     double *p);
int dorm_module_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z,
                      double *p);

/* Combine the up part's z and the down part's z into a set's z:
 * (z_up - z_down) / sqrt(2) with both, z_up or -z_down with one (a down
 * part's z is high when its members are high). */
static inline double dorm_signed_z(double z_up, int has_up, double z_down, int has_down)
{
    if (has_up && has_down)
        return (z_up - z_down) / sqrt(2.0);
    return has_up ? z_up : has_down ? -z_down : NAN;
}
int dorm_module_weights(dorm_scorer_t *sc, const dorm_score_set_t *sets,
                        const dorm_gene_means_t *means, dorm_err_t *err);

#endif
