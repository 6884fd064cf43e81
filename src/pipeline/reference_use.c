/* reference_use.c -- building a reference's gene means, checking and
 * scoring against a reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/sha256.h"
#include "dormscan/h5ad.h"
#include "dormscan/log.h"
#include "reference_use_internal.h"

int dorm_obsmap_load(obsmap_t *om, const char *path, const char *format, const char *column,
                const char *option, dorm_err_t *err)
{
    memset(om, 0, sizeof *om);
    dorm_strmap_init(&om->map);
    if (strcmp(format, "h5ad") != 0)
        return dorm_err_set(err, DORM_E_USAGE, "%s: %s reads obs columns of h5ad inputs, not %s",
                            path, option, format);
    int rc = dorm_h5ad_obs_column(path, column, &om->barcodes, &om->values, &om->n, err);
    for (int64_t i = 0; rc == 0 && i < om->n; i++)
        if (dorm_strmap_put(&om->map, om->barcodes[i], i) < 0)
            rc = dorm_err_nomem(err);
    return rc;
}

void dorm_obsmap_free(obsmap_t *om)
{
    dorm_strmap_destroy(&om->map);
    for (int64_t i = 0; i < om->n; i++) {
        free(om->values[i]);
        free(om->barcodes[i]);
    }
    free(om->values);
    free(om->barcodes);
    memset(om, 0, sizeof *om);
}

void dorm_typesrc_column(typesrc_t *ts, const char *col)
{
    ts->col = -1;
    for (int c = 0; ts->meta && c < ts->meta->n_cols; c++)
        if (strcmp(ts->meta->col_names[c], col) == 0)
            ts->col = c;
}

const char *dorm_typesrc_get(const typesrc_t *ts, const char *barcode)
{
    if (ts->col >= 0)
        return dorm_cellmeta_group(ts->meta, barcode, ts->col);
    if (ts->obs) {
        int64_t k = dorm_strmap_get(ts->obs, barcode);
        return k >= 0 ? ts->obs_values[k] : NULL;
    }
    return NULL;
}

/* A new population named name (its sums zero). */
static int add_pop(popmeans_t *pm, const char *name, dorm_err_t *err)
{
    if (dorm_text_breaks_table(name))
        return dorm_err_set(err, DORM_E_FORMAT, "cell type '%s' holds a tab or line break, which "
                            "a reference file cannot name", name);
    if (pm->n > 0 && strcmp(name, "all") == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "a cell type is named 'all', the name of the "
                            "population of every reference cell: rename it");
    char **names = realloc(pm->names, (size_t)(pm->n + 1) * sizeof *names);
    if (!names)
        return dorm_err_nomem(err);
    pm->names = names;
    dorm_gene_means_t *m = realloc(pm->m, (size_t)(pm->n + 1) * sizeof *m);
    if (!m)
        return dorm_err_nomem(err);
    pm->m = m;
    if (!(pm->names[pm->n] = strdup(name)))
        return dorm_err_nomem(err);
    int rc = dorm_gene_means_init(&pm->m[pm->n], pm->n_genes, err);
    if (rc < 0) {
        free(pm->names[pm->n]);
        return rc;
    }
    if (pm->n > 0 && dorm_strmap_put(&pm->index, name, pm->n) < 0) {
        dorm_gene_means_destroy(&pm->m[pm->n]);
        free(pm->names[pm->n]);
        return dorm_err_nomem(err);
    }
    pm->n++;
    return 0;
}

void dorm_reference_cells(const refcells_t *rc, const dorm_chunk_t *ch, uint8_t *eligible,
                     const char **type)
{
    for (int64_t c = 0; c < ch->n_cells; c++) {
        int64_t a = ch->col_ptr[c];
        dorm_qc_t qc;
        dorm_qc_cell(ch->gene + a, ch->value + a, ch->count ? ch->count + a : NULL,
                     ch->col_ptr[c + 1] - a, rc->qc_flags, rc->has_mito, rc->has_ribo, &qc);
        eligible[c] = dorm_cellmeta_baseline(rc->meta, ch->barcodes[c], rc->sample) &&
                      !dorm_qc_is_low(&qc, rc->limits);
        type[c] = rc->types ? dorm_typesrc_get(rc->types, ch->barcodes[c]) : NULL;
    }
}

int dorm_reference_check_baseline(const dorm_reference_t *ref, const char *baseline, dorm_err_t *err)
{
    if (!baseline || ref->pop_cells[0] > 0)
        return 0;
    return dorm_err_set(err, DORM_E_FORMAT, "--baseline %s: no cell of the inputs is a baseline "
                        "cell that passes the QC, so there is no reference", baseline);
}

int dorm_popmeans_init(popmeans_t *pm, int64_t n_genes, int with_types, dorm_err_t *err)
{
    memset(pm, 0, sizeof *pm);
    pm->n_genes = n_genes;
    pm->with_types = with_types;
    dorm_strmap_init(&pm->index);
    int rc = add_pop(pm, "all", err);
    if (rc < 0)
        dorm_popmeans_free(pm);
    return rc;
}

