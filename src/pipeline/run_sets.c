/* run_sets.c -- loading, matching and coverage checks for a scoring run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "core/text.h"
#include "dormscan/log.h"
#include "dormscan/geneset_file.h"
#include "run_sets_internal.h"

static void unmatch(run_sets_t *rs)
{
    for (int i = 0; i < rs->n_match && rs->match; i++)
        dorm_match_destroy(&rs->match[i]);
    free(rs->match);
    free(rs->col_sets);
    free(rs->cls_sets);
    free(rs->out_score);
    free(rs->comp_score);
    free(rs->cov_found);
    free(rs->cov_total);
    rs->cov_found = rs->cov_total = NULL;
    rs->match = NULL;
    rs->col_sets = rs->cls_sets = NULL;
    rs->out_score = rs->comp_score = NULL;
    rs->n_match = rs->n_col = rs->n_cls = 0;
    rs->n_extra = 0;
}

void dorm_run_sets_free(run_sets_t *rs)
{
    unmatch(rs);
    free(rs->names);
    dorm_geneset_list_destroy(&rs->out);
    dorm_geneset_list_destroy(&rs->internal);
    dorm_aliases_destroy(rs->aliases);
    memset(rs, 0, sizeof *rs);
}

/* Column names the table already uses, and the suffixes set columns add. */
static int reserved_name(const char *name)
{
    static const char *const fixed[] = {"barcode", "sample", "phase", "state", "sasp",
                                        "confidence", NULL};
    for (int i = 0; fixed[i]; i++)
        if (strcmp(name, fixed[i]) == 0)
            return 1;
    return strncmp(name, "dorm_", 5) == 0 || strncmp(name, "score_", 6) == 0;
}

int dorm_run_sets_load(run_sets_t *rs, const dorm_run_opts_t *opts, dorm_err_t *err)
{
    memset(rs, 0, sizeof *rs);
    dorm_geneset_list_init(&rs->out);
    dorm_geneset_list_init(&rs->internal);
    int rc = 0;
    if (opts->n_gmt == 0)
        rc = dorm_panel_load(&rs->out, "dormancy_panel", err);
    for (int i = 0; i < opts->n_gmt && rc == 0; i++)
        rc = dorm_gmt_read(&rs->out, opts->gmt[i], err);
    if (rc == 0)
        rc = dorm_panel_load(&rs->internal, "dormancy_panel", err);
    if (rc == 0)
        rc = dorm_panel_load(&rs->internal, "qc", err);
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    char markers[2048] = "";
    for (int i = 0; i < n_comp; i++) { /* one single-gene set per marker gene */
        size_t used = strlen(markers);
        if (comp[i].is_gene && !strstr(markers, comp[i].name))
            snprintf(markers + used, sizeof markers - used, "%s\tmarker gene\t%s\n", comp[i].name,
                     comp[i].name);
    }
    if (rc == 0)
        rc = dorm_gmt_parse(&rs->internal, markers, strlen(markers), "builtin:markers", err);
    if (rc == 0)
        rc = dorm_aliases_load(&rs->aliases, err);
    if (rc < 0) {
        dorm_run_sets_free(rs);
        return rc;
    }
    rs->n_out = rs->out.n;
    rs->names = calloc((size_t)(rs->n_out ? rs->n_out : 1), sizeof *rs->names);
    if (!rs->names) {
        dorm_run_sets_free(rs);
        return dorm_err_nomem(err);
    }
    for (int i = 0; i < rs->n_out; i++) {
        rs->names[i] = rs->out.sets[i].name;
        const char *clash = NULL;
        static const char *const suffix[] = {"_z", "_p", "_fdr"};
        for (int k = 0; k < rs->out.n && !clash; k++)
            for (int x = 0; x < 3 && !clash; x++) {
                size_t n = strlen(rs->out.sets[k].name);
                if (strncmp(rs->names[i], rs->out.sets[k].name, n) == 0 &&
                    strcmp(rs->names[i] + n, suffix[x]) == 0)
                    clash = rs->out.sets[k].name;
            }
        if (clash) {
            rc = dorm_err_set(err, DORM_E_USAGE,
                              "gene set name %s clashes with the %s column of set %s", rs->names[i],
                              rs->names[i] + strlen(clash), clash);
            dorm_run_sets_free(rs);
            return rc;
        }
        if (reserved_name(rs->names[i])) {
            rc = dorm_err_set(err, DORM_E_USAGE,
                              "%s: gene set name %s clashes with a column of the cells table",
                              rs->out.sources[rs->out.sets[i].source].path, rs->names[i]);
            dorm_run_sets_free(rs);
            return rc;
        }
    }
    return 0;
}

