/* qc.c -- per-cell QC metrics from the shipped mitochondrial and ribosomal
 * protein gene lists. */
#include <math.h>
#include <stdlib.h>

#include "dormscan/classify.h"

void dorm_qc_limits_default(dorm_qc_limits_t *l)
{
    l->min_genes = 200;
    l->min_umis = 0;
    l->max_mito = 20;
}

int dorm_qc_is_low(const dorm_qc_t *qc, const dorm_qc_limits_t *l)
{
    return qc->n_genes < l->min_genes || qc->n_umi < l->min_umis ||
           (!isnan(qc->pct_mito) && qc->pct_mito > l->max_mito);
}

int dorm_qc_flags(const dorm_features_t *f, uint8_t **flags, int64_t *n_mito, int64_t *n_ribo,
                  dorm_err_t *err)
{
    *flags = NULL;
    *n_mito = *n_ribo = 0;
    dorm_geneset_list_t qc;
    dorm_geneset_list_init(&qc);
    dorm_gene_index_t *ix = NULL;
    uint8_t *fl = calloc((size_t)(f->n ? f->n : 1), 1);
    int rc = fl ? 0 : dorm_err_nomem(err);
    if (rc == 0)
        rc = dorm_panel_load(&qc, "qc", err);
    if (rc == 0)
        rc = dorm_gene_index_build(&ix, f, 1, err);
    static const struct {
        const char *set;
        uint8_t bit;
    } kinds[] = {{"qc_mito", DORM_QC_MITO}, {"qc_ribo", DORM_QC_RIBO}};
    for (int k = 0; k < 2 && rc == 0; k++) {
        const dorm_geneset_t *s = dorm_geneset_find(&qc, kinds[k].set);
        for (int i = 0; s && i < s->n_genes; i++) {
            int64_t g = dorm_gene_index_lookup(ix, s->genes[i]);
            if (g >= 0 && !(fl[g] & kinds[k].bit)) {
                fl[g] |= kinds[k].bit;
                ++*(kinds[k].bit == DORM_QC_MITO ? n_mito : n_ribo);
            }
        }
    }
    dorm_gene_index_destroy(ix);
    dorm_geneset_list_destroy(&qc);
    if (rc < 0) {
        free(fl);
        *n_mito = *n_ribo = 0;
        return rc;
    }
    *flags = fl;
    return 0;
}

void dorm_qc_cell(const int32_t *gene, const double *value, const uint32_t *count, int64_t n,
                  const uint8_t *flags, int has_mito, int has_ribo, dorm_qc_t *qc)
{
    double total = 0, mito = 0, ribo = 0;
    if (count) { /* integer sums: what the double sums of these values are */
        int64_t t = 0, m = 0, r = 0;
        for (int64_t i = 0; i < n; i++) {
            uint8_t f = flags[gene[i]];
            t += count[i];
            m += f & DORM_QC_MITO ? count[i] : 0;
            r += f & DORM_QC_RIBO ? count[i] : 0;
        }
        total = (double)t, mito = (double)m, ribo = (double)r;
    } else {
        for (int64_t i = 0; i < n; i++) {
            total += value[i];
            uint8_t f = flags[gene[i]];
            if (f & DORM_QC_MITO)
                mito += value[i];
            if (f & DORM_QC_RIBO)
                ribo += value[i];
        }
    }
    qc->n_umi = total;
    qc->n_genes = n;
    qc->pct_mito = has_mito ? (total > 0 ? 100.0 * mito / total : 0) : NAN;
    qc->pct_ribo = has_ribo ? (total > 0 ? 100.0 * ribo / total : 0) : NAN;
}
