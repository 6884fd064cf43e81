/* cells_table.c -- the per-cell table (cells.tsv): one header line, no
 * comments, first column barcode; loadable by read.delim(row.names = 1) and
 * pandas.read_csv(sep="\t", index_col=0). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/outfile.h"
#include "dormscan/tables.h"

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

/* A row is assembled in a buffer sized for its longest possible fields and
 * written once: no printf per field. */
static char *put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_field(char *p, const char *s)
{
    *p++ = '\t';
    return put(p, s);
}

static char *put_number(char *p, double v)
{
    *p++ = '\t';
    return dorm_fmt_double_put(v, p);
}

size_t dorm_cells_row_max(const dorm_cell_row_t *r, int n_sets)
{
    return strlen(r->barcode) + (r->sample ? strlen(r->sample) + 1 : 0) + strlen(r->phase) +
           strlen(r->state) + 64 + (size_t)(5 + 4 * n_sets + DORM_N_EVIDENCE) * 33;
}

size_t dorm_cells_format_row(char *line, const dorm_cell_row_t *r, int n_sets)
{
    const dorm_qc_t *qc = r->qc;
    char *p = put(line, r->barcode);
    if (r->sample)
        p = put_field(p, r->sample);
    *p++ = '\t';
    p = dorm_fmt_count_put(qc->n_umi, p);
    *p++ = '\t';
    p = dorm_fmt_count_put((double)qc->n_genes, p);
    p = put_number(p, qc->pct_mito);
    p = put_number(p, qc->pct_ribo);
    for (int s = 0; s < n_sets; s++) {
        const double *v = r->set + 3 * s;
        p = put_number(p, v[0]);
        p = put_number(p, v[1]);
        p = put_number(p, v[2]);
        p = put_number(p, r->set_fdr[s]);
    }
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        p = put_number(p, r->evidence[e]);
    p = put_field(p, r->phase);
    p = put_field(p, r->state);
    p = put_field(p, r->sasp ? "TRUE" : "FALSE"); /* (logical to R and pandas alike) */
    p = put_number(p, r->confidence);
    *p++ = '\n';
    return (size_t)(p - line);
}

void dorm_cells_write_row(dorm_outfile_t *o, const dorm_cell_row_t *r, int n_sets)
{
    char stack[8192];
    size_t need = dorm_cells_row_max(r, n_sets);
    char *line = need <= sizeof stack ? stack : malloc(need);
    if (!line) {
        o->failed = 1;
        o->saved_errno = ENOMEM;
        return;
    }
    dorm_outfile_write(o, line, dorm_cells_format_row(line, r, n_sets));
    if (line != stack)
        free(line);
}
