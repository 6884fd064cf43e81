/* html.c -- report.html: one self-contained page of inline SVG charts.
 *
 * Every number on the page is derived from the input alone (no clock, no
 * addresses, no hash order), so identical input gives identical bytes.  The
 * SVGs carry a viewBox and scale with the page; their text styles come from
 * the page's inline style sheet. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/log.h"
#include "dormscan/version.h"
#include "chart_internal.h"
#include "html_internal.h"

/* ---- page ---- */

static const char style_sheet[] =
    ":root{color-scheme:light}\n"
    "body{margin:0;background:#fff;color:#1d2430;"
    "font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
    "header,main,footer{max-width:1100px;margin:0 auto;padding:0 16px}\n"
    "h1{font-size:1.6em;margin:.8em 0 .2em}\n"
    "h2{font-size:1.3em;margin:1.8em 0 .5em;padding-bottom:.2em;border-bottom:1px solid #d8dde5}\n"
    "h3{font-size:1.05em;margin:1.3em 0 .3em}\n"
    "p{margin:.4em 0}\n"
    ".meta,.note,figcaption,footer{color:#596273}\n"
    "pre.cmd{white-space:pre-wrap;word-break:break-all;background:#f4f6f9;border:1px solid #d8dde5;"
    "border-radius:4px;padding:8px 10px;font-size:12.5px}\n"
    "nav a{margin-right:1em}\n"
    ".warn{background:#fff6e5;border-left:4px solid #d98200;padding:6px 12px;margin:.6em 0}\n"
    ".warn ul{margin:.2em 0;padding-left:1.2em}\n"
    "svg{display:block;width:100%;height:auto;max-width:100%}\n"
    "svg text{font-family:inherit;font-size:12px;fill:#1d2430}\n"
    "svg text.t{font-size:13px;font-weight:600}\n"
    "svg text.s{font-size:11px;fill:#596273}\n"
    "svg text.tw{font-size:11px;fill:#fff}\n"
    "svg text.tk{font-size:11px;fill:#1d2430}\n"
    "svg .ax{stroke:#596273;stroke-width:1;fill:none}\n"
    "svg .gr{stroke:#e3e7ee;stroke-width:1}\n"
    ".chart{overflow-x:auto}\n"
    ".chart svg{min-width:640px}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 18px;margin:.4em 0 .8em;padding:0;list-style:none}\n"
    ".legend li{display:flex;align-items:center;gap:6px}\n"
    ".sw{display:inline-block;width:14px;height:14px;border-radius:2px;"
    "border:1px solid rgba(0,0,0,.25)}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px 22px}\n"
    "figure{margin:0}\n"
    "figcaption{font-size:12px;margin-top:2px}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;font-size:13px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #e3e7ee;text-align:left;vertical-align:middle}\n"
    "th{background:#f4f6f9}\n"
    ".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".cbar{display:inline-block;width:100px;height:10px;background:#e3e7ee;border-radius:2px;"
    "vertical-align:middle;overflow:hidden}\n"
    ".cbar>span{display:block;height:100%;background:#3B6EA8}\n"
    "tr.unscored .cbar>span{background:#C0392B}\n"
    "tr.unscored td{background:#fdf1f0}\n"
    ".flag{color:#fff;background:#C0392B;border-radius:3px;padding:0 6px;font-size:12px;"
    "white-space:nowrap}\n"
    ".ok{color:#2E7D32}\n"
    "details{margin:.8em 0}\n"
    "summary{cursor:pointer;font-weight:600}\n"
    "footer{margin-top:2.5em;padding-bottom:2em;font-size:12px}\n";


/* ---- histogram panels ---- */

static void panel_open(dorm_outfile_t *o, const char *title, const char *title2)
{
    dorm_html_put(o, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" ");
    dorm_outfile_printf(o, "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", PANEL_W,
                        PANEL_H);
    dorm_html_esc(o, title);
    dorm_html_esc(o, title2);
    dorm_outfile_printf(o, "\">\n<text class=\"t\" x=\"%.0f\" y=\"17\">", PANEL_L);
    dorm_html_esc(o, title);
    dorm_html_esc(o, title2);
    dorm_html_put(o, "</text>\n");
}

static void axes_draw(dorm_outfile_t *o, const dorm_axes_t *a, const char *xlabel, const char *ylabel)
{
    char buf[64];
    double bottom = PANEL_T + PLOT_H;
    /* y grid and ticks */
    for (int k = 0;; k++) {
        double v = k * a->y_step;
        if (v > a->y1 + a->y_step * 1e-9)
            break;
        double y = dorm_axes_py(a, v);
        dorm_tick_label(buf, sizeof buf, v, a->y_step, a->y_percent);
        dorm_outfile_printf(o,
                            "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                            "<text class=\"s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                            PANEL_L, y, PANEL_L + PLOT_W, y, PANEL_L - 5, y + 4, buf);
    }
    /* x ticks */
    double step = dorm_nice_step(a->x1 - a->x0, 5);
    for (double k = ceil(a->x0 / step - 1e-9); k * step <= a->x1 + step * 1e-9; k++) {
        double v = k * step;
        double x = dorm_axes_px(a, v);
        dorm_tick_label(buf, sizeof buf, v, step, 0);
        dorm_outfile_printf(o,
                            "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                            "<text class=\"s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                            x, bottom, x, bottom + 4, x, bottom + 16, buf);
    }
    dorm_outfile_printf(o,
                        "<path class=\"ax\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n"
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                        PANEL_L, PANEL_T, bottom, PANEL_L + PLOT_W, PANEL_L + PLOT_W / 2,
                        bottom + 34);
    dorm_html_esc(o, xlabel);
    dorm_outfile_printf(o,
                        "</text>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                        "transform=\"rotate(-90 %.1f %.1f)\">",
                        12.0, PANEL_T + PLOT_H / 2, 12.0, PANEL_T + PLOT_H / 2);
    dorm_html_esc(o, ylabel);
    dorm_html_put(o, "</text>\n");
}

/* The counts not drawn, as the panel's caption. */
static void caption_outside(dorm_outfile_t *o, const dorm_axes_t *a, int64_t below, int64_t above,
                            int64_t missing, const char *missing_what, double cut_outside)
{
    dorm_html_put(o, "<figcaption>");
    const char *sep = "";
    if (isfinite(cut_outside)) {
        dorm_outfile_printf(o, "QC cut-off %g, outside the axis", cut_outside);
        sep = "; ";
    }
    if (below) {
        dorm_outfile_printf(o, "%" PRId64 " below %g (not drawn)", below, a->x0);
        sep = "; ";
    }
    if (above) {
        dorm_outfile_printf(o, "%s%" PRId64 " above %g (not drawn)", sep, above, a->x1);
        sep = "; ";
    }
    if (missing) {
        dorm_outfile_printf(o, "%s%" PRId64 " cell%s %s", sep, missing, missing == 1 ? "" : "s",
                            missing_what);
        sep = "; ";
    }
    if (!*sep)
        dorm_html_put(o, "all values within the axis");
    dorm_html_put(o, "</figcaption></figure>\n");
}

/* Overlaid step outlines, one per histogram (empty ones left out): in
 * cells, or with percent as a percentage of each histogram's own cells
 * with a value (for samples of different sizes).  A state histogram in
 * cells keeps a state of a few cells small (percentages of each state's
 * cells made 5 cells look like a peak of 60%). */
static void outline_panel(dorm_outfile_t *o, const char *title, const char *xlabel,
                          const dorm_hist_t *const *h, const char *const *names,
                          const char *const *colours, int n_hists, int percent)
{
    dorm_axes_t a = {0};
    const dorm_hist_t *with_values[MAX_OUTLINES];
    int n_with = 0;
    double max = 0;
    int64_t below = 0, above = 0, missing = 0;
    for (int i = 0; i < n_hists; i++) {
        int64_t n = dorm_hist_total(h[i]) - h[i]->missing;
        missing += h[i]->missing;
        if (n <= 0)
            continue;
        below += h[i]->below;
        above += h[i]->above;
        with_values[n_with++] = h[i];
        for (int b = 0; b < DORM_HIST_BINS; b++) {
            double v = percent ? dorm_html_pct(h[i]->count[b], n) : (double)h[i]->count[b];
            if (v > max)
                max = v;
        }
    }
    int any = n_with > 0;
    if (!any)
        with_values[n_with++] = h[0];
    dorm_axes_fit_x(&a, with_values, n_with);
    dorm_axes_fit_y(&a, max, percent);
    panel_open(o, title, "");
    axes_draw(o, &a, xlabel, percent ? "% of the sample's cells" : "cells");
    if (!any)
        dorm_outfile_printf(o, "<text class=\"s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                               "no values</text>\n",
                            PANEL_L + PLOT_W / 2, PANEL_T + PLOT_H / 2);
    for (int i = 0; i < n_hists; i++) {
        const dorm_hist_t *hs = h[i];
        int64_t n = dorm_hist_total(hs) - hs->missing;
        if (n <= 0)
            continue;
        double w = (hs->hi - hs->lo) / DORM_HIST_BINS;
        dorm_html_put(o, "<g><title>");
        dorm_html_esc(o, names[i]);
        dorm_outfile_printf(o, ": %" PRId64 " cells", n);
        if (hs->below || hs->above)
            dorm_outfile_printf(o, " (%" PRId64 " below, %" PRId64 " above the axis)", hs->below,
                                hs->above);
        dorm_outfile_printf(o, "</title><path fill=\"%s\" fill-opacity=\"0.10\" stroke=\"%s\" "
                               "stroke-width=\"1.6\" stroke-linejoin=\"round\" d=\"M%.2f %.2f",
                            colours[i], colours[i], dorm_axes_px(&a, hs->lo), dorm_axes_py(&a, 0));
        for (int b = 0; b < DORM_HIST_BINS; b++)
            dorm_outfile_printf(o, "V%.2fH%.2f",
                                dorm_axes_py(&a, percent ? dorm_html_pct(hs->count[b], n) : (double)hs->count[b]),
                                dorm_axes_px(&a, hs->lo + (b + 1) * w));
        dorm_outfile_printf(o, "V%.2fZ\"/></g>\n", dorm_axes_py(&a, 0));
    }
    dorm_html_put(o, "</svg>");
    caption_outside(o, &a, below, above, missing, "without a score", NAN);
}

static void evidence_panel(dorm_outfile_t *o, dorm_evidence_t e, const dorm_hist_t *h)
{
    const dorm_hist_t *hs[DORM_N_STATES];
    const char *names[DORM_N_STATES];
    for (int s = 0; s < DORM_N_STATES; s++) {
        hs[s] = &h[s];
        names[s] = dorm_state_name((dorm_state_t)s);
    }
    char xlabel[64];
    snprintf(xlabel, sizeof xlabel, "score_%s (evidence z)", dorm_evidence_name(e));
    outline_panel(o, dorm_evidence_name(e), xlabel, hs, names, dorm_html_state_colour, DORM_N_STATES, 0);
}

/* Each programme's evidence per sample, when there are several (and few
 * enough to tell their colours apart). */
static void sample_panels(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    int n = in->n_inputs;
    if (!in->sample_evidence || n < 2)
        return;
    dorm_html_put(o, "<h3>Evidence per sample</h3>\n");
    if (n > MAX_OUTLINES) {
        dorm_outfile_printf(o, "<p class=\"note\">%d samples: too many to draw apart; the mean "
                               "evidence per sample is in summary.tsv.</p>\n", n);
        return;
    }
    const char *names[MAX_OUTLINES], *colours[MAX_OUTLINES];
    dorm_html_put(o, "<p>Each programme's evidence over all cells of each sample (low-quality cells left "
           "out), as a percentage of the sample's cells, so that samples of different sizes "
           "compare.</p>\n<ul class=\"legend\">");
    for (int i = 0; i < n; i++) {
        names[i] = in->inputs[i].name ? in->inputs[i].name : in->inputs[i].path;
        colours[i] = dorm_html_sample_colour[i];
        dorm_outfile_printf(o, "<li><span class=\"sw\" style=\"background:%s\"></span>",
                            colours[i]);
        dorm_html_esc(o, names[i]);
        dorm_html_put(o, "</li>");
    }
    dorm_html_put(o, "</ul>\n<div class=\"grid\">\n");
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        const dorm_hist_t *hs[MAX_OUTLINES];
        for (int i = 0; i < n; i++)
            hs[i] = &in->sample_evidence[i][e];
        char xlabel[64];
        snprintf(xlabel, sizeof xlabel, "score_%s (evidence z)",
                 dorm_evidence_name((dorm_evidence_t)e));
        outline_panel(o, dorm_evidence_name((dorm_evidence_t)e), xlabel, hs, names, colours, n, 1);
    }
    dorm_html_put(o, "</div>\n");
}

static void scores_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    dorm_html_put(o, "<section id=\"scores\">\n<h2>Score distributions per state programme</h2>\n"
           "<p>For each programme, the distribution of its evidence z (the score_&lt;programme&gt; "
           "columns of cells.tsv) among the cells called in each state, in cells. A programme's "
           "own state should sit to the right of the others.</p>\n");
    if (!in->evidence) {
        dorm_html_put(o, "<p class=\"note\">Not available for this run.</p>\n</section>\n");
        return;
    }
    int shown[DORM_N_STATES] = {0};
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        for (int s = 0; s < DORM_N_STATES; s++)
            if (dorm_hist_total(&in->evidence[e][s]) - in->evidence[e][s].missing > 0)
                shown[s] = 1;
    dorm_html_legend_states(o, shown);
    dorm_html_put(o, "<div class=\"grid\">\n");
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        evidence_panel(o, (dorm_evidence_t)e, in->evidence[e]);
    dorm_html_put(o, "</div>\n");
    sample_panels(o, in);
    dorm_html_put(o, "</section>\n");
}

/* Bars with one tooltip per bin. */
static void qc_panel(dorm_outfile_t *o, const dorm_hist_t *h, const char *title,
                     const char *xlabel, const char *missing_what, double cut)
{
    dorm_axes_t a = {0};
    dorm_axes_fit_x(&a, &h, 1);
    double w = (h->hi - h->lo) / DORM_HIST_BINS;
    if (isfinite(cut) && cut >= h->lo && cut <= h->hi) { /* the axis reaches the cut-off */
        if (cut < a.x0)
            a.x0 = h->lo + floor((cut - h->lo) / w) * w;
        if (cut > a.x1)
            a.x1 = h->lo + ceil((cut - h->lo) / w) * w;
    }
    double max = 0;
    for (int b = 0; b < DORM_HIST_BINS; b++)
        if ((double)h->count[b] > max)
            max = (double)h->count[b];
    dorm_axes_fit_y(&a, max, 0);
    char n_buf[64];
    snprintf(n_buf, sizeof n_buf, " (%" PRId64 " cells)", dorm_hist_total(h));
    panel_open(o, title, n_buf);
    axes_draw(o, &a, xlabel, "cells");
    for (int b = 0; b < DORM_HIST_BINS; b++) {
        if (h->count[b] <= 0)
            continue;
        double x0 = dorm_axes_px(&a, h->lo + b * w), x1 = dorm_axes_px(&a, h->lo + (b + 1) * w);
        double y = dorm_axes_py(&a, (double)h->count[b]);
        dorm_outfile_printf(o,
                            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
                            "<title>%.4g to %.4g: %" PRId64 " cells</title></rect>\n",
                            x0 + 0.4, y, x1 - x0 - 0.8 > 0.5 ? x1 - x0 - 0.8 : 0.5,
                            dorm_axes_py(&a, 0) - y, dorm_html_qc_colour, h->lo + b * w, h->lo + (b + 1) * w,
                            h->count[b]);
    }
    if (dorm_hist_inside(h) == 0)
        dorm_outfile_printf(o, "<text class=\"s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                               "no values within the axis</text>\n",
                            PANEL_L + PLOT_W / 2, PANEL_T + PLOT_H / 2);
    if (isfinite(cut) && cut >= a.x0 && cut <= a.x1) {
        double x = dorm_axes_px(&a, cut);
        int right = x > PANEL_L + PLOT_W / 2; /* the label on the side with room */
        dorm_outfile_printf(o,
                            "<g class=\"cut\"><title>QC cut-off: %.4g</title><line x1=\"%.1f\" "
                            "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
                            "stroke-dasharray=\"5 3\"/><text class=\"s\" x=\"%.1f\" y=\"%.1f\" "
                            "text-anchor=\"%s\">cut-off %.4g</text></g>\n",
                            cut, x, PANEL_T, x, PANEL_T + PLOT_H, dorm_html_cut_colour, right ? x - 3 : x + 3,
                            PANEL_T + 10, right ? "end" : "start", cut);
    }
    dorm_html_put(o, "</svg>");
    caption_outside(o, &a, h->below, h->above, h->missing, missing_what,
                    isfinite(cut) && (cut < a.x0 || cut > a.x1) ? cut : NAN);
}

static void qc_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    dorm_html_put(o, "<section id=\"qc\">\n<h2>Quality control</h2>\n"
           "<p>Distributions over all cells, before the low-quality call; a dashed line marks "
           "the cut-off (cells beyond it are called low_quality).</p>\n");
    if (!in->qc_genes && !in->qc_umis_log10 && !in->qc_mito) {
        dorm_html_put(o, "<p class=\"note\">Not available for this run.</p>\n</section>\n");
        return;
    }
    dorm_html_put(o, "<div class=\"grid\">\n");
    const double *cut = in->qc_cut;
    if (in->qc_genes)
        qc_panel(o, in->qc_genes, "Genes detected", "genes detected per cell",
                 "without a value", cut ? cut[0] : NAN);
    if (in->qc_umis_log10)
        qc_panel(o, in->qc_umis_log10, "UMIs", "log10 UMIs per cell",
                 "without a value", cut ? cut[1] : NAN);
    if (in->qc_mito)
        qc_panel(o, in->qc_mito, "Mitochondrial", "% mitochondrial UMIs",
                 "of inputs without mitochondrial genes", cut ? cut[2] : NAN);
    dorm_html_put(o, "</div>\n</section>\n");
}

