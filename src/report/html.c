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
#include "dormscan/html.h"

/* ---- histograms ---- */

void dorm_hist_init(dorm_hist_t *h, double lo, double hi)
{
    memset(h, 0, sizeof *h);
    if (!isfinite(lo))
        lo = 0;
    if (!isfinite(hi) || !(hi > lo))
        hi = lo + 1;
    h->lo = lo;
    h->hi = hi;
}

void dorm_hist_add(dorm_hist_t *h, double v)
{
    if (isnan(v)) {
        h->missing++;
    } else if (v < h->lo) {
        h->below++;
    } else if (v > h->hi) {
        h->above++;
    } else {
        double f = (v - h->lo) * DORM_HIST_BINS / (h->hi - h->lo);
        int b = (int)f; /* f >= 0 here */
        h->count[b < DORM_HIST_BINS ? b : DORM_HIST_BINS - 1]++;
    }
}

/* Values inside [lo, hi]. */
static int64_t hist_inside(const dorm_hist_t *h)
{
    int64_t n = 0;
    for (int b = 0; b < DORM_HIST_BINS; b++)
        n += h->count[b];
    return n;
}

int64_t dorm_hist_total(const dorm_hist_t *h)
{
    return hist_inside(h) + h->below + h->above + h->missing;
}

/* ---- text ---- */

/* Fixed colours per state (Okabe-Ito based, distinguishable with the common
 * colour-vision deficiencies); text drawn on a segment uses the matching
 * class ("tw": white, "tk": dark). */
static const char *const state_colour[DORM_N_STATES] = {"#D55E00", "#0072B2", "#009E73", "#CC79A7",
                                                        "#E69F00", "#B0B0B0", "#606060"};
/* Samples' outlines: Paul Tol's qualitative "bright" colours, then two of
 * his "muted" ones: as many as can be told apart. */
#define MAX_OUTLINES 8
_Static_assert(DORM_N_STATES <= MAX_OUTLINES, "a state panel draws every state");
static const char *const sample_colour[MAX_OUTLINES] = {"#4477AA", "#EE6677", "#228833", "#CCBB44",
                                                        "#66CCEE", "#AA3377", "#332288", "#882255"};
static const char *const state_text_class[DORM_N_STATES] = {"tw", "tw", "tw", "tk",
                                                            "tk", "tk", "tw"};
static const char *const qc_colour = "#3B6EA8";
static const char *const cut_colour = "#C0392B";
static const char *const sasp_colour = "#7F3B08";

static void put(dorm_outfile_t *o, const char *s) { dorm_outfile_write(o, s, strlen(s)); }

/* Length of the UTF-8 sequence at s (n bytes left); *ok is 0 when it must be
 * replaced: invalid or overlong sequences, surrogates, C0/C1 controls other
 * than tab, newline and carriage return, and DEL. */
static size_t utf8_seq(const unsigned char *s, size_t n, int *ok)
{
    unsigned c = s[0];
    *ok = 1;
    if (c < 0x80) {
        *ok = !(c < 0x20 && c != '\t' && c != '\n' && c != '\r') && c != 0x7F;
        return 1;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return *ok = 0, 1;
    if (n < len)
        return *ok = 0, 1;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return *ok = 0, 1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F))
        *ok = 0;
    return len;
}

/* Write the first n bytes of str escaped for HTML text and attributes. */
static void esc_n(dorm_outfile_t *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t start = 0, i = 0;
    while (i < n) {
        int ok;
        size_t len = utf8_seq(s + i, n - i, &ok);
        const char *rep = NULL;
        if (!ok)
            rep = "\xEF\xBF\xBD";
        else if (s[i] == '&')
            rep = "&amp;";
        else if (s[i] == '<')
            rep = "&lt;";
        else if (s[i] == '>')
            rep = "&gt;";
        else if (s[i] == '"')
            rep = "&quot;";
        else if (s[i] == '\'')
            rep = "&#39;";
        if (rep) {
            dorm_outfile_write(o, str + start, i - start);
            put(o, rep);
            start = i + len;
        }
        i += len;
    }
    dorm_outfile_write(o, str + start, n - start);
}

static void esc(dorm_outfile_t *o, const char *s)
{
    if (s)
        esc_n(o, s, strlen(s));
}

