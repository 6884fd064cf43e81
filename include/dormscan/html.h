/* html.h -- report.html: one self-contained HTML5 page (inline CSS and SVG,
 * no scripts, no external resources) with the state composition per sample
 * and group, the score distributions per state programme, the QC
 * distributions and the gene coverage of every signature.
 *
 * Ownership: dorm_html_write only reads its input; every pointer in
 * dorm_html_input_t is borrowed for the duration of the call and may be freed
 * by the caller afterwards.  Histograms are plain values (no allocation, no
 * destroy).  The library never decides the histogram ranges: the caller
 * picks lo and hi before seeing the data (fixed ranges also make histograms
 * of different runs add up bin by bin), and the page is a pure function of
 * its input, byte-identical for identical input.  Each chart's x axis spans
 * the bins that hold values (but never beyond [lo, hi]); counts outside the
 * range are stated under the chart.  Ranges that suit dormscan's data:
 * evidence z [-20, 20], genes detected [0, 10000], log10 UMIs [2, 6],
 * % mitochondrial [0, 40].
 */
#ifndef DORMSCAN_HTML_H
#define DORMSCAN_HTML_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/classify.h"
#include "dormscan/log.h"
#include "dormscan/outfile.h"
#include "dormscan/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DORM_HIST_BINS 40

/* A fixed-range histogram: DORM_HIST_BINS equal bins over [lo, hi]; bin i
 * holds lo + i*w <= v < lo + (i+1)*w, and the last bin also holds v == hi.
 * Values below lo (including -inf) count in below, above hi (including +inf)
 * in above, NaN in missing. */
typedef struct dorm_hist_t {
    double lo, hi;
    int64_t count[DORM_HIST_BINS];
    int64_t below, above, missing;
} dorm_hist_t;

/* Zero all counts and set the range.  When hi <= lo (or either is not
 * finite) the range becomes [lo, lo + 1] (lo = 0 when not finite) so the
 * histogram stays usable. */
void dorm_hist_init(dorm_hist_t *h, double lo, double hi);
/* Count one value: NaN -> missing; outside [lo, hi] -> below/above. */
void dorm_hist_add(dorm_hist_t *h, double v);
/* Values counted (bins + below + above + missing). */
int64_t dorm_hist_total(const dorm_hist_t *h);

/* The gene coverage of one signature in one sample (as in run.json). */
typedef struct dorm_html_coverage_t {
    const char *sample;
    const char *set;
    int found, total;
    int scored;          /* 0: too few genes found, the set was not scored */
    const char *programme; /* NULL: a set of cells.tsv's columns; else the classifier
                              part of this programme (e.g. "senescent") */
} dorm_html_coverage_t;

/* One input of the run, as named in the page's header. */
typedef struct dorm_html_source_t {
    const char *name; /* the sample (or shard) name; NULL: only the path is shown */
    const char *path;
} dorm_html_source_t;

typedef struct dorm_html_input_t {
    const char *title;                /* e.g. "dormscan 0.1.0 report"; NULL: "dormscan report" */
    const char *command_line;         /* shown verbatim (escaped); NULL: not shown */
    const char *reference;            /* the frame of reference, in words; NULL: not shown */
    const dorm_log_warnings_t *warnings; /* the run's warnings, a banner; NULL or none: no banner */
    const char *date;                 /* the run's date, shown as given; NULL: not shown */
    const dorm_html_source_t *inputs; /* the run's inputs; NULL: not shown */
    int n_inputs;
    /* Summary rows (as in summary.tsv), drawn in this order: rows whose
     * grouping is "all" form the per-sample chart; the others form one chart
     * per grouping, in order of first appearance. */
    const dorm_summary_row_t *rows;
    int64_t n_rows;
    /* Score distributions: evidence[e][s] is the distribution of programme
     * e's evidence z over the cells called state s (e < DORM_N_EVIDENCE).
     * States without values are left out of a panel.  NULL: section omitted. */
    const dorm_hist_t (*evidence)[DORM_N_STATES];
    /* Per input (in inputs' order, with at least 2 inputs): each programme's
     * evidence z over the input's cells; drawn for up to 8 inputs.  NULL:
     * not drawn. */
    const dorm_hist_t (*sample_evidence)[DORM_N_EVIDENCE];
    /* QC distributions over all cells; NULL: that panel is omitted. */
    const dorm_hist_t *qc_genes, *qc_umis_log10, *qc_mito;
    /* The QC cut-offs, drawn on those panels: minimum genes, log10 of the
     * minimum UMIs, maximum % mitochondrial; a value that is not finite is
     * not drawn; NULL: none. */
    const double *qc_cut;
    const dorm_html_coverage_t *coverage;
    int n_coverage;
} dorm_html_input_t;

/* Write the complete page to o (plain or gzip).  Text is escaped for HTML;
 * invalid UTF-8 and control characters are replaced by U+FFFD.  Write errors
 * are remembered in o and reported by dorm_outfile_commit, like every other
 * writer. */
void dorm_html_write(dorm_outfile_t *o, const dorm_html_input_t *in);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
