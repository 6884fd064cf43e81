/* cells_table.c -- the per-cell table (cells.tsv): one header line, no
 * comments, first column barcode; loadable by read.delim(row.names = 1) and
 * pandas.read_csv(sep="\t", index_col=0). */
#include <stdio.h>
#include <string.h>

#include "dormscan/report.h"

void dorm_cells_write_header(dorm_outfile_t *o, char *const *set_names, int n_sets,
                             int sample_column)
{
    dorm_outfile_printf(o, "barcode%s\tdorm_n_umi\tdorm_n_genes\tdorm_pct_mito\tdorm_pct_ribo",
                        sample_column ? "\tsample" : "");
    for (int s = 0; s < n_sets; s++) {
        const char *n = set_names[s];
        dorm_outfile_printf(o, "\t%s\t%s_z\t%s_p\t%s_fdr", n, n, n, n);
    }
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        dorm_outfile_printf(o, "\tscore_%s", dorm_evidence_name((dorm_evidence_t)e));
    dorm_outfile_printf(o, "\tphase\tstate\tsasp\tconfidence\n");
}

void dorm_cells_write_row(dorm_outfile_t *o, const dorm_cell_row_t *r, int n_sets)
{
    char a[32], b[32], c[32], d[32];
    const dorm_qc_t *qc = r->qc;
    dorm_outfile_printf(o, "%s%s%s\t%s\t%lld\t%s\t%s", r->barcode, r->sample ? "\t" : "",
                        r->sample ? r->sample : "", dorm_fmt_double(qc->n_umi, a),
                        (long long)qc->n_genes, dorm_fmt_double(qc->pct_mito, b),
                        dorm_fmt_double(qc->pct_ribo, c));
    for (int s = 0; s < n_sets; s++) {
        const double *v = r->set + 3 * s;
        dorm_outfile_printf(o, "\t%s\t%s\t%s\t%s", dorm_fmt_double(v[0], a),
                            dorm_fmt_double(v[1], b), dorm_fmt_double(v[2], c),
                            dorm_fmt_double(r->set_fdr[s], d));
    }
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        dorm_outfile_printf(o, "\t%s", dorm_fmt_double(r->evidence[e], a));
    dorm_outfile_printf(o, "\t%s\t%s\t%s\t%s\n", r->phase, r->state, r->sasp ? "true" : "false",
                        dorm_fmt_double(r->confidence, a));
}