/* Characters (code points, an invalid byte counting as one) in s. */
static size_t n_chars(const char *s)
{
    size_t n = strlen(s), i = 0, k = 0;
    int ok;
    while (i < n)
        i += utf8_seq((const unsigned char *)s + i, n - i, &ok), k++;
    return k;
}

/* Bytes of the first max_chars characters of s. */
static size_t char_prefix(const char *s, size_t max_chars)
{
    size_t n = strlen(s), i = 0, k = 0;
    int ok;
    while (i < n && k < max_chars)
        i += utf8_seq((const unsigned char *)s + i, n - i, &ok), k++;
    return i;
}

static double pct(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

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

static void legend_states(dorm_outfile_t *o, const int *shown)
{
    put(o, "<ul class=\"legend\">");
    for (int s = 0; s < DORM_N_STATES; s++) {
        if (shown && !shown[s])
            continue;
        dorm_outfile_printf(o, "<li><span class=\"sw\" style=\"background:%s\"></span>%s</li>",
                            state_colour[s], dorm_state_name((dorm_state_t)s));
    }
    put(o, "</ul>\n");
}

/* ---- state composition ---- */

#define COMP_W 1000.0
#define COMP_TOP 24.0
#define COMP_ROW 22.0
#define COMP_BAR 16.0
#define LABEL_CHARS 40

static int row_in_chart(const dorm_summary_row_t *r, const char *grouping)
{
    const char *g = r->grouping ? r->grouping : "";
    return grouping ? strcmp(g, grouping) == 0 : strcmp(g, "all") == 0;
}

/* The bar label: the sample (per-sample chart), the group (a grouping chart
 * over one sample), or "sample · group". */
static void row_label(const dorm_summary_row_t *r, const char *grouping, int one_sample,
                      char *buf, size_t n)
{
    const char *sample = r->sample ? r->sample : "";
    const char *group = r->group ? r->group : "";
    if (!grouping)
        snprintf(buf, n, "%s", sample);
    else if (one_sample)
        snprintf(buf, n, "%s", group);
    else
        snprintf(buf, n, "%s \xC2\xB7 %s", sample, group);
}

static void row_name(dorm_outfile_t *o, const dorm_summary_row_t *r, const char *grouping)
{
    esc(o, r->sample);
    if (grouping) {
        put(o, ", ");
        esc(o, r->grouping);
        put(o, " ");
        esc(o, r->group);
    }
}

/* One horizontal stacked bar per selected row (grouping NULL: the per-sample
 * rows, whose grouping is "all"). */
static void composition_chart(dorm_outfile_t *o, const dorm_summary_row_t *rows, int64_t n_rows,
                              const char *grouping)
{
    int64_t k = 0;
    int one_sample = 1;
    const char *first_sample = NULL;
    size_t max_chars = 6;
    for (int64_t i = 0; i < n_rows; i++) {
        if (!row_in_chart(&rows[i], grouping))
            continue;
        const char *s = rows[i].sample ? rows[i].sample : "";
        if (!first_sample)
            first_sample = s;
        else if (strcmp(first_sample, s) != 0)
            one_sample = 0;
        k++;
    }
    if (k == 0)
        return;
    char label[1024];
    for (int64_t i = 0; i < n_rows; i++) {
        if (!row_in_chart(&rows[i], grouping))
            continue;
        row_label(&rows[i], grouping, one_sample, label, sizeof label);
        size_t c = n_chars(label);
        if (c > max_chars)
            max_chars = c;
    }
    if (max_chars > LABEL_CHARS + 1)
        max_chars = LABEL_CHARS + 1;
    double label_w = 12 + 6.8 * (double)max_chars;
    if (label_w < 80)
        label_w = 80;
    double bar_x = label_w + 8;
    double bar_w = COMP_W - bar_x - 245;
    double n_x = bar_x + bar_w + 75;     /* right edge of the cell count */
    double sasp_x = bar_x + bar_w + 95;  /* SASP mini bar, 90 wide */
    double height = COMP_TOP + (double)k * COMP_ROW + 8;

    dorm_outfile_printf(o,
                        "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" "
                        "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"state composition",
                        COMP_W, height);
    if (grouping) {
        put(o, " by ");
        esc(o, grouping);
    } else {
        put(o, " per sample");
    }
    put(o, "\">\n");
    for (int t = 0; t <= 4; t++) {
        double x = bar_x + bar_w * t / 4.0;
        dorm_outfile_printf(o,
                            "<line class=\"ax\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                            "<text class=\"s\" x=\"%.1f\" y=\"13\" text-anchor=\"middle\">%d%%</text>\n",
                            x, COMP_TOP - 6, x, COMP_TOP - 2, x, t * 25);
    }
    dorm_outfile_printf(o,
                        "<text class=\"s\" x=\"%.1f\" y=\"13\" text-anchor=\"end\">cells</text>"
                        "<text class=\"s\" x=\"%.1f\" y=\"13\">SASP</text>\n",
                        n_x, sasp_x);
    int64_t j = 0;
    for (int64_t i = 0; i < n_rows; i++) {
        const dorm_summary_row_t *r = &rows[i];
        if (!row_in_chart(r, grouping))
            continue;
        double y = COMP_TOP + (double)j++ * COMP_ROW;
        double by = y + (COMP_ROW - COMP_BAR) / 2;
        row_label(r, grouping, one_sample, label, sizeof label);
        size_t cut = char_prefix(label, LABEL_CHARS);
        dorm_outfile_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w,
                            by + 12);
        esc_n(o, label, cut);
        if (label[cut])
            put(o, "\xE2\x80\xA6");
        put(o, "<title>");
        row_name(o, r, grouping);
        put(o, "</title></text>\n");
        if (r->n_cells <= 0) {
            dorm_outfile_printf(o,
                                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                "fill=\"none\" stroke=\"#B0B0B0\"/>"
                                "<text class=\"s\" x=\"%.1f\" y=\"%.1f\">no cells</text>\n",
                                bar_x, by, bar_w, COMP_BAR, bar_x + 6, by + 12);
        }
        int64_t cum = 0;
        for (int s = 0; s < DORM_N_STATES && r->n_cells > 0; s++) {
            int64_t c = r->state[s];
            if (c <= 0)
                continue;
            double x0 = bar_x + bar_w * (double)cum / (double)r->n_cells;
            double x1 = bar_x + bar_w * (double)(cum + c) / (double)r->n_cells;
            cum += c;
            put(o, "<g><title>");
            row_name(o, r, grouping);
            dorm_outfile_printf(o,
                                " \xE2\x80\x94 %s: %" PRId64 " of %" PRId64 " cells (%.1f%%)</title>",
                                dorm_state_name((dorm_state_t)s), c, r->n_cells,
                                pct(c, r->n_cells));
            dorm_outfile_printf(o,
                                "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                                "fill=\"%s\"/>",
                                x0, by, x1 - x0, COMP_BAR, state_colour[s]);
            if (x1 - x0 >= 34)
                dorm_outfile_printf(o,
                                    "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                                    "text-anchor=\"middle\">%.0f%%</text>",
                                    state_text_class[s], (x0 + x1) / 2, by + 12,
                                    pct(c, r->n_cells));
            put(o, "</g>\n");
        }
        dorm_outfile_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%" PRId64 "</text>\n",
                            n_x, by + 12, r->n_cells);
        double f = r->n_cells > 0 ? (double)r->sasp / (double)r->n_cells : 0;
        put(o, "<g><title>");
        row_name(o, r, grouping);
        dorm_outfile_printf(o,
                            " \xE2\x80\x94 SASP flag: %" PRId64 " of %" PRId64 " cells (%.1f%%)</title>"
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"90\" height=\"%.1f\" fill=\"#E9ECF1\"/>"
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>"
                            "<text x=\"%.1f\" y=\"%.1f\">%.1f%%</text></g>\n",
                            r->sasp, r->n_cells, pct(r->sasp, r->n_cells), sasp_x, by + 3,
                            COMP_BAR - 6, sasp_x, by + 3, 90 * f, COMP_BAR - 6, sasp_colour,
                            sasp_x + 96, by + 12, 100 * f);
    }
    put(o, "</svg></div>\n");
}

