/* inspect.c -- read an input in full without scoring and describe it. */
#include <stdio.h>
#include <string.h>

#include "dormscan/pipeline.h"
#include "dormscan/reader.h"
#include "run_sets_internal.h"

/* The species score would detect, and how much of the shipped panel the
 * features hold. */
static int panel_coverage(const dorm_features_t *f, dorm_inspect_t *out, dorm_err_t *err)
{
    dorm_run_opts_t o;
    dorm_run_opts_default(&o);
    run_sets_t rs;
    int rc = dorm_run_sets_load(&rs, &o, err);
    if (rc < 0)
        return rc;
    rs.quiet = 1;
    rc = dorm_run_sets_match(&rs, &o, f, "inspect", err);
    if (rc == 0) {
        snprintf(out->species, sizeof out->species, "%s", dorm_species_name(rs.species));
        out->n_sets = rs.n_out;
        for (int i = 0; i < rs.n_out; i++) {
            out->panel_found += rs.cov_found[i];
            out->panel_total += rs.cov_total[i];
            out->sets_scored += rs.out_score[i] >= 0;
        }
    }
    dorm_run_sets_free(&rs);
    return rc;
}

/* Read every chunk; reopen in memory if the entries are not grouped. */
static int read_through(const char *path, const dorm_reader_opts_t *opts, dorm_inspect_t *out,
                        dorm_err_t *err)
{
    dorm_reader_opts_t ro = {0};
    if (opts)
        ro = *opts;
    for (int attempt = 0; attempt < 2; attempt++) {
        ro.in_memory = attempt;
        dorm_reader_t *r;
        int rc = dorm_reader_open(&r, path, &ro, err);
        if (rc < 0)
            return rc;
        const dorm_chunk_t *ch;
        while ((rc = dorm_reader_read(r, &ch, err)) > 0)
            ;
        if (rc == 0) {
            const dorm_reader_info_t *info = dorm_reader_info(r);
            const dorm_features_t *f = dorm_reader_features(r);
            snprintf(out->format, sizeof out->format, "%s", info->format);
            snprintf(out->field, sizeof out->field, "%s", info->field);
            snprintf(out->id_type, sizeof out->id_type, "%s", dorm_id_type_name(f->id_type));
            out->n_cells = info->n_cells;
            out->n_genes = f->n;
            out->n_dropped = f->n_dropped;
            out->nnz = dorm_reader_entries_read(r);
            out->sorted = !attempt;
            size_t used = 0;
            out->feature_types[0] = '\0';
            for (int i = 0; i < f->n_kept_types + f->n_dropped_types; i++) {
                int kept = i < f->n_kept_types;
                const char *t = kept ? f->kept_types[i] : f->dropped_types[i - f->n_kept_types];
                int n = snprintf(out->feature_types + used, sizeof out->feature_types - used,
                                 "%s%s%s", used ? ", " : "", t, kept ? "" : " (dropped)");
                if (n < 0 || (size_t)n >= sizeof out->feature_types - used)
                    break;
                used += (size_t)n;
            }
            rc = panel_coverage(f, out, err);
        }
        dorm_reader_close(r);
        if (rc != DORM_E_UNSORTED)
            return rc;
    }
    return DORM_E_UNSORTED;
}

int dorm_inspect(const char *path, const dorm_reader_opts_t *opts, dorm_inspect_t *out,
                 dorm_err_t *err)
{
    memset(out, 0, sizeof *out);
    return read_through(path, opts, out, err);
}