/* Genes a set needs: max(5, 20%) by default, or ceil(min_coverage * n). */
static int required_genes(int n_total, double min_coverage)
{
    if (min_coverage >= 0) {
        int need = (int)ceil(min_coverage * n_total - 1e-9);
        return need < 1 ? 1 : need;
    }
    int need = (int)ceil(0.2 * n_total - 1e-9);
    if (need < 5)
        need = 5;
    return need > n_total ? n_total : need;
}

/* Column set i's coverage: 1 to score it, 0 to skip it (the shipped panel:
 * NA columns and a warning), <0 for an error (--gmt sets). */
static int check_coverage(const run_sets_t *rs, const dorm_run_opts_t *opts, int i,
                          const dorm_match_t *m, const char *sample, dorm_err_t *err)
{
    const dorm_geneset_t *s = &rs->out.sets[i];
    const char *src = rs->out.sources[s->source].path;
    if (!rs->quiet)
        dorm_log(DORM_LOG_INFO, "%s: coverage %s: %d/%d genes found", sample, s->name, m->n_found,
                 m->n_total);
    int need = required_genes(m->n_total, opts->min_coverage);
    if (m->n_found >= need && m->n_found > 0)
        return 1;
    if (opts->n_gmt == 0)
        return 0; /* (one warning for all such sets: warn_uncovered) */
    if (m->n_found == 0 && rs->n_out > 1) { /* the others are scored; this one is NA */
        if (!rs->quiet)
            dorm_log(DORM_LOG_WARN, "%s: gene set %s: none of its %d genes is in %s; its columns "
                     "are NA", src, s->name, m->n_total, sample);
        return 0;
    }
    if (m->n_found == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: gene set %s: none of its %d genes is in %s",
                            src, s->name, m->n_total, sample);
    return dorm_err_set(err, DORM_E_FORMAT,
                        "%s: gene set %s: %d of its %d genes found in %s, %d needed "
                        "(lower the bar with --min-coverage)",
                        src, s->name, m->n_found, m->n_total, sample, need);
}

/* One warning naming every shipped set below its coverage bar. */
static void warn_uncovered(const run_sets_t *rs, const dorm_run_opts_t *opts, const char *sample)
{
    if (rs->quiet || opts->n_gmt > 0)
        return;
    char list[2048] = "";
    size_t used = 0;
    int n = 0;
    for (int i = 0; i < rs->n_out; i++) {
        if (rs->out_score[i] >= 0)
            continue;
        const dorm_match_t *m = &rs->match[i];
        dorm_appendf(list, sizeof list, &used, "%s%s (%d of %d, %d needed)", n++ ? ", " : "",
                     rs->out.sets[i].name, m->n_found, m->n_total,
                     required_genes(m->n_total, opts->min_coverage));
    }
    if (n > 0)
        dorm_log(DORM_LOG_WARN, "%s: %d gene set%s with too few genes found, %s columns are NA: %s",
                 sample, n, n == 1 ? "" : "s", n == 1 ? "its" : "their", list);
}

/* Features that share a symbol (Cell Ranger lists some symbols under two
 * gene IDs): a set gene named by such a symbol takes the first of them. */
static void warn_repeated_symbols(const run_sets_t *rs, const char *sample)
{
    if (rs->quiet)
        return;
    int n = 0;
    const char *first = NULL;
    for (int i = 0; i < rs->n_out; i++) {
        const dorm_match_t *m = &rs->match[i];
        if (m->n_repeated && !first)
            first = m->repeated;
        n += m->n_repeated;
    }
    if (n > 0)
        dorm_log(DORM_LOG_WARN, "%s: %d gene-set members name a symbol that more than one "
                 "feature has (first: %s); each takes the first such feature (use IDs to choose)",
                 sample, n, first);
}

/* One warning when the shipped panel is barely found: the gene names are
 * most likely of another organism or in another column. */
static void warn_low_coverage(const run_sets_t *rs, const dorm_run_opts_t *opts,
                              const dorm_features_t *f, const char *sample)
{
    if (rs->quiet || opts->n_gmt > 0 || f->n == 0)
        return;
    int64_t found = 0, total = 0;
    for (int i = 0; i < rs->n_out; i++) {
        found += rs->match[i].n_found;
        total += rs->match[i].n_total;
    }
    if (total == 0 || 10 * found >= total)
        return;
    dorm_log(DORM_LOG_WARN, "%s: only %lld of the %lld genes of the panel's sets found (as %s "
             "genes; names such as '%s'): give --species if the organism is another, or "
             "--var-column (AnnData, loom) if the gene names are in another column",
             sample, (long long)found, (long long)total, dorm_species_name(rs->species),
             f->names[0]);
}