static void counts_table(dorm_outfile_t *o, const dorm_summary_row_t *rows, int64_t n_rows)
{
    put(o, "<details><summary>Counts per sample and group</summary>\n<div class=\"scroll\"><table>\n"
           "<thead><tr><th>sample</th><th>grouping</th><th>group</th><th class=\"num\">cells</th>");
    for (int s = 0; s < DORM_N_STATES; s++)
        dorm_outfile_printf(o, "<th class=\"num\">%s</th>", dorm_state_name((dorm_state_t)s));
    put(o, "<th class=\"num\">SASP</th>");
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        dorm_outfile_printf(o, "<th class=\"num\">mean score_%s</th>",
                            dorm_evidence_name((dorm_evidence_t)e));
    put(o, "</tr></thead>\n<tbody>\n");
    for (int64_t i = 0; i < n_rows; i++) {
        const dorm_summary_row_t *r = &rows[i];
        put(o, "<tr><td>");
        esc(o, r->sample);
        put(o, "</td><td>");
        esc(o, r->grouping);
        put(o, "</td><td>");
        esc(o, r->group);
        dorm_outfile_printf(o, "</td><td class=\"num\">%" PRId64 "</td>", r->n_cells);
        for (int s = 0; s < DORM_N_STATES; s++)
            dorm_outfile_printf(o, "<td class=\"num\">%" PRId64 " (%.1f%%)</td>", r->state[s],
                                pct(r->state[s], r->n_cells));
        dorm_outfile_printf(o, "<td class=\"num\">%" PRId64 " (%.1f%%)</td>", r->sasp,
                            pct(r->sasp, r->n_cells));
        for (int e = 0; e < DORM_N_EVIDENCE; e++) {
            if (r->evidence_n[e] > 0)
                dorm_outfile_printf(o, "<td class=\"num\">%.3f</td>",
                                    (double)r->evidence_micro[e] / 1e6 / (double)r->evidence_n[e]);
            else
                put(o, "<td class=\"num\">NA</td>");
        }
        put(o, "</tr>\n");
    }
    put(o, "</tbody></table></div></details>\n");
}

