/* module_score.c -- AddModuleScore per cell, with Seurat's random control
 * draw replaced by its expectation.
 *
 * Seurat draws n_ctrl genes (without replacement) from the expression bin of
 * each member and averages the distinct genes drawn.  A bin of N genes hit by
 * k members yields on average w = N (1 - (1 - n_ctrl/N)^k) distinct genes, and
 * each of its genes is drawn with probability w / N.  The control score is
 * the w-weighted mean of the touched bins' mean expression, i.e. every gene g
 * of a touched bin b enters with weight (w_b / N_b) / sum(w).
 *
 * Null (p-values): the same expression-matched random sets.  Each found
 * member is replaced by a random gene of its bin, k_b members drawn without
 * replacement from bin b.  Within a cell whose genes of bin b have mean mu_b
 * and variance v_b, the members' mean then has expectation
 * sum_b k_b mu_b / n and variance sum_b k_b v_b (N_b - k_b) / (N_b - 1) / n^2;
 * the part's z is (observed mean - expectation) / sd, and a signed set
 * combines its parts as ucell does.
 *
 * Centred (the classifier's frame of reference): the same null on each
 * gene's deviation r_g = x_g - m_g from its reference mean m_g, with the
 * random genes drawn from the genes of no set of the scorer (the pool), so
 * that a programme that fills much of a small gene universe (cell-cycle
 * panels) is not compared with itself.  Bins are the quantiles of the
 * pool's means; a member goes to the bin whose range holds its mean.  Per
 * bin, mean(r) = mean(x) - mean(m) and mean(r^2) = mean(x^2) - 2 mean(x m)
 * + mean(m^2), where only mean(x m) needs the cell (a sum over its
 * expressed genes); a part's observed mean deviation is its mean x minus
 * its members' mean m. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats.h"
#include "score_internal.h"

/* Genes a bin of the centred null holds at least: a bin's null variance is
 * the variance of its genes in the cell, and from fewer than about ten
 * values a standard deviation is off by a quarter or more (relative
 * standard error 1 / sqrt(2 (n - 1))).  Universes of a few hundred genes
 * (cell-cycle panels) get fewer bins than n_bins. */
#define MIN_BIN_GENES 10

/* Centred null: the pool's bins (bin[g] for every gene, pool[g] set for
 * pool genes, bins 0 .. n_pool / MIN_BIN_GENES at most); with fewer than
 * two pool genes every gene is in the pool. */
static int pool_bins(const dorm_scorer_t *sc, const double *mean, int32_t *bin, uint8_t *pool,
                     dorm_err_t *err)
{
    int64_t G = sc->n_genes, n = 0;
    int nb = sc->opts.n_bins;
    for (int64_t g = 0; g < G; g++)
        n += pool[g] = !dorm_scorer_in_union(sc, (int32_t)g);
    if (n < 2) { /* no variance outside the sets: every gene */
        memset(pool, 1, (size_t)(G > 0 ? G : 0));
        n = G;
    }
    if (nb > n / MIN_BIN_GENES) /* a small universe: fewer, fuller bins */
        nb = n / MIN_BIN_GENES > 1 ? (int)(n / MIN_BIN_GENES) : 1;
    if (n == G)
        return dorm_module_bins(mean, G, nb, bin, err);
    double *pm = malloc((size_t)n * sizeof *pm), *lo = malloc((size_t)nb * sizeof *lo);
    int32_t *pb = malloc((size_t)n * sizeof *pb);
    int rc = 0;
    if (!pm || !pb || !lo) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (int64_t g = 0, k = 0; g < G; g++)
        if (pool[g])
            pm[k++] = mean[g];
    if ((rc = dorm_module_bins(pm, n, nb, pb, err)) < 0)
        goto done;
    for (int b = 0; b < nb; b++)
        lo[b] = INFINITY;
    for (int64_t k = 0; k < n; k++)
        if (pm[k] < lo[pb[k]])
            lo[pb[k]] = pm[k];
    for (int64_t g = 0, k = 0; g < G; g++) {
        if (pool[g]) {
            bin[g] = pb[k++];
            continue;
        }
        int b = 0; /* the highest non-empty bin whose lowest mean is at most this one */
        for (int c = 1; c < nb; c++)
            if (lo[c] <= mean[g] && mean[g] > 0)
                b = c;
        while (b > 0 && isinf(lo[b]))
            b--;
        while (b < nb - 1 && isinf(lo[b])) /* below every pool gene: the lowest non-empty bin */
            b++;
        bin[g] = b;
    }
done:
    free(pm);
    free(pb);
    free(lo);
    return rc;
}

