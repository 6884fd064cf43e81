/* module.c -- the parts of Seurat's AddModuleScore that need the whole
 * dataset: LogNormalize, gene means, expression bins and control weights.
 *
 * Bins follow Seurat: cut_number(mean + rnorm/1e30, nbin), i.e. R quantile
 * type 7 breaks and intervals closed on the left.  The 1e-30 jitter only
 * separates genes whose mean is exactly zero; those are placed by position
 * (in gene order) as the jitter would place them in some draw. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/score.h"
#include "score_internal.h"

void dorm_score_opts_default(dorm_score_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->method = DORM_METHOD_UCELL;
    o->max_rank = 1500;
    o->n_bins = 24;
    o->n_ctrl = 100;
    o->scale_factor = 1e4;
}

double dorm_norm_factor(const dorm_score_opts_t *opts, double total)
{
    return opts->normalized || total <= 0 ? 0 : opts->scale_factor / total;
}

void dorm_normalize_cell(const dorm_score_opts_t *opts, const double *value, double *out,
                         int64_t n)
{
    dorm_norm_cache_t nc;
    dorm_norm_cache_init(&nc, opts, dorm_cell_total(opts, value, n));
    if (nc.f == 0) {
        if (out != value && n > 0)
            memmove(out, value, (size_t)n * sizeof *out);
        return;
    }
    for (int64_t i = 0; i < n; i++)
        out[i] = dorm_norm_cached(&nc, value[i]);
}

int dorm_gene_means_init(dorm_gene_means_t *m, int64_t n_genes, dorm_err_t *err)
{
    memset(m, 0, sizeof *m);
    m->sum = calloc((size_t)(n_genes ? n_genes : 1), sizeof *m->sum);
    if (!m->sum)
        return dorm_err_nomem(err);
    m->n_genes = n_genes;
    return 0;
}

int dorm_gene_means_add(dorm_gene_means_t *m, const dorm_score_opts_t *opts,
                        const dorm_chunk_t *ch, dorm_err_t *err)
{
    return dorm_gene_means_add_cells(m, opts, ch, NULL, NULL, err);
}

/* sum[g] through the optional map. */
#define SUM_AT(g) m->sum[map ? map[g] : (g)]

int dorm_gene_means_add_cells(dorm_gene_means_t *m, const dorm_score_opts_t *opts,
                              const dorm_chunk_t *ch, const uint8_t *use, const int64_t *map,
                              dorm_err_t *err)
{
    (void)err;
    for (int64_t c = 0; c < ch->n_cells; c++) {
        if (use && !use[c])
            continue;
        m->n_cells++;
        int64_t a = ch->col_ptr[c], n = ch->col_ptr[c + 1] - a;
        const double *value = ch->value + a;
        const int32_t *gene = ch->gene + a;
        dorm_norm_cache_t nc;
        if (ch->count && !opts->normalized) { /* the same sums without converting values */
            const uint32_t *count = ch->count + a;
            int64_t total = 0;
            uint64_t present = 0;
            for (int64_t i = 0; i < n; i++) {
                total += count[i];
                present |= (uint64_t)(count[i] < DORM_SMALL_COUNTS) << (count[i] & 63);
            }
            dorm_norm_cache_init(&nc, opts, (double)total);
            dorm_norm_cache_fill(&nc, present);
            for (int64_t i = 0; i < n; i++)
                SUM_AT(gene[i]) += count[i] < DORM_SMALL_COUNTS
                                       ? nc.x[count[i]]
                                       : dorm_norm_value(nc.f, (double)count[i]);
            continue;
        }
        dorm_norm_cache_init(&nc, opts, dorm_cell_total(opts, value, n));
        for (int64_t i = 0; i < n; i++)
            SUM_AT(gene[i]) += dorm_norm_cached(&nc, value[i]);
    }
    return 0;
}
#undef SUM_AT

void dorm_gene_means_destroy(dorm_gene_means_t *m)
{
    if (!m)
        return;
    free(m->sum);
    memset(m, 0, sizeof *m);
}

typedef dorm_keyed_t keyed_t;

static int cmp_asc(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int dorm_module_bins(const double *mean, int64_t n, int n_bins, int32_t *bin, dorm_err_t *err)
{
    if (n == 0)
        return 0;
    keyed_t *k = malloc((size_t)n * sizeof *k);
    double *q = malloc((size_t)(n_bins + 1) * sizeof *q);
    int64_t *pos_cut = malloc((size_t)(n_bins + 1) * sizeof *pos_cut);
    if (!k || !q || !pos_cut) {
        free(k);
        free(q);
        free(pos_cut);
        return dorm_err_nomem(err);
    }
    for (int64_t i = 0; i < n; i++)
        k[i] = (keyed_t){mean[i], i};
    qsort(k, (size_t)n, sizeof *k, cmp_asc);
    /* R: probs = seq(0, 1, length.out = nbin + 1); index = 1 + (n - 1) * p. */
    double by = 1.0 / n_bins;
    for (int b = 0; b <= n_bins; b++) {
        double index = 1.0 + (double)(n - 1) * (b * by);
        int64_t lo = (int64_t)floor(index), hi = (int64_t)ceil(index);
        if (hi > n)
            hi = n;
        double h = index - (double)lo;
        double xlo = k[lo - 1].v, xhi = k[hi - 1].v;
        q[b] = (index > (double)lo && xhi != xlo) ? (1 - h) * xlo + h * xhi : xlo;
        pos_cut[b] = hi; /* 1-based position from which the jittered value is >= q */
    }
    for (int64_t p = 0; p < n; p++) {
        int b = 0;
        if (k[p].v == 0.0) {
            while (b + 1 < n_bins && p + 1 >= pos_cut[b + 1])
                b++;
        } else {
            while (b + 1 < n_bins && k[p].v >= q[b + 1])
                b++;
        }
        bin[k[p].i] = b;
    }
    free(k);
    free(q);
    free(pos_cut);
    return 0;
}

double dorm_module_bin_weight(int64_t n_bin, int k, int n_ctrl)
{
    if (k <= 0 || n_bin <= 0)
        return 0;
    if (n_ctrl >= n_bin)
        return (double)n_bin;
    return (double)n_bin * (1.0 - pow(1.0 - (double)n_ctrl / (double)n_bin, k));
}