static void composition_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    put(o, "<section id=\"composition\">\n<h2>State composition</h2>\n"
           "<p>The fraction of cells called in each state, one bar per sample and per group "
           "(hover over a segment for its count). The right-hand column gives the fraction of "
           "cells flagged SASP; the flag is independent of the state.</p>\n");
    if (in->n_rows <= 0 || !in->rows) {
        put(o, "<p class=\"note\">No cells were scored.</p>\n</section>\n");
        return;
    }
    legend_states(o, NULL);
    int has_all = 0;
    for (int64_t i = 0; i < in->n_rows; i++)
        has_all |= row_in_chart(&in->rows[i], NULL);
    if (has_all) {
        put(o, "<h3>Per sample</h3>\n");
        composition_chart(o, in->rows, in->n_rows, NULL);
    }
    /* One chart per grouping other than "all", in order of first appearance. */
    const char **seen = malloc((size_t)in->n_rows * sizeof *seen);
    if (!seen) {
        o->failed = 1;
        return;
    }
    int64_t n_seen = 0;
    for (int64_t i = 0; i < in->n_rows; i++) {
        const char *g = in->rows[i].grouping ? in->rows[i].grouping : "";
        if (strcmp(g, "all") == 0)
            continue;
        int64_t k = 0;
        while (k < n_seen && strcmp(seen[k], g) != 0)
            k++;
        if (k < n_seen)
            continue;
        seen[n_seen++] = g;
        put(o, "<h3>By ");
        esc(o, g);
        put(o, "</h3>\n");
        composition_chart(o, in->rows, in->n_rows, g);
    }
    free(seen);
    counts_table(o, in->rows, in->n_rows);
    put(o, "</section>\n");
}

/* ---- histogram panels ---- */

#define PANEL_W 340.0
#define PANEL_H 240.0
#define PANEL_L 50.0
#define PANEL_R 14.0
#define PANEL_T 28.0
#define PANEL_B 46.0
#define PLOT_W (PANEL_W - PANEL_L - PANEL_R)
#define PLOT_H (PANEL_H - PANEL_T - PANEL_B)

typedef struct axes_t {
    double x0, x1; /* data range on x */
    double y1;     /* top of the y axis (bottom is 0) */
    double y_step;
    int y_percent;
} axes_t;

/* x in the plot; values beyond the axis are drawn at its ends. */
static double ax_x(const axes_t *a, double x)
{
    if (x < a->x0)
        x = a->x0;
    if (x > a->x1)
        x = a->x1;
    return PANEL_L + (x - a->x0) / (a->x1 - a->x0) * PLOT_W;
}

static double ax_y(const axes_t *a, double y)
{
    return PANEL_T + PLOT_H - (a->y1 > 0 ? y / a->y1 : 0) * PLOT_H;
}