/* ---- coverage ---- */

static void coverage_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    dorm_html_put(o, "<section id=\"coverage\">\n<h2>Gene coverage of the signatures</h2>\n"
           "<p>Genes of each signature found in the input. Rows marked <em>cells.tsv "
           "columns</em> are the sets whose columns cells.tsv holds; rows marked "
           "<em>classifier</em> are the parts of the state programmes behind score_* and the "
           "calls. A signature with too few of its genes found is not scored (flagged).</p>\n");
    if (!in->coverage || in->n_coverage <= 0) {
        dorm_html_put(o, "<p class=\"note\">Not available for this run.</p>\n</section>\n");
        return;
    }
    int n_unscored = 0;
    for (int i = 0; i < in->n_coverage; i++)
        n_unscored += !in->coverage[i].scored;
    if (n_unscored)
        dorm_outfile_printf(o, "<p><span class=\"flag\">%d not scored</span></p>\n", n_unscored);
    dorm_html_put(o, "<div class=\"scroll\"><table>\n<thead><tr><th>sample</th><th>use</th><th>signature</th>"
           "<th class=\"num\">found / total</th><th class=\"num\">coverage</th><th></th>"
           "<th>status</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < in->n_coverage; i++) {
        const dorm_html_coverage_t *c = &in->coverage[i];
        double f = c->total > 0 ? 100.0 * c->found / c->total : 0;
        if (f < 0)
            f = 0;
        if (f > 100)
            f = 100;
        dorm_html_put(o, c->scored ? "<tr><td>" : "<tr class=\"unscored\"><td>");
        dorm_html_esc(o, c->sample);
        dorm_html_put(o, "</td><td>");
        if (c->programme) {
            dorm_html_put(o, "classifier: ");
            dorm_html_esc(o, c->programme);
        } else {
            dorm_html_put(o, "cells.tsv columns");
        }
        dorm_html_put(o, "</td><td>");
        dorm_html_esc(o, c->set);
        dorm_outfile_printf(o,
                            "</td><td class=\"num\">%d / %d</td><td class=\"num\">%.1f%%</td>"
                            "<td><span class=\"cbar\"><span style=\"width:%.1f%%\"></span></span>"
                            "</td><td>%s</td></tr>\n",
                            c->found, c->total, f, f,
                            c->scored ? "<span class=\"ok\">scored</span>"
                                      : "<span class=\"flag\">not scored</span>");
    }
    dorm_html_put(o, "</tbody></table></div>\n</section>\n");
}

