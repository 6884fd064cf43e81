/* scorer.c -- set-up of a scorer and per-chunk dispatch to the method. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "score_internal.h"

void dorm_scorer_destroy(dorm_scorer_t *sc)
{
    if (!sc)
        return;
    free(sc->found);
    free(sc->missing);
    free(sc->union_gene);
    free(sc->union_of);
    free(sc->in_union);
    free(sc->part_ptr);
    free(sc->part_of);
    free(sc->ctrl_w);
    free(sc->prod);
    free(sc->cell);
    free(sc->dtop);
    free(sc->dcum);
    free(sc->bin_stat);
    free(sc->gene_row);
    free(sc->bin_size);
    free(sc->part_bin_hits);
    free(sc->part_bin_var);
    free(sc->bin_moments);
    free(sc->tally);
    free(sc->centre);
    free(sc->tally_mu);
    free(sc->bin_centre);
    free(sc->part_centre);
    free(sc->pick);
    free(sc->x);
    free(sc->keyed);
    free(sc->level_rank);
    free(sc->level_n);
    free(sc->lfact);
    free(sc->inv_sd);
    free(sc->twice);
    free(sc->count);
    free(sc);
}

int dorm_scorer_init(dorm_scorer_t **out, const dorm_score_opts_t *opts, int64_t n_genes,
                     int64_t n_extra, const dorm_score_set_t *sets, int n_sets,
                     const dorm_gene_means_t *means, dorm_err_t *err)
{
    *out = NULL;
    const dorm_method_ops_t *method = dorm_method_ops(opts->method);
    if (!method)
        return dorm_err_set(err, DORM_E_USAGE, "unknown scoring method %d", (int)opts->method);
    if (method->info.needs_gene_means && (!means || means->n_genes != n_genes))
        return dorm_err_set(err, DORM_E_USAGE, "the %s method needs the dataset's gene means",
                            method->info.name);
    if (opts->centred && !method->info.deviations)
        return dorm_err_set(err, DORM_E_USAGE, "only the module null can be centred");
    dorm_scorer_t *sc = calloc(1, sizeof *sc);
    if (!sc)
        return dorm_err_nomem(err);
    sc->opts = *opts;
    sc->n_genes = n_genes;
    sc->n_extra = n_extra;
    sc->n_sets = n_sets;
    sc->n_parts = 2 * n_sets;
    int np = sc->n_parts ? sc->n_parts : 1;
    sc->found = calloc((size_t)np, sizeof *sc->found);
    sc->missing = calloc((size_t)np, sizeof *sc->missing);
    sc->union_of = malloc((size_t)(n_genes ? n_genes : 1) * sizeof *sc->union_of);
    int total = 0;
    for (int s = 0; s < n_sets; s++)
        total += sets[s].match->n_found;
    sc->union_gene = malloc((size_t)(total ? total : 1) * sizeof *sc->union_gene);
    sc->in_union = calloc((size_t)(n_genes / 64 + 1), sizeof *sc->in_union);
    if (!sc->found || !sc->missing || !sc->union_of || !sc->union_gene || !sc->in_union)
        goto nomem;
    for (int64_t g = 0; g < n_genes; g++)
        sc->union_of[g] = -1;
    for (int s = 0; s < n_sets; s++) {
        const dorm_match_t *m = sets[s].match;
        for (int i = 0; i < m->n_found; i++) {
            int32_t g = m->gene[i];
            if (sc->union_of[g] < 0) {
                sc->in_union[g >> 6] |= UINT64_C(1) << (g & 63);
                sc->union_of[g] = sc->n_union;
                sc->union_gene[sc->n_union++] = g;
            }
            sc->found[m->sign[i] > 0 ? s : n_sets + s]++;
        }
        sc->missing[s] = m->n_missing_up;
        sc->missing[n_sets + s] = m->n_missing_down;
    }
    /* Each union gene's parts, for per-cell sparse sums over expressed members. */
    int nu = sc->n_union;
    sc->part_ptr = calloc((size_t)nu + 1, sizeof *sc->part_ptr);
    sc->part_of = malloc((size_t)(total ? total : 1) * sizeof *sc->part_of);
    int *fill = malloc((size_t)(nu ? nu : 1) * sizeof *fill);
    if (!sc->part_ptr || !sc->part_of || !fill) {
        free(fill);
        goto nomem;
    }
    for (int s = 0; s < n_sets; s++)
        for (int i = 0; i < sets[s].match->n_found; i++)
            sc->part_ptr[sc->union_of[sets[s].match->gene[i]] + 1]++;
    for (int u = 0; u < nu; u++)
        sc->part_ptr[u + 1] += sc->part_ptr[u];
    memcpy(fill, sc->part_ptr, (size_t)nu * sizeof *fill);
    for (int s = 0; s < n_sets; s++) {
        const dorm_match_t *m = sets[s].match;
        for (int i = 0; i < m->n_found; i++)
            sc->part_of[fill[sc->union_of[m->gene[i]]]++] = m->sign[i] > 0 ? s : n_sets + s;
    }
    free(fill);
    int rc = method->init(sc, sets, means, err);
    if (rc < 0) {
        dorm_scorer_destroy(sc);
        return rc;
    }
    *out = sc;
    return 0;
