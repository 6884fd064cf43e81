/* cells_table.c -- the per-cell table (cells.tsv): one header line, no
 * comments, first column barcode; loadable by read.delim(row.names = 1) and
 * pandas.read_csv(sep="\t", index_col=0). */
#include <stdio.h>
#include <string.h>

#include "dormscan/report.h"

void dorm_cells_write_header(dorm_outfile_t *o, char *const *set_names, int n_sets)
{
    dorm_outfile_printf(o, "barcode\tdorm_n_umi\tdorm_n_genes\tdorm_pct_mito\tdorm_pct_ribo");
    for (int s = 0; s < n_sets; s++)
        dorm_outfile_printf(o, "\t%s\t%s_z\t%s_p", set_names[s], set_names[s], set_names[s]);
    dorm_outfile_printf(o, "\tphase\tstate\n");
}

void dorm_cells_write_row(dorm_outfile_t *o, const char *barcode, const dorm_qc_t *qc,
                          const double *score, const double *z, const double *p, int n_sets,
                          const char *phase, const char *state)
{
    char line[1 << 14], a[32], b[32], c[32];
    int n = snprintf(line, sizeof line, "%s\t%s\t%lld\t%s\t%s", barcode,
                     dorm_fmt_double(qc->n_umi, a), (long long)qc->n_genes,
                     dorm_fmt_double(qc->pct_mito, b), dorm_fmt_double(qc->pct_ribo, c));
    dorm_outfile_write(o, line, n < (int)sizeof line ? (size_t)n : strlen(line));
    for (int s = 0; s < n_sets; s++) {
        char v[3][32];
        dorm_outfile_printf(o, "\t%s\t%s\t%s", dorm_fmt_double(score[s], v[0]),
                            dorm_fmt_double(z[s], v[1]), dorm_fmt_double(p[s], v[2]));
    }
    dorm_outfile_printf(o, "\t%s\t%s\n", phase, state);
}