/* Centred null: keeps mean as sc->centre (on success), the pool bins' mean
 * of the gene means and of their squares, and each part's members' mean. */
static int centre_weights(dorm_scorer_t *sc, const dorm_score_set_t *sets, double *mean,
                          const int32_t *bin, const uint8_t *pool, const int64_t *bin_size,
                          dorm_err_t *err)
{
    int nb = sc->opts.n_bins, np = sc->n_parts, S = sc->n_sets;
    sc->bin_centre = calloc((size_t)(2 * nb), sizeof *sc->bin_centre);
    sc->part_centre = calloc((size_t)(np ? np : 1), sizeof *sc->part_centre);
    sc->tally_mu = calloc((size_t)(nb + 1) * DORM_SMALL_COUNTS, sizeof *sc->tally_mu);
    if (!sc->bin_centre || !sc->part_centre || !sc->tally_mu)
        return dorm_err_nomem(err);
    for (int64_t g = 0; g < sc->n_genes; g++) {
        if (!pool[g])
            continue;
        sc->bin_centre[bin[g]] += mean[g];
        sc->bin_centre[nb + bin[g]] += mean[g] * mean[g];
    }
    for (int b = 0; b < nb; b++)
        if (bin_size[b] > 0) {
            sc->bin_centre[b] /= (double)bin_size[b];
            sc->bin_centre[nb + b] /= (double)bin_size[b];
        }
    for (int p = 0; p < np; p++) {
        const dorm_match_t *m = sets[p % S].match;
        int sign = p < S ? 1 : -1, n = 0;
        double sum = 0;
        for (int i = 0; i < m->n_found; i++)
            if (m->sign[i] == sign) {
                sum += mean[m->gene[i]];
                n++;
            }
        sc->part_centre[p] = n ? sum / n : 0;
    }
    sc->centre = mean;
    return 0;
}

/* Whether the null draws from every gene (the uncentred, Seurat null). */
static int pool_is_all(const dorm_scorer_t *sc) { return !sc->opts.centred; }