/* A step of 1, 2 or 5 times a power of ten giving about target intervals. */
static double nice_step(double range, int target)
{
    if (!(range > 0))
        return 1;
    double raw = range / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* The x range drawn for histograms sharing an axis: the bins that hold
 * values (an edge with values beyond the histogram's range stays at lo or
 * hi, so the cut shows), at least 10 bins wide and rounded out to ticks,
 * never beyond the histograms' ranges. */
static void axes_x(axes_t *a, const dorm_hist_t *const *h, int n)
{
    double lo = 0, hi = 1, x0 = 0, x1 = 0, min_w = 0;
    int any = 0;
    for (int i = 0; i < n; i++) {
        double w = (h[i]->hi - h[i]->lo) / DORM_HIST_BINS;
        if (i == 0 || h[i]->lo < lo)
            lo = h[i]->lo;
        if (i == 0 || h[i]->hi > hi)
            hi = h[i]->hi;
        if (i == 0 || 10 * w < min_w)
            min_w = 10 * w;
        int first = DORM_HIST_BINS, last = -1;
        for (int b = 0; b < DORM_HIST_BINS; b++)
            if (h[i]->count[b] > 0) {
                if (first == DORM_HIST_BINS)
                    first = b;
                last = b;
            }
        if (last < 0 && !h[i]->below && !h[i]->above)
            continue;
        double a0 = h[i]->below || last < 0 ? h[i]->lo : h[i]->lo + first * w;
        double a1 = h[i]->above || last < 0 ? h[i]->hi : h[i]->lo + (last + 1) * w;
        if (!any || a0 < x0)
            x0 = a0;
        if (!any || a1 > x1)
            x1 = a1;
        any = 1;
    }
    if (!any) {
        a->x0 = lo;
        a->x1 = hi;
        return;
    }
    if (x1 - x0 < min_w) {
        double c = (x0 + x1) / 2;
        x0 = c - min_w / 2;
        x1 = c + min_w / 2;
        if (x0 < lo)
            x1 += lo - x0, x0 = lo;
        if (x1 > hi)
            x0 -= x1 - hi, x1 = hi;
        if (x0 < lo)
            x0 = lo;
    }
    double step = nice_step(x1 - x0, 5);
    x0 = floor(x0 / step + 1e-9) * step;
    x1 = ceil(x1 / step - 1e-9) * step;
    a->x0 = x0 < lo ? lo : x0;
    a->x1 = x1 > hi ? hi : x1;
}

static void tick_label(char *buf, size_t n, double v, double step, int percent)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6)
        dec = 6;
    if (fabs(v) < step * 1e-6)
        v = 0;
    snprintf(buf, n, percent ? "%.*f%%" : "%.*f", dec, v);
}

/* The y axis over [0, max]: percent (any step) or counts (whole steps). */
static void axes_y(axes_t *a, double max, int percent)
{
    a->y_percent = percent;
    if (!(max > 0))
        max = percent ? 10 : 1;
    double step = nice_step(max, 4);
    if (!percent && step < 1)
        step = 1;
    a->y_step = step;
    a->y1 = ceil(max / step - 1e-9) * step;
}

static void panel_open(dorm_outfile_t *o, const char *title, const char *title2)
{
    put(o, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" ");
    dorm_outfile_printf(o, "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", PANEL_W,
                        PANEL_H);
    esc(o, title);
    esc(o, title2);
    dorm_outfile_printf(o, "\">\n<text class=\"t\" x=\"%.0f\" y=\"17\">", PANEL_L);
    esc(o, title);
    esc(o, title2);
    put(o, "</text>\n");
}

