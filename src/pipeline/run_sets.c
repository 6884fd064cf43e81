/* run_sets.c -- loading, matching and coverage checks for a scoring run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "dormscan/log.h"
#include "run_sets.h"

#define PHASE_S "cc_s"
#define PHASE_G2M "cc_g2m"

void run_sets_free(run_sets_t *rs)
{
    for (int i = 0; i < rs->n_score && rs->match; i++)
        dorm_match_destroy(&rs->match[i]);
    free(rs->match);
    free(rs->set);
    free(rs->score_sets);
    free(rs->names);
    dorm_geneset_list_destroy(&rs->out);
    dorm_geneset_list_destroy(&rs->cc);
    memset(rs, 0, sizeof *rs);
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

static int check_coverage(const run_sets_t *rs, const dorm_run_opts_t *opts, dorm_err_t *err)
{
    for (int i = 0; i < rs->n_out; i++) {
        const dorm_match_t *m = &rs->match[i];
        const dorm_geneset_t *s = rs->set[i];
        dorm_log(DORM_LOG_INFO, "coverage %s: %d/%d genes found", s->name, m->n_found, m->n_total);
        int need = required_genes(m->n_total, opts->min_coverage);
        if (m->n_found == 0)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: gene set %s: none of its %d genes is in the input",
                                rs->out.sources[s->source].path, s->name, m->n_total);
        if (m->n_found < need)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: gene set %s: %d of its %d genes found in the input, %d needed "
                                "(lower the bar with --min-coverage)",
                                rs->out.sources[s->source].path, s->name, m->n_found, m->n_total,
                                need);
    }
    return 0;
}

/* Count distinct member tokens of the output sets that the input lacks. */
static int count_extra(run_sets_t *rs, dorm_err_t *err)
{
    dorm_strmap_t seen;
    dorm_strmap_init(&seen);
    for (int i = 0; i < rs->n_out; i++) {
        const dorm_match_t *m = &rs->match[i];
        for (int k = 0; k < m->n_total - m->n_found; k++) {
            int put = dorm_strmap_put(&seen, m->missing[k], 0);
            if (put < 0) {
                dorm_strmap_destroy(&seen);
                return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
            }
            rs->n_extra += put;
        }
    }
    dorm_strmap_destroy(&seen);
    return 0;
}

int run_sets_build(run_sets_t *rs, const dorm_run_opts_t *opts, const dorm_features_t *f,
                   dorm_err_t *err)
{
    memset(rs, 0, sizeof *rs);
    dorm_geneset_list_init(&rs->out);
    dorm_geneset_list_init(&rs->cc);
    rs->phase_s = rs->phase_g2m = -1;
    dorm_gene_index_t *ix = NULL;
    int rc = 0;
    if (opts->n_gmt == 0)
        rc = dorm_panel_load(&rs->out, "dormancy_panel", err);
    for (int i = 0; i < opts->n_gmt && rc == 0; i++)
        rc = dorm_gmt_read(&rs->out, opts->gmt[i], err);
    if (rc == 0)
        rc = dorm_panel_load(&rs->cc, "dormancy_panel", err);
    if (rc < 0)
        goto fail;
    const dorm_geneset_t *cc_s = dorm_geneset_find(&rs->cc, PHASE_S);
    const dorm_geneset_t *cc_g2m = dorm_geneset_find(&rs->cc, PHASE_G2M);
    /* ucell reuses the panel's own columns; module scores phase with its own control size. */
    int reuse = opts->n_gmt == 0 && opts->score.method == DORM_METHOD_UCELL;
    rs->n_out = rs->out.n;
    int n_max = rs->n_out + 2;
    rs->set = calloc((size_t)n_max, sizeof *rs->set);
    rs->match = calloc((size_t)n_max, sizeof *rs->match);
    rs->score_sets = calloc((size_t)n_max, sizeof *rs->score_sets);
    rs->names = calloc((size_t)(rs->n_out ? rs->n_out : 1), sizeof *rs->names);
    if (!rs->set || !rs->match || !rs->score_sets || !rs->names) {
        rc = dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        goto fail;
    }
    for (int i = 0; i < rs->n_out; i++) {
        rs->set[i] = &rs->out.sets[i];
        rs->names[i] = rs->out.sets[i].name;
    }
    rs->n_score = rs->n_out;
    int s_at = reuse ? -1 : rs->n_score++, g_at = reuse ? -1 : rs->n_score++;
    if (reuse) {
        for (int i = 0; i < rs->n_out; i++) {
            if (strcmp(rs->names[i], PHASE_S) == 0)
                s_at = i;
            if (strcmp(rs->names[i], PHASE_G2M) == 0)
                g_at = i;
        }
    } else {
        rs->set[s_at] = cc_s;
        rs->set[g_at] = cc_g2m;
    }
    if ((rc = dorm_gene_index_build(&ix, f, 0, err)) < 0)
        goto fail;
    for (int i = 0; i < rs->n_score; i++) {
        if ((rc = dorm_match_set(&rs->match[i], rs->set[i], ix, err)) < 0)
            goto fail;
        rs->score_sets[i].match = &rs->match[i];
    }
    if (!reuse) {
        /* Seurat CellCycleScoring: ctrl = the shorter list's length. */
        int ctrl = cc_s->n_genes < cc_g2m->n_genes ? cc_s->n_genes : cc_g2m->n_genes;
        if (opts->score.method == DORM_METHOD_MODULE)
            rs->score_sets[s_at].n_ctrl = rs->score_sets[g_at].n_ctrl = ctrl;
    }
    if (s_at >= 0 && g_at >= 0 && rs->match[s_at].n_found > 0 && rs->match[g_at].n_found > 0) {
        rs->phase_s = s_at;
        rs->phase_g2m = g_at;
    } else {
        dorm_log(DORM_LOG_WARN, "no S or G2/M phase genes found in the input: phase is NA");
    }
    if ((rc = check_coverage(rs, opts, err)) < 0 || (rc = count_extra(rs, err)) < 0)
        goto fail;
    dorm_gene_index_destroy(ix);
    return 0;
fail:
    dorm_gene_index_destroy(ix);
    run_sets_free(rs);
    return rc;
}