int dorm_module_weights(dorm_scorer_t *sc, const dorm_score_set_t *sets,
                        const dorm_gene_means_t *means, dorm_err_t *err)
{
    int64_t G = sc->n_genes;
    int nb = sc->opts.n_bins, np = sc->n_parts, S = sc->n_sets;
    double *mean = malloc((size_t)(G ? G : 1) * sizeof *mean);
    int32_t *bin = malloc((size_t)(G ? G : 1) * sizeof *bin);
    int64_t *bin_size = calloc((size_t)nb, sizeof *bin_size);
    int *hits_all = calloc((size_t)nb * (size_t)(np ? np : 1), sizeof *hits_all);
    sc->part_bin_var = calloc((size_t)nb * (size_t)(np ? np : 1), sizeof *sc->part_bin_var);
    sc->bin_moments = calloc((size_t)(4 * nb), sizeof *sc->bin_moments); /* centred: 4 */
    double *w = calloc((size_t)nb, sizeof *w);
    sc->ctrl_w = calloc((size_t)nb * (size_t)(np ? np : 1), sizeof *sc->ctrl_w);
    /* centred: one more row of tallies for the genes outside the pool */
    sc->tally = calloc((size_t)(nb + 1) * DORM_SMALL_COUNTS, sizeof *sc->tally);
    uint8_t *pool = malloc((size_t)(G ? G : 1));
    int rc = 0;
    if (!mean || !bin || !bin_size || !hits_all || !w || !sc->ctrl_w || !sc->tally ||
        !sc->part_bin_var || !sc->bin_moments || !pool) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (int64_t g = 0; g < G; g++)
        mean[g] = means->n_cells ? means->sum[g] / (double)means->n_cells : 0;
    if (sc->opts.centred)
        rc = pool_bins(sc, mean, bin, pool, err);
    else
        rc = dorm_module_bins(mean, G, nb, bin, err);
    if (rc < 0)
        goto done;
    if (!sc->opts.centred)
        memset(pool, 1, (size_t)G);
    for (int64_t g = 0; g < G; g++)
        bin_size[bin[g]] += pool[g];
    if (sc->opts.centred && (rc = centre_weights(sc, sets, mean, bin, pool, bin_size, err)) < 0)
        goto done;
    for (int p = 0; p < np; p++) {
        const dorm_score_set_t *set = &sets[p % S];
        int sign = p < S ? 1 : -1;
        int n_ctrl = set->n_ctrl > 0 ? set->n_ctrl : sc->opts.n_ctrl;
        int *hits = hits_all + (size_t)p * (size_t)nb;
        for (int i = 0; i < set->match->n_found; i++)
            if (set->match->sign[i] == sign)
                hits[bin[set->match->gene[i]]]++;
        for (int b = 0; b < nb; b++) { /* k_b (N_b - k_b) / (N_b - 1), the null's variance factor */
            double N = (double)bin_size[b];
            if (hits[b] && N > hits[b])
                sc->part_bin_var[(size_t)p * (size_t)nb + (size_t)b] = hits[b] * (N - hits[b]) / (N - 1);
            else if (hits[b] && !pool_is_all(sc)) /* more members than pool genes: with
                                                      replacement; fewer than 2: no null */
                sc->part_bin_var[(size_t)p * (size_t)nb + (size_t)b] = N >= 2 ? hits[b] : NAN;
        }
        double total = 0;
        for (int b = 0; b < nb; b++)
            total += w[b] = dorm_module_bin_weight(bin_size[b], hits[b], n_ctrl);
        if (total <= 0)
            continue;
        for (int b = 0; b < nb; b++)
            if (bin_size[b] > 0)
                sc->ctrl_w[(size_t)b * (size_t)np + (size_t)p] = w[b] / (double)bin_size[b] / total;
    }
    for (int64_t g = 0; g < G; g++) /* genes outside the pool tally in the extra row */
        bin[g] = (pool[g] ? bin[g] : nb) * DORM_SMALL_COUNTS;
    sc->gene_row = bin;
    sc->bin_size = bin_size;
    sc->part_bin_hits = hits_all;
    bin = NULL;
    bin_size = NULL;
    hits_all = NULL;
done:
    free(pool);
    if (!sc->centre)
        free(mean);
    free(bin);
    free(bin_size);
    free(hits_all);
    free(w);
    return rc;
}

/* A cell's mean and (positive part of the) variance of normalised
 * expression in each bin, from its per-bin sums and sums of squares, as
 * they are (raw) or, when centred and not raw, of the deviations from the
 * gene means. */
static void bin_moments(const dorm_scorer_t *sc, const double *bin_stat, int raw, double *mu,
                        double *v)
{
    int nb = sc->opts.n_bins;
    for (int b = 0; b < nb; b++) {
        double N = (double)sc->bin_size[b];
        mu[b] = bin_stat[b] / N;
        double second = bin_stat[nb + b] / N;
        if (sc->centre && !raw) {
            second += sc->bin_centre[nb + b] - 2 * bin_stat[2 * nb + b] / N;
            mu[b] -= sc->bin_centre[b];
        }
        double var = second - mu[b] * mu[b];
        v[b] = var > 0 ? var : 0;
    }
}

/* z of a part's observed member mean against expression-matched random
 * sets, from the cell's bin moments (mu, v); *dev and *var get the
 * observed mean minus its null expectation and the null variance. */
static double part_z(const dorm_scorer_t *sc, int part, const double *mu, const double *v,
                     double observed, double *dev, double *var_out)
{
    int nb = sc->opts.n_bins, n = sc->found[part];
    *dev = *var_out = NAN;
    if (n == 0)
        return NAN;
    const int *hits = sc->part_bin_hits + (size_t)part * (size_t)nb;
    const double *hv = sc->part_bin_var + (size_t)part * (size_t)nb;
    double mean = 0, var = 0;
    for (int b = 0; b < nb; b++) {
        if (!hits[b])
            continue; /* (an empty bin has no hits: its mu is never used) */
        mean += hits[b] * mu[b];
        var += hv[b] * v[b];
    }
    mean /= n;
    var /= (double)n * n;
    if (isnan(mean) || isnan(var))
        return NAN; /* (a bin without enough genes to draw from) */
    *dev = observed - mean;
    *var_out = var > 0 ? var : 0;
    if (var <= 0)
        return observed > mean ? DORM_Z_MAX : observed < mean ? -DORM_Z_MAX : 0;
    double z = (observed - mean) / sqrt(var);
    return z > DORM_Z_MAX ? DORM_Z_MAX : z < -DORM_Z_MAX ? -DORM_Z_MAX : z;
}