static void axes_draw(dorm_outfile_t *o, const axes_t *a, const char *xlabel, const char *ylabel)
{
    char buf[64];
    double bottom = PANEL_T + PLOT_H;
    /* y grid and ticks */
    for (int k = 0;; k++) {
        double v = k * a->y_step;
        if (v > a->y1 + a->y_step * 1e-9)
            break;
        double y = ax_y(a, v);
        tick_label(buf, sizeof buf, v, a->y_step, a->y_percent);
        dorm_outfile_printf(o,
                            "<line class=\"gr\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                            "<text class=\"s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                            PANEL_L, y, PANEL_L + PLOT_W, y, PANEL_L - 5, y + 4, buf);
    }
    /* x ticks */
    double step = nice_step(a->x1 - a->x0, 5);
    for (double k = ceil(a->x0 / step - 1e-9); k * step <= a->x1 + step * 1e-9; k++) {
        double v = k * step;
        double x = ax_x(a, v);
        tick_label(buf, sizeof buf, v, step, 0);
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
    esc(o, xlabel);
    dorm_outfile_printf(o,
                        "</text>\n<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                        "transform=\"rotate(-90 %.1f %.1f)\">",
                        12.0, PANEL_T + PLOT_H / 2, 12.0, PANEL_T + PLOT_H / 2);
    esc(o, ylabel);
    put(o, "</text>\n");
}

/* The counts not drawn, as the panel's caption. */
static void caption_outside(dorm_outfile_t *o, const axes_t *a, int64_t below, int64_t above,
                            int64_t missing, const char *missing_what, double cut_outside)
{
    put(o, "<figcaption>");
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
        put(o, "all values within the axis");
    put(o, "</figcaption></figure>\n");
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
    axes_t a = {0};
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
            double v = percent ? pct(h[i]->count[b], n) : (double)h[i]->count[b];
            if (v > max)
                max = v;
        }
    }
    int any = n_with > 0;
    if (!any)
        with_values[n_with++] = h[0];
    axes_x(&a, with_values, n_with);
    axes_y(&a, max, percent);
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
        put(o, "<g><title>");
        esc(o, names[i]);
        dorm_outfile_printf(o, ": %" PRId64 " cells", n);
        if (hs->below || hs->above)
            dorm_outfile_printf(o, " (%" PRId64 " below, %" PRId64 " above the axis)", hs->below,
                                hs->above);
        dorm_outfile_printf(o, "</title><path fill=\"%s\" fill-opacity=\"0.10\" stroke=\"%s\" "
                               "stroke-width=\"1.6\" stroke-linejoin=\"round\" d=\"M%.2f %.2f",
                            colours[i], colours[i], ax_x(&a, hs->lo), ax_y(&a, 0));
        for (int b = 0; b < DORM_HIST_BINS; b++)
            dorm_outfile_printf(o, "V%.2fH%.2f",
                                ax_y(&a, percent ? pct(hs->count[b], n) : (double)hs->count[b]),
                                ax_x(&a, hs->lo + (b + 1) * w));
        dorm_outfile_printf(o, "V%.2fZ\"/></g>\n", ax_y(&a, 0));
    }
    put(o, "</svg>");
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
    outline_panel(o, dorm_evidence_name(e), xlabel, hs, names, state_colour, DORM_N_STATES, 0);
}

/* Each programme's evidence per sample, when there are several (and few
 * enough to tell their colours apart). */
static void sample_panels(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    int n = in->n_inputs;
    if (!in->sample_evidence || n < 2)
        return;
    put(o, "<h3>Evidence per sample</h3>\n");
    if (n > MAX_OUTLINES) {
        dorm_outfile_printf(o, "<p class=\"note\">%d samples: too many to draw apart; the mean "
                               "evidence per sample is in summary.tsv.</p>\n", n);
        return;
    }
    const char *names[MAX_OUTLINES], *colours[MAX_OUTLINES];
    put(o, "<p>Each programme's evidence over all cells of each sample (low-quality cells left "
           "out), as a percentage of the sample's cells, so that samples of different sizes "
           "compare.</p>\n<ul class=\"legend\">");
    for (int i = 0; i < n; i++) {
        names[i] = in->inputs[i].name ? in->inputs[i].name : in->inputs[i].path;
        colours[i] = sample_colour[i];
        dorm_outfile_printf(o, "<li><span class=\"sw\" style=\"background:%s\"></span>",
                            colours[i]);
        esc(o, names[i]);
        put(o, "</li>");
    }
    put(o, "</ul>\n<div class=\"grid\">\n");
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        const dorm_hist_t *hs[MAX_OUTLINES];
        for (int i = 0; i < n; i++)
            hs[i] = &in->sample_evidence[i][e];
        char xlabel[64];
        snprintf(xlabel, sizeof xlabel, "score_%s (evidence z)",
                 dorm_evidence_name((dorm_evidence_t)e));
        outline_panel(o, dorm_evidence_name((dorm_evidence_t)e), xlabel, hs, names, colours, n, 1);
    }
    put(o, "</div>\n");
}