int dorm_popmeans_add(popmeans_t *pm, const dorm_score_opts_t *opts, const dorm_chunk_t *ch,
                 const uint8_t *eligible, const char *const *type, const int64_t *map,
                 dorm_err_t *err)
{
    int rc = dorm_gene_means_add_cells(&pm->m[0], opts, ch, eligible, map, err);
    if (rc < 0 || !pm->with_types)
        return rc;
    if (ch->n_cells > pm->cap) {
        uint8_t *u = realloc(pm->use, (size_t)ch->n_cells);
        if (u)
            pm->use = u;
        int32_t *p = u ? realloc(pm->pop, (size_t)ch->n_cells * sizeof *p) : NULL;
        if (!p)
            return dorm_err_nomem(err);
        pm->pop = p;
        pm->cap = ch->n_cells;
    }
    /* each cell's population, new types added in order of first appearance */
    for (int64_t c = 0; c < ch->n_cells; c++) {
        pm->pop[c] = -1;
        if (!eligible[c])
            continue;
        const char *t = type[c] ? type[c] : "NA";
        int64_t p = dorm_strmap_get(&pm->index, t);
        if (p < 0) {
            if ((rc = add_pop(pm, t, err)) < 0)
                return rc;
            p = pm->n - 1;
        }
        pm->pop[c] = (int32_t)p;
    }
    for (int p = 1; p < pm->n; p++) {
        int any = 0;
        for (int64_t c = 0; c < ch->n_cells; c++)
            any |= pm->use[c] = pm->pop[c] == p;
        if (any && (rc = dorm_gene_means_add_cells(&pm->m[p], opts, ch, pm->use, map, err)) < 0)
            return rc;
    }
    return 0;
}

int dorm_popmeans_grow(popmeans_t *pm, int64_t n_genes, dorm_err_t *err)
{
    for (int p = 0; p < pm->n && n_genes > pm->n_genes; p++) {
        double *sum = realloc(pm->m[p].sum, (size_t)n_genes * sizeof *sum);
        if (!sum)
            return dorm_err_nomem(err);
        memset(sum + pm->n_genes, 0, (size_t)(n_genes - pm->n_genes) * sizeof *sum);
        pm->m[p].sum = sum;
        pm->m[p].n_genes = n_genes;
    }
    if (n_genes > pm->n_genes)
        pm->n_genes = n_genes;
    return 0;
}

int dorm_popmeans_reference(const popmeans_t *pm, char *const *ids, char *const *names,
                       dorm_reference_t **out, dorm_err_t *err)
{
    int rc = dorm_reference_new(out, pm->n_genes, ids, names, pm->n, pm->names, err);
    if (rc < 0)
        return rc;
    dorm_reference_t *r = *out;
    for (int p = 0; p < pm->n; p++) {
        double *mean = r->means + (size_t)p * (size_t)r->n_genes;
        int64_t n = pm->m[p].n_cells;
        r->pop_cells[p] = n;
        for (int64_t g = 0; g < r->n_genes; g++)
            mean[g] = n ? pm->m[p].sum[g] / (double)n : 0;
    }
    return 0;
}

void dorm_popmeans_free(popmeans_t *pm)
{
    for (int p = 0; p < pm->n; p++) {
        free(pm->names[p]);
        dorm_gene_means_destroy(&pm->m[p]);
    }
    free(pm->names);
    free(pm->m);
    free(pm->use);
    free(pm->pop);
    dorm_strmap_destroy(&pm->index);
    memset(pm, 0, sizeof *pm);
}

void dorm_reference_panel_hash(const run_sets_t *rs, char hex[65])
{
    dorm_sha256_t h;
    dorm_sha256_init(&h);
    static const char method[] = "classifier: module null centred on reference means, "
                                 "baselines median and 1.4826 MAD\n";
    dorm_sha256_update(&h, method, sizeof method - 1);
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    for (int i = 0; i < n_comp; i++) {
        char line[256];
        int n = snprintf(line, sizeof line, "%s\t%s\t%d\n", comp[i].name,
                         dorm_evidence_name(comp[i].evidence), comp[i].sign);
        dorm_sha256_update(&h, line, (size_t)n);
        const dorm_geneset_t *s = dorm_geneset_find(&rs->internal, comp[i].name);
        for (int g = 0; s && g < s->n_genes; g++) {
            dorm_sha256_update(&h, s->genes[g], strlen(s->genes[g]));
            dorm_sha256_update(&h, s->sign && s->sign[g] < 0 ? "-\n" : "\n", s->sign && s->sign[g] < 0 ? 2 : 1);
        }
    }
    dorm_sha256_final_hex(&h, hex);
}