/* One cell's member sums (mrow, n_parts) and per-bin sums and sums of
 * squares of normalised values (bs[b], bs[nb + b]) and, centred, of values
 * times gene means (bs[2 nb + b]).  Small integer counts,
 * the bulk of a count matrix, are tallied per bin and count and normalised
 * once per distinct count; other values and the members' one at a time, in
 * the cell's gene order.  count: the values as counts, or NULL (the same
 * sums, without converting each value). */
static void cell_sums(dorm_scorer_t *sc, const int32_t *gene, const double *value,
                      const uint32_t *count, int64_t n, double *mrow, double *bs)
{
    int nb = sc->opts.n_bins, np = sc->n_parts;
    int32_t *tally = sc->tally, *other = sc->pick, *member = sc->pick + sc->nnz_cap;
    const int32_t *gene_row = sc->gene_row;
    const double *centre = sc->centre;
    double *tally_mu = sc->tally_mu;
    int64_t n_other = 0, n_member = 0;
    uint8_t seen[DORM_SMALL_COUNTS] = {0}; /* the small counts present */
    double total = 0;
    if (count) {
        int64_t sum = 0; /* exact, as the double sum of these integers is */
        for (int64_t i = 0; i < n; i++) {
            uint32_t c = count[i];
            int32_t g = gene[i];
            sum += c;
            if (c < DORM_SMALL_COUNTS) {
                tally[gene_row[g] + (int32_t)c]++;
                if (centre)
                    tally_mu[gene_row[g] + (int32_t)c] += centre[g];
                seen[c] = 1;
            } else {
                other[n_other++] = (int32_t)i;
            }
            member[n_member] = (int32_t)i;
            n_member += dorm_scorer_in_union(sc, g);
        }
        total = (double)sum;
    } else {
        for (int64_t i = 0; i < n; i++) {
            double v = value[i];
            int32_t g = gene[i];
            total += v;
            int c = dorm_small_count(v);
            if (c >= 0) {
                tally[gene_row[g] + c]++;
                if (centre)
                    tally_mu[gene_row[g] + c] += centre[g];
                seen[c] = 1;
            } else {
                other[n_other++] = (int32_t)i;
            }
            if (dorm_scorer_in_union(sc, g))
                member[n_member++] = (int32_t)i;
        }
    }
    dorm_norm_cache_t nc;
    dorm_norm_cache_init(&nc, &sc->opts, total);
    memset(bs, 0, (size_t)((centre ? 3 : 2) * nb) * sizeof *bs);
    for (int c = 0; c < DORM_SMALL_COUNTS; c++) {
        if (!seen[c])
            continue;
        double x = dorm_norm_cached(&nc, c), x2 = x * x;
        int32_t *t = tally + c;
        for (int b = 0; b < nb; b++) {
            int32_t k = t[b * DORM_SMALL_COUNTS];
            bs[b] += k * x;
            bs[nb + b] += k * x2;
            t[b * DORM_SMALL_COUNTS] = 0;
        }
        if (centre) {
            for (int b = 0; b < nb; b++) {
                bs[2 * nb + b] += x * tally_mu[b * DORM_SMALL_COUNTS + c];
                tally_mu[b * DORM_SMALL_COUNTS + c] = 0;
            }
            t[nb * DORM_SMALL_COUNTS] = 0; /* (the genes outside the pool) */
            tally_mu[nb * DORM_SMALL_COUNTS + c] = 0;
        }
    }
    for (int64_t k = 0; k < n_other; k++) {
        double x = dorm_norm_cached(&nc, value[other[k]]);
        int32_t g = gene[other[k]], b = gene_row[g] / DORM_SMALL_COUNTS;
        if (b == nb)
            continue; /* outside the pool */
        bs[b] += x;
        bs[nb + b] += x * x;
        if (centre)
            bs[2 * nb + b] += x * centre[g];
    }
    memset(mrow, 0, (size_t)np * sizeof *mrow);
    for (int64_t k = 0; k < n_member; k++) {
        int64_t i = member[k];
        /* every small count of the cell is in the cache by now */
        double x = count && count[i] < DORM_SMALL_COUNTS ? nc.x[count[i]]
                                                         : dorm_norm_cached(&nc, value[i]);
        int32_t u = sc->union_of[gene[i]];
        for (int q = sc->part_ptr[u]; q < sc->part_ptr[u + 1]; q++)
            mrow[sc->part_of[q]] += x;
    }
}