static void scores_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    put(o, "<section id=\"scores\">\n<h2>Score distributions per state programme</h2>\n"
           "<p>For each programme, the distribution of its evidence z (the score_&lt;programme&gt; "
           "columns of cells.tsv) among the cells called in each state, in cells. A programme's "
           "own state should sit to the right of the others.</p>\n");
    if (!in->evidence) {
        put(o, "<p class=\"note\">Not available for this run.</p>\n</section>\n");
        return;
    }
    int shown[DORM_N_STATES] = {0};
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        for (int s = 0; s < DORM_N_STATES; s++)
            if (dorm_hist_total(&in->evidence[e][s]) - in->evidence[e][s].missing > 0)
                shown[s] = 1;
    legend_states(o, shown);
    put(o, "<div class=\"grid\">\n");
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        evidence_panel(o, (dorm_evidence_t)e, in->evidence[e]);
    put(o, "</div>\n");
    sample_panels(o, in);
    put(o, "</section>\n");
}

/* Bars with one tooltip per bin. */
static void qc_panel(dorm_outfile_t *o, const dorm_hist_t *h, const char *title,
                     const char *xlabel, const char *missing_what, double cut)
{
    axes_t a = {0};
    axes_x(&a, &h, 1);
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
    axes_y(&a, max, 0);
    char n_buf[64];
    snprintf(n_buf, sizeof n_buf, " (%" PRId64 " cells)", dorm_hist_total(h));
    panel_open(o, title, n_buf);
    axes_draw(o, &a, xlabel, "cells");
    for (int b = 0; b < DORM_HIST_BINS; b++) {
        if (h->count[b] <= 0)
            continue;
        double x0 = ax_x(&a, h->lo + b * w), x1 = ax_x(&a, h->lo + (b + 1) * w);
        double y = ax_y(&a, (double)h->count[b]);
        dorm_outfile_printf(o,
                            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">"
                            "<title>%.4g to %.4g: %" PRId64 " cells</title></rect>\n",
                            x0 + 0.4, y, x1 - x0 - 0.8 > 0.5 ? x1 - x0 - 0.8 : 0.5,
                            ax_y(&a, 0) - y, qc_colour, h->lo + b * w, h->lo + (b + 1) * w,
                            h->count[b]);
    }
    if (hist_inside(h) == 0)
        dorm_outfile_printf(o, "<text class=\"s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                               "no values within the axis</text>\n",
                            PANEL_L + PLOT_W / 2, PANEL_T + PLOT_H / 2);
    if (isfinite(cut) && cut >= a.x0 && cut <= a.x1) {
        double x = ax_x(&a, cut);
        int right = x > PANEL_L + PLOT_W / 2; /* the label on the side with room */
        dorm_outfile_printf(o,
                            "<g class=\"cut\"><title>QC cut-off: %.4g</title><line x1=\"%.1f\" "
                            "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
                            "stroke-dasharray=\"5 3\"/><text class=\"s\" x=\"%.1f\" y=\"%.1f\" "
                            "text-anchor=\"%s\">cut-off %.4g</text></g>\n",
                            cut, x, PANEL_T, x, PANEL_T + PLOT_H, cut_colour, right ? x - 3 : x + 3,
                            PANEL_T + 10, right ? "end" : "start", cut);
    }
    put(o, "</svg>");
    caption_outside(o, &a, h->below, h->above, h->missing, missing_what,
                    isfinite(cut) && (cut < a.x0 || cut > a.x1) ? cut : NAN);
}

static void qc_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    put(o, "<section id=\"qc\">\n<h2>Quality control</h2>\n"
           "<p>Distributions over all cells, before the low-quality call; a dashed line marks "
           "the cut-off (cells beyond it are called low_quality).</p>\n");
    if (!in->qc_genes && !in->qc_umis_log10 && !in->qc_mito) {
        put(o, "<p class=\"note\">Not available for this run.</p>\n</section>\n");
        return;
    }
    put(o, "<div class=\"grid\">\n");
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
    put(o, "</div>\n</section>\n");
}

/* ---- coverage ---- */