int dorm_reference_check(const dorm_reference_t *ref, const char *what, const run_sets_t *rs,
                    const dorm_features_t *f, const dorm_score_opts_t *opts, const char *sample,
                    dorm_err_t *err)
{
    if (ref->species != rs->species)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: a reference of %s cells cannot score %s, which is %s "
                            "(--species, or a reference of the same organism)",
                            what, dorm_species_name(ref->species), sample,
                            dorm_species_name(rs->species));
    char hex[65];
    dorm_reference_panel_hash(rs, hex);
    if (strcmp(hex, ref->panel) != 0)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: made for another classifier panel (panel %.12s, this dormscan's "
                            "%.12s); build the reference again with this version",
                            what, ref->panel, hex);
    if (ref->normalized != (opts->normalized != 0))
        return dorm_err_set(err, DORM_E_FORMAT, "%s: built %s --normalized, but %s is scored %s it",
                            what, ref->normalized ? "with" : "without", sample,
                            opts->normalized ? "with" : "without");
    if (!opts->normalized && ref->scale_factor != opts->scale_factor)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: another LogNormalize scale factor", what);
    double *tmp = malloc((size_t)(f->n ? f->n : 1) * sizeof *tmp);
    if (!tmp)
        return dorm_err_nomem(err);
    int64_t missing = 0;
    dorm_reference_means_for(ref, 0, f, tmp, &missing);
    free(tmp);
    if (2 * missing > f->n)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: only %lld of the %lld genes of %s are in the reference "
                            "(another organism, annotation or gene naming)",
                            what, (long long)(f->n - missing), (long long)f->n, sample);
    if (missing > 0)
        dorm_log(DORM_LOG_WARN, "%s: %lld of its %lld genes are not in the reference %s; they "
                 "count as unexpressed there", sample, (long long)missing, (long long)f->n, what);
    return 0;
}

int dorm_reference_gene_means(const dorm_reference_t *ref, int pop, const dorm_features_t *f,
                         dorm_gene_means_t *out, dorm_err_t *err)
{
    int rc = dorm_gene_means_init(out, f->n, err);
    if (rc < 0)
        return rc;
    int64_t missing;
    dorm_reference_means_for(ref, pop, f, out->sum, &missing);
    out->n_cells = 1; /* the sums are the means */
    return 0;
}

int dorm_reference_scorers(const dorm_reference_t *ref, const dorm_features_t *f, const run_sets_t *rs,
                      const dorm_score_opts_t *opts, dorm_scorer_t ***out, dorm_err_t *err)
{
    dorm_score_opts_t co = *opts;
    co.method = DORM_METHOD_MODULE;
    co.centred = 1;
    co.n_bins = ref->n_bins;
    dorm_scorer_t **sc = calloc((size_t)ref->n_pops, sizeof *sc);
    if (!sc)
        return dorm_err_nomem(err);
    int rc = 0;
    for (int p = 0; rc == 0 && p < ref->n_pops; p++) {
        dorm_gene_means_t m;
        rc = dorm_reference_gene_means(ref, p, f, &m, err);
        if (rc == 0)
            rc = dorm_scorer_init(&sc[p], &co, f->n, 0, rs->cls_sets, rs->n_cls, &m, err);
        dorm_gene_means_destroy(&m);
    }
    if (rc < 0) {
        for (int p = 0; p < ref->n_pops; p++)
            dorm_scorer_destroy(sc[p]);
        free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

int dorm_reference_score_chunk(dorm_scorer_t **cls, int n_pops, const int32_t *pop,
                          const dorm_chunk_t *ch, int n_sets, double *const out[6],
                          dorm_err_t *err)
{
    if (!pop)
        return dorm_scorer_score_chunk_dev(cls[0], ch, out[0], out[1], out[2], out[3], out[4],
                                           out[5], err);
    for (int64_t c = 0; c < ch->n_cells; c++) {
        size_t at = (size_t)c * (size_t)n_sets;
        if (pop[c] < 0 || pop[c] >= n_pops) {
            for (int k = 0; k < 6; k++)
                for (int j = 0; j < n_sets; j++)
                    out[k][at + j] = NAN;
            continue;
        }
        dorm_chunk_t one = *ch; /* the cell alone, for its population's scorer */
        one.first_cell = ch->first_cell + c;
        one.n_cells = 1;
        one.col_ptr = ch->col_ptr + c;
        one.barcodes = ch->barcodes + c;
        int rc = dorm_scorer_score_chunk_dev(cls[pop[c]], &one, out[0] + at, out[1] + at,
                                             out[2] + at, out[3] + at, out[4] + at, out[5] + at,
                                             err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void dorm_reference_components(const run_sets_t *rs, const double *dev, const double *var,
                          const double *zabs, double *block)
{
    for (int k = 0; k < DORM_N_COMPONENTS; k++) {
        int j = rs->comp_score[k];
        block[k] = j >= 0 ? dev[j] : NAN;
        block[DORM_N_COMPONENTS + k] = j >= 0 ? var[j] : NAN;
        block[2 * DORM_N_COMPONENTS + k] = j >= 0 ? zabs[j] : NAN;
    }
}