int dorm_module_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z,
                      double *p)
{
    int64_t nc = ch->n_cells;
    int np = sc->n_parts, S = sc->n_sets, nb = sc->opts.n_bins;
    double *ctrl = sc->prod + (size_t)nc * (size_t)np;
    /* Per cell, in the cell's gene order: results never depend on the chunk. */
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = ch->col_ptr[c];
        double *mrow = sc->prod + (size_t)c * (size_t)np, *crow = ctrl + (size_t)c * (size_t)np;
        double *bs = sc->bin_stat + (size_t)c * 3 * (size_t)nb;
        cell_sums(sc, ch->gene + a, ch->value + a, ch->count ? ch->count + a : NULL,
                  ch->col_ptr[c + 1] - a, mrow, bs);
        for (int q = 0; q < np; q++) /* member sums -> means (unexpressed members add 0) */
            mrow[q] = sc->found[q] ? mrow[q] / sc->found[q] : 0;
        /* Every gene of a bin has the same control weight: weight the bin sums. */
        memset(crow, 0, (size_t)np * sizeof *crow);
        for (int b = 0; b < nb; b++) {
            const double *wb = sc->ctrl_w + (size_t)b * (size_t)np;
            for (int q = 0; q < np; q++)
                crow[q] += bs[b] * wb[q];
        }
    }
    for (int64_t c = 0; c < nc; c++) {
        const double *mrow = sc->prod + (size_t)c * (size_t)np, *crow = ctrl + (size_t)c * (size_t)np;
        const double *bs = sc->bin_stat + (size_t)c * 3 * (size_t)nb;
        double *mu = sc->bin_moments, *var = sc->bin_moments + nb;
        double *mu_x = sc->bin_moments + 2 * nb, *var_x = sc->bin_moments + 3 * nb;
        bin_moments(sc, bs, 0, mu, var);
        if (sc->zabs)
            bin_moments(sc, bs, 1, mu_x, var_x);
        for (int s = 0; s < S; s++) {
            int up = s, dn = S + s;
            double v = NAN;
            if (sc->found[up] || sc->found[dn]) {
                v = 0;
                if (sc->found[up])
                    v += mrow[up] - crow[up];
                if (sc->found[dn])
                    v -= mrow[dn] - crow[dn];
            }
            size_t at = (size_t)c * (size_t)S + (size_t)s;
            score[at] = v;
            double obs_up = mrow[up], obs_dn = mrow[dn];
            if (sc->centre) { /* the members' mean deviation */
                obs_up -= sc->part_centre[up];
                obs_dn -= sc->part_centre[dn];
            }
            double d_up, v_up, d_dn, v_dn;
            double z_up = part_z(sc, up, mu, var, obs_up, &d_up, &v_up);
            double z_dn = part_z(sc, dn, mu, var, obs_dn, &d_dn, &v_dn);
            z[at] = dorm_signed_z(z_up, sc->found[up] > 0, z_dn, sc->found[dn] > 0);
            p[at] = dorm_norm_sf(z[at]);
            if (sc->dev) { /* the up part's excess minus the down part's, and its variance */
                int hu = sc->found[up] > 0, hd = sc->found[dn] > 0;
                sc->dev[at] = !hu && !hd ? NAN : (hu ? d_up : 0) - (hd ? d_dn : 0);
                sc->var[at] = !hu && !hd ? NAN : (hu ? v_up : 0) + (hd ? v_dn : 0);
            }
            if (sc->zabs) /* the values themselves against the same pool bins */
                sc->zabs[at] = dorm_signed_z(part_z(sc, up, mu_x, var_x, mrow[up], &d_up, &v_up),
                                             sc->found[up] > 0,
                                             part_z(sc, dn, mu_x, var_x, mrow[dn], &d_dn, &v_dn),
                                             sc->found[dn] > 0);
        }
    }
    return 0;
}
