/* html.c -- compare.html: one self-contained page (inline CSS and SVG, no
 * scripts): the comparison's tables, then per state (and programme) a
 * panel of the per-sample values as dots by condition, each condition's
 * mean as a bar, samples of one pairing value (the first covariate) joined
 * by lines, and the FDR in the panel's title. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare/compare_internal.h"
#include "report/html_text.h"

enum { PANEL_W = 220, PANEL_H = 190, TOP = 34, BOTTOM = 24, LEFT = 46, RIGHT = 10 };

static void put_num(dorm_outfile_t *o, double v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.3g", v);
    dorm_outfile_printf(o, "%s", isnan(v) ? "NA" : buf);
}

/* One panel: row k of comparison c. */
static void panel(dorm_outfile_t *o, const dorm_cmp_comparison_t *c, int k,
                  const dorm_cmp_setup_t *s, int pair_col, int proportions)
{
    const dorm_cmp_model_t *m = &c->model;
    const double *v = c->value + (size_t)k * c->n_samples;
    double lo = INFINITY, hi = -INFINITY;
    for (int j = 0; j < c->n_samples; j++) {
        lo = v[j] < lo ? v[j] : lo;
        hi = v[j] > hi ? v[j] : hi;
    }
    if (proportions)
        lo = 0;
    if (!(hi > lo))
        hi = lo + 1;
    double plot_w = PANEL_W - LEFT - RIGHT, plot_h = PANEL_H - TOP - BOTTOM;
#define X(l) (LEFT + plot_w * ((l) + 0.5) / s->n_levels)
#define Y(y) (TOP + plot_h * (1 - ((y) - lo) / (hi - lo)))
    dorm_outfile_printf(o, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
                        PANEL_W, PANEL_H, PANEL_W, PANEL_H);
    dorm_outfile_printf(o, "<text class=\"t\" x=\"%d\" y=\"14\">", LEFT);
    dorm_html_esc(o, c->row[k]);
    dorm_outfile_printf(o, "</text><text class=\"s\" x=\"%d\" y=\"28\">FDR ", LEFT);
    put_num(o, c->result.fdr[k]);
    dorm_outfile_printf(o, "</text>");
    dorm_outfile_printf(o, "<path class=\"ax\" d=\"M%d %d V%g H%d\"/>", LEFT, TOP, TOP + plot_h,
                        PANEL_W - RIGHT);
    dorm_outfile_printf(o, "<text class=\"s\" x=\"%d\" y=\"%g\" text-anchor=\"end\">", LEFT - 4,
                        TOP + plot_h);
    put_num(o, lo);
    dorm_outfile_printf(o, "</text><text class=\"s\" x=\"%d\" y=\"%d\" text-anchor=\"end\">",
                        LEFT - 4, TOP + 8);
    put_num(o, hi);
    dorm_outfile_printf(o, "</text>");
    const dorm_cmp_sheet_t *sh = s->sheet;
    for (int a = 0; pair_col >= 0 && a < c->n_samples; a++) /* pairs: the first covariate */
        for (int b = a + 1; b < c->n_samples; b++) {
            const char *pa = sh->cell[(size_t)dorm_strmap_get(&sh->index, c->sample[a]) * sh->n_cols + pair_col];
            const char *pb = sh->cell[(size_t)dorm_strmap_get(&sh->index, c->sample[b]) * sh->n_cols + pair_col];
            if (strcmp(pa, pb) == 0 && m->level[a] != m->level[b])
                dorm_outfile_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                    "stroke=\"#b8c0cc\"/>", X(m->level[a]), Y(v[a]),
                                    X(m->level[b]), Y(v[b]));
        }
    for (int l = 0; l < s->n_levels; l++) {
        double mean = c->result.level_mean[(size_t)k * c->result.n_levels + l];
        dorm_outfile_printf(o, "<text class=\"s\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
                            X(l), PANEL_H - 6);
        dorm_html_esc(o, s->levels[l]);
        dorm_outfile_printf(o, "</text>");
        if (!isnan(mean))
            dorm_outfile_printf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                                "stroke=\"#1d2430\" stroke-width=\"2\"/>", X(l) - 18, X(l) + 18,
                                Y(mean), Y(mean));
    }
    for (int j = 0; j < c->n_samples; j++) {
        dorm_outfile_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#4477AA\" "
                            "fill-opacity=\"0.8\"><title>", X(m->level[j]), Y(v[j]));
        dorm_html_esc(o, c->sample[j]);
        dorm_outfile_printf(o, ": ");
        put_num(o, v[j]);
        dorm_outfile_printf(o, "</title></circle>");
    }
    dorm_outfile_printf(o, "</svg>\n");
#undef X
#undef Y
}