nomem:
    dorm_scorer_destroy(sc);
    return dorm_err_nomem(err);
}

/* Grow scratch for a chunk. */
static int reserve(dorm_scorer_t *sc, const dorm_chunk_t *ch)
{
    int64_t nnz_max = 1;
    for (int64_t c = 0; c < ch->n_cells; c++)
        if (ch->col_ptr[c + 1] - ch->col_ptr[c] > nnz_max)
            nnz_max = ch->col_ptr[c + 1] - ch->col_ptr[c];
    if (ch->n_cells > sc->cells_cap) {
        int64_t cap = ch->n_cells;
        size_t np = (size_t)(sc->n_parts ? sc->n_parts : 1);
        size_t nb = (size_t)(sc->opts.n_bins > 0 ? sc->opts.n_bins : 1);
        free(sc->prod);
        free(sc->cell);
        free(sc->bin_stat);
        sc->prod = malloc((size_t)(2 * cap) * np * sizeof *sc->prod);
        sc->cell = malloc((size_t)cap * sizeof *sc->cell);
        sc->bin_stat = malloc((size_t)cap * 3 * nb * sizeof *sc->bin_stat);
        sc->cells_cap = cap;
        if (!sc->prod || !sc->cell || !sc->bin_stat) {
            sc->cells_cap = 0;
            return -1;
        }
    }
    int64_t chunk_nnz = ch->col_ptr[ch->n_cells] + 1;
    if (chunk_nnz > sc->chunk_nnz_cap) {
        free(sc->dtop);
        free(sc->dcum);
        sc->dtop = malloc((size_t)chunk_nnz * sizeof *sc->dtop);
        sc->dcum = malloc((size_t)chunk_nnz * sizeof *sc->dcum);
        sc->chunk_nnz_cap = sc->dtop && sc->dcum ? chunk_nnz : 0;
        if (!sc->chunk_nnz_cap)
            return -1;
    }
    if (nnz_max > sc->nnz_cap) {
        free(sc->x);
        free(sc->keyed);
        free(sc->level_rank);
        free(sc->level_n);
        free(sc->count);
        free(sc->pick);
        sc->x = malloc((size_t)nnz_max * sizeof *sc->x);
        sc->keyed = malloc((size_t)nnz_max * sizeof *sc->keyed);
        sc->level_rank = malloc((size_t)nnz_max * sizeof *sc->level_rank);
        sc->level_n = malloc((size_t)nnz_max * sizeof *sc->level_n);
        sc->count = malloc((size_t)(4 * nnz_max + 65) * sizeof *sc->count);
        sc->pick = malloc((size_t)(2 * nnz_max) * sizeof *sc->pick);
        sc->nnz_cap = nnz_max;
        if (!sc->x || !sc->keyed || !sc->level_rank || !sc->level_n || !sc->count || !sc->pick) {
            sc->nnz_cap = 0;
            return -1;
        }
    }
    return 0;
}

int dorm_scorer_score_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z,
                            double *p, dorm_err_t *err)
{
    if (ch->n_cells == 0)
        return 0;
    if (ch->n_cells > (1 << 20))
        return dorm_err_set(err, DORM_E_USAGE, "chunk of %lld cells is too large",
                            (long long)ch->n_cells);
    if (reserve(sc, ch) < 0)
        return dorm_err_nomem(err);
    return dorm_method_ops(sc->opts.method)->chunk(sc, ch, score, z, p);
}

int dorm_scorer_score_chunk_dev(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score,
                                double *z, double *p, double *dev, double *var, double *zabs,
                                dorm_err_t *err)
{
    if (!dorm_method_ops(sc->opts.method)->info.deviations)
        return dorm_err_set(err, DORM_E_USAGE, "deviations come from the module null only");
    sc->dev = dev;
    sc->var = var;
    sc->zabs = sc->centre ? zabs : NULL;
    int rc = dorm_scorer_score_chunk(sc, ch, score, z, p, err);
    sc->dev = sc->var = sc->zabs = NULL;
    return rc;
}