/* ---- the page ---- */

/* The inputs: on one line when few, else folded. */
static void inputs_list(dorm_outfile_t *o, const dorm_html_source_t *in, int n)
{
    if (!in || n <= 0)
        return;
    int folded = n > 4;
    if (folded)
        dorm_outfile_printf(o, "<details class=\"meta\"><summary>%d inputs</summary><ul>", n);
    else
        dorm_html_put(o, "<p class=\"meta\">Input: ");
    for (int i = 0; i < n; i++) {
        dorm_html_put(o, folded ? "<li>" : i ? "; " : "");
        if (in[i].name) {
            dorm_html_esc(o, in[i].name);
            dorm_html_put(o, " (");
        }
        dorm_html_esc(o, in[i].path);
        dorm_html_put(o, in[i].name ? ")" : "");
        dorm_html_put(o, folded ? "</li>" : "");
    }
    dorm_html_put(o, folded ? "</ul></details>\n" : "</p>\n");
}

/* The run's warnings at the top, where they are not missed. */
static void warnings_banner(dorm_outfile_t *o, const dorm_log_warnings_t *w)
{
    if (!w || w->n + w->n_more == 0)
        return;
    dorm_outfile_printf(o, "<div class=\"warn\" role=\"alert\"><strong>%d warning%s</strong> "
                           "(also in run.json):<ul>",
                        w->n + w->n_more, w->n + w->n_more == 1 ? "" : "s");
    for (int i = 0; i < w->n; i++) {
        dorm_html_put(o, "<li>");
        dorm_html_esc(o, w->msg[i]);
        dorm_html_put(o, "</li>");
    }
    if (w->n_more)
        dorm_outfile_printf(o, "<li>and %d more (see stderr)</li>", w->n_more);
    dorm_html_put(o, "</ul></div>\n");
}