static const char style[] =
    "body{margin:0 auto;max-width:1100px;padding:0 16px;color:#1d2430;"
    "font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif}\n"
    "h2{font-size:1.3em;margin:1.6em 0 .5em;border-bottom:1px solid #d8dde5}\n"
    ".meta{color:#596273}\n"
    "pre.cmd{white-space:pre-wrap;word-break:break-all;background:#f4f6f9;padding:8px 10px}\n"
    ".warn{background:#fff6e5;border-left:4px solid #d98200;padding:6px 12px}\n"
    "svg text{font-size:12px;fill:#1d2430}svg text.t{font-size:13px;font-weight:600}\n"
    "svg text.s{font-size:11px;fill:#596273}svg .ax{stroke:#596273;fill:none}\n"
    "table{border-collapse:collapse;font-size:13px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #e3e7ee;text-align:right}\n"
    "th{background:#f4f6f9}td:first-child,th:first-child{text-align:left}\n";

static void table(dorm_outfile_t *o, const dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                  const char *ratio)
{
    dorm_outfile_printf(o, "<table><tr><th></th>");
    for (int l = 0; l < s->n_levels; l++) {
        dorm_outfile_printf(o, "<th>");
        dorm_html_esc(o, s->levels[l]);
        dorm_outfile_printf(o, "</th>");
    }
    dorm_outfile_printf(o, "<th>%s</th><th>statistic</th><th>p</th><th>FDR</th></tr>\n", ratio);
    const dorm_cmp_result_t *r = &c->result;
    for (int k = 0; k < c->n_rows; k++) {
        dorm_outfile_printf(o, "<tr><td>");
        dorm_html_esc(o, c->row[k]);
        double v[4] = {r->ratio[k], r->statistic[k], r->p_value[k], r->fdr[k]};
        for (int l = 0; l < s->n_levels + 4; l++) {
            dorm_outfile_printf(o, "</td><td>");
            put_num(o, l < s->n_levels ? r->level_mean[(size_t)k * r->n_levels + l]
                                       : v[l - s->n_levels]);
        }
        dorm_outfile_printf(o, "</td></tr>\n");
    }
    dorm_outfile_printf(o, "</table>\n");
}

void dorm_cmp_write_html(dorm_outfile_t *o, const dorm_cmp_comparison_t *const *c, int n,
                         const dorm_cmp_setup_t *s, int pair_col, const char *command_line,
                         const char *note)
{
    const char *tr = s->transform == DORM_TRANSFORM_ASIN ? "arcsine square root" : "logit";
    dorm_outfile_printf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<title>dormscan compare</title><style>%s</style></head><body>\n"
                        "<h1>dormscan compare</h1>\n<p class=\"meta\">Propeller (Phipson et al. "
                        "2022): per-sample proportions, %s transform, limma linear model with "
                        "empirical Bayes moderation (moderated %s), Benjamini-Hochberg FDR across "
                        "the states; samples are the replicates.</p>\n",
                        style, tr, s->plan.anova ? "F of all conditions" : "t");
    if (!s->plan.anova) {
        dorm_outfile_printf(o, "<p class=\"meta\">Contrast: ");
        dorm_html_esc(o, s->levels[s->plan.a]);
        dorm_outfile_printf(o, " minus ");
        dorm_html_esc(o, s->levels[s->plan.b]);
        dorm_outfile_printf(o, ".</p>\n");
    }
    if (command_line) {
        dorm_outfile_printf(o, "<pre class=\"cmd\">");
        dorm_html_esc(o, command_line);
        dorm_outfile_printf(o, "</pre>\n");
    }
    if (note) {
        dorm_outfile_printf(o, "<p class=\"warn\">");
        dorm_html_esc(o, note);
        dorm_outfile_printf(o, "</p>\n");
    }
    for (int i = 0; i < n; i++) {
        int proportions = i < n - 1; /* the last comparison is the evidence */
        if (c[i]->n_rows == 0)
            continue;
        dorm_outfile_printf(o, "<h2>%s</h2>\n",
                            !proportions ? "Evidence programmes (per-sample mean score)"
                            : c[i]->row && c[i]->n_rows == 1 && strcmp(c[i]->row[0], "sasp") == 0
                                ? "SASP flag (tested on its own)" : "State proportions");
        table(o, c[i], s, proportions ? "ratio" : "difference");
        dorm_outfile_printf(o, "<div>\n");
        for (int k = 0; k < c[i]->n_rows; k++)
            panel(o, c[i], k, s, pair_col, proportions);
        dorm_outfile_printf(o, "</div>\n");
    }
    dorm_outfile_printf(o, "<p class=\"meta\">Dots: samples; bars: condition means");
    if (pair_col >= 0) {
        dorm_outfile_printf(o, "; lines join the samples of one ");
        dorm_html_esc(o, s->sheet->col[pair_col]);
    }
    dorm_outfile_printf(o, ".</p>\n</body></html>\n");
}