static void coverage_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    put(o, "<section id=\"coverage\">\n<h2>Gene coverage of the signatures</h2>\n"
           "<p>Genes of each signature found in the input. Rows marked <em>cells.tsv "
           "columns</em> are the sets whose columns cells.tsv holds; rows marked "
           "<em>classifier</em> are the parts of the state programmes behind score_* and the "
           "calls. A signature with too few of its genes found is not scored (flagged).</p>\n");
    if (!in->coverage || in->n_coverage <= 0) {
        put(o, "<p class=\"note\">Not available for this run.</p>\n</section>\n");
        return;
    }
    int n_unscored = 0;
    for (int i = 0; i < in->n_coverage; i++)
        n_unscored += !in->coverage[i].scored;
    if (n_unscored)
        dorm_outfile_printf(o, "<p><span class=\"flag\">%d not scored</span></p>\n", n_unscored);
    put(o, "<div class=\"scroll\"><table>\n<thead><tr><th>sample</th><th>use</th><th>signature</th>"
           "<th class=\"num\">found / total</th><th class=\"num\">coverage</th><th></th>"
           "<th>status</th></tr></thead>\n<tbody>\n");
    for (int i = 0; i < in->n_coverage; i++) {
        const dorm_html_coverage_t *c = &in->coverage[i];
        double f = c->total > 0 ? 100.0 * c->found / c->total : 0;
        if (f < 0)
            f = 0;
        if (f > 100)
            f = 100;
        put(o, c->scored ? "<tr><td>" : "<tr class=\"unscored\"><td>");
        esc(o, c->sample);
        put(o, "</td><td>");
        if (c->programme) {
            put(o, "classifier: ");
            esc(o, c->programme);
        } else {
            put(o, "cells.tsv columns");
        }
        put(o, "</td><td>");
        esc(o, c->set);
        dorm_outfile_printf(o,
                            "</td><td class=\"num\">%d / %d</td><td class=\"num\">%.1f%%</td>"
                            "<td><span class=\"cbar\"><span style=\"width:%.1f%%\"></span></span>"
                            "</td><td>%s</td></tr>\n",
                            c->found, c->total, f, f,
                            c->scored ? "<span class=\"ok\">scored</span>"
                                      : "<span class=\"flag\">not scored</span>");
    }
    put(o, "</tbody></table></div>\n</section>\n");
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
        put(o, "<p class=\"meta\">Input: ");
    for (int i = 0; i < n; i++) {
        put(o, folded ? "<li>" : i ? "; " : "");
        if (in[i].name) {
            esc(o, in[i].name);
            put(o, " (");
        }
        esc(o, in[i].path);
        put(o, in[i].name ? ")" : "");
        put(o, folded ? "</li>" : "");
    }
    put(o, folded ? "</ul></details>\n" : "</p>\n");
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
        put(o, "<li>");
        esc(o, w->msg[i]);
        put(o, "</li>");
    }
    if (w->n_more)
        dorm_outfile_printf(o, "<li>and %d more (see stderr)</li>", w->n_more);
    put(o, "</ul></div>\n");
}

void dorm_html_write(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    const char *title = in->title ? in->title : "dormscan report";
    put(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    dorm_outfile_printf(o, "<meta name=\"generator\" content=\"dormscan %s\">\n<title>",
                        dorm_version());
    esc(o, title);
    put(o, "</title>\n<style>\n");
    put(o, style_sheet);
    put(o, "</style>\n</head>\n<body>\n<header>\n<h1>");
    esc(o, title);
    dorm_outfile_printf(o, "</h1>\n<p class=\"meta\">dormscan %s", dorm_version());
    if (in->date) {
        put(o, ", run of ");
        esc(o, in->date);
    }
    put(o, "</p>\n");
    inputs_list(o, in->inputs, in->n_inputs);
    if (in->command_line) {
        put(o, "<pre class=\"cmd\">");
        esc(o, in->command_line);
        put(o, "</pre>\n");
    }
    if (in->reference) {
        put(o, "<p class=\"meta\">Frame of reference: ");
        esc(o, in->reference);
        put(o, ". A state means that its programme is higher in the cell than in these "
               "reference cells (of the cell's type, with --celltype); scores are in units of "
               "the programme's spread over them.</p>\n");
    }
    warnings_banner(o, in->warnings);
    put(o, "<nav><a href=\"#composition\">State composition</a>"
           "<a href=\"#scores\">Score distributions</a><a href=\"#qc\">Quality control</a>"
           "<a href=\"#coverage\">Gene coverage</a></nav>\n</header>\n<main>\n");
    composition_section(o, in);
    scores_section(o, in);
    qc_section(o, in);
    coverage_section(o, in);
    dorm_outfile_printf(o, "</main>\n<footer>Written by dormscan %s. This page is self-contained: "
                           "it loads nothing and runs no scripts.</footer>\n</body>\n</html>\n",
                        dorm_version());
}