void dorm_html_write(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    const char *title = in->title ? in->title : "dormscan report";
    dorm_html_put(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    dorm_outfile_printf(o, "<meta name=\"generator\" content=\"dormscan %s\">\n<title>",
                        dorm_version());
    dorm_html_esc(o, title);
    dorm_html_put(o, "</title>\n<style>\n");
    dorm_html_put(o, style_sheet);
    dorm_html_put(o, "</style>\n</head>\n<body>\n<header>\n<h1>");
    dorm_html_esc(o, title);
    dorm_outfile_printf(o, "</h1>\n<p class=\"meta\">dormscan %s", dorm_version());
    if (in->date) {
        dorm_html_put(o, ", run of ");
        dorm_html_esc(o, in->date);
    }
    dorm_html_put(o, "</p>\n");
    inputs_list(o, in->inputs, in->n_inputs);
    if (in->command_line) {
        dorm_html_put(o, "<pre class=\"cmd\">");
        dorm_html_esc(o, in->command_line);
        dorm_html_put(o, "</pre>\n");
    }
    if (in->reference) {
        dorm_html_put(o, "<p class=\"meta\">Frame of reference: ");
        dorm_html_esc(o, in->reference);
        dorm_html_put(o, ". A state means that its programme is higher in the cell than in these "
               "reference cells (of the cell's type, with --celltype); scores are in units of "
               "the programme's spread over them.</p>\n");
    }
    warnings_banner(o, in->warnings);
    dorm_html_put(o, "<nav><a href=\"#composition\">State composition</a>"
           "<a href=\"#scores\">Score distributions</a><a href=\"#qc\">Quality control</a>"
           "<a href=\"#coverage\">Gene coverage</a></nav>\n</header>\n<main>\n");
    dorm_html_composition_section(o, in);
    scores_section(o, in);
    qc_section(o, in);
    coverage_section(o, in);
    dorm_outfile_printf(o, "</main>\n<footer>Written by dormscan %s. This page is self-contained: "
                           "it loads nothing and runs no scripts.</footer>\n</body>\n</html>\n",
                        dorm_version());
}