static int count_extra(run_sets_t *rs, dorm_err_t *err)
{
    dorm_strmap_t seen;
    dorm_strmap_init(&seen);
    for (int i = 0; i < rs->n_out; i++) {
        if (rs->out_score[i] < 0)
            continue;
        const dorm_match_t *m = rs->col_sets[rs->out_score[i]].match;
        for (int k = 0; k < m->n_total - m->n_found; k++) {
            int put = dorm_strmap_put(&seen, m->missing[k], 0);
            if (put < 0) {
                dorm_strmap_destroy(&seen);
                return dorm_err_nomem(err);
            }
            rs->n_extra += put;
        }
    }
    dorm_strmap_destroy(&seen);
    return 0;
}

/* Match set s and keep the match; returns its index in rs->match or <0.
 * Aliases (renamed symbols, Ensembl IDs, mouse orthologs) serve the shipped
 * sets only: a --gmt set matches exactly as written, as UCell and Seurat do. */
static int add_match(run_sets_t *rs, const dorm_geneset_t *s, const dorm_gene_index_t *ix,
                     int shipped, dorm_err_t *err)
{
    int rc = dorm_match_set(&rs->match[rs->n_match], s, ix, shipped ? rs->aliases : NULL,
                            rs->species, err);
    return rc < 0 ? rc : rs->n_match++;
}

int dorm_run_sets_match(run_sets_t *rs, const dorm_run_opts_t *opts, const dorm_features_t *f,
                   const char *sample, dorm_err_t *err)
{
    unmatch(rs);
    rs->species = opts->species_auto ? dorm_species_guess(f) : opts->species;
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    int cap = rs->n_out + n_comp + 2;
    rs->match = calloc((size_t)cap, sizeof *rs->match);
    rs->col_sets = calloc((size_t)cap, sizeof *rs->col_sets);
    rs->cls_sets = calloc((size_t)cap, sizeof *rs->cls_sets);
    rs->out_score = malloc((size_t)(rs->n_out ? rs->n_out : 1) * sizeof *rs->out_score);
    rs->comp_score = malloc((size_t)n_comp * sizeof *rs->comp_score);
    rs->cov_found = calloc((size_t)(rs->n_out + n_comp), sizeof *rs->cov_found);
    rs->cov_total = calloc((size_t)(rs->n_out + n_comp), sizeof *rs->cov_total);
    dorm_gene_index_t *ix = NULL;
    int rc = 0;
    if (!rs->match || !rs->col_sets || !rs->cls_sets || !rs->out_score || !rs->comp_score ||
        !rs->cov_found || !rs->cov_total) {
        rc = dorm_err_nomem(err);
        goto fail;
    }
    if ((rc = dorm_gene_index_build(&ix, f, 0, err)) < 0)
        goto fail;
    for (int i = 0; i < rs->n_out; i++) {
        int at = add_match(rs, &rs->out.sets[i], ix, opts->n_gmt == 0, err);
        if ((rc = at) < 0)
            goto fail;
        const dorm_match_t *m = &rs->match[at];
        rs->cov_found[i] = m->n_found;
        rs->cov_total[i] = m->n_total;
        if ((rc = check_coverage(rs, opts, i, m, sample, err)) < 0)
            goto fail;
        rs->out_score[i] = rc ? rs->n_col : -1;
        if (rc)
            rs->col_sets[rs->n_col++].match = m;
    }
    if (opts->n_gmt > 0 && rs->n_out > 0 && rs->n_col == 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "none of the %d gene sets of --gmt has a gene in %s "
                          "(first: %s)", rs->n_out, sample, rs->out.sets[0].name);
        goto fail;
    }
    warn_uncovered(rs, opts, sample);
    warn_repeated_symbols(rs, sample);
    warn_low_coverage(rs, opts, f, sample);
    for (int c = 0; c < n_comp; c++) {
        rs->comp_score[c] = -1;
        for (int k = 0; k < c && rs->comp_score[c] < 0; k++)
            if (strcmp(comp[k].name, comp[c].name) == 0) {
                rs->comp_score[c] = rs->comp_score[k];
                rs->cov_found[rs->n_out + c] = rs->cov_found[rs->n_out + k];
                rs->cov_total[rs->n_out + c] = rs->cov_total[rs->n_out + k];
            }
        if (rs->comp_score[c] >= 0)
            continue;
        int at = add_match(rs, dorm_geneset_find(&rs->internal, comp[c].name), ix, 1, err);
        if ((rc = at) < 0)
            goto fail;
        const dorm_match_t *m = &rs->match[at];
        rs->cov_found[rs->n_out + c] = m->n_found;
        rs->cov_total[rs->n_out + c] = m->n_total;
        if (m->n_found > 0 && m->n_found >= required_genes(m->n_total, -1)) {
            rs->comp_score[c] = rs->n_cls;
            rs->cls_sets[rs->n_cls++].match = m;
        }
    }
    if ((rc = count_extra(rs, err)) < 0)
        goto fail;
    dorm_gene_index_destroy(ix);
    return 0;
fail:
    dorm_gene_index_destroy(ix);
    unmatch(rs);
    return rc;
}
