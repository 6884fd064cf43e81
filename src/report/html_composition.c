/* html_composition.c -- report.html's state composition: a stacked bar per
 * sample (and per group of each grouping), and the counts behind them. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html_internal.h"

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
    dorm_html_esc(o, r->sample);
    if (grouping) {
        dorm_html_put(o, ", ");
        dorm_html_esc(o, r->grouping);
        dorm_html_put(o, " ");
        dorm_html_esc(o, r->group);
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
        size_t c = dorm_html_n_chars(label);
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
        dorm_html_put(o, " by ");
        dorm_html_esc(o, grouping);
    } else {
        dorm_html_put(o, " per sample");
    }
    dorm_html_put(o, "\">\n");
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
        size_t cut = dorm_html_char_prefix(label, LABEL_CHARS);
        dorm_outfile_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_w,
                            by + 12);
        dorm_html_esc_n(o, label, cut);
        if (label[cut])
            dorm_html_put(o, "\xE2\x80\xA6");
        dorm_html_put(o, "<title>");
        row_name(o, r, grouping);
        dorm_html_put(o, "</title></text>\n");
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
            dorm_html_put(o, "<g><title>");
            row_name(o, r, grouping);
            dorm_outfile_printf(o,
                                " \xE2\x80\x94 %s: %" PRId64 " of %" PRId64 " cells (%.1f%%)</title>",
                                dorm_state_name((dorm_state_t)s), c, r->n_cells,
                                dorm_html_pct(c, r->n_cells));
            dorm_outfile_printf(o,
                                "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                                "fill=\"%s\"/>",
                                x0, by, x1 - x0, COMP_BAR, dorm_html_state_colour[s]);
            if (x1 - x0 >= 34)
                dorm_outfile_printf(o,
                                    "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
                                    "text-anchor=\"middle\">%.0f%%</text>",
                                    dorm_html_state_text_class[s], (x0 + x1) / 2, by + 12,
                                    dorm_html_pct(c, r->n_cells));
            dorm_html_put(o, "</g>\n");
        }
        dorm_outfile_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%" PRId64 "</text>\n",
                            n_x, by + 12, r->n_cells);
        double f = r->n_cells > 0 ? (double)r->sasp / (double)r->n_cells : 0;
        dorm_html_put(o, "<g><title>");
        row_name(o, r, grouping);
        dorm_outfile_printf(o,
                            " \xE2\x80\x94 SASP flag: %" PRId64 " of %" PRId64 " cells (%.1f%%)</title>"
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"90\" height=\"%.1f\" fill=\"#E9ECF1\"/>"
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\"/>"
                            "<text x=\"%.1f\" y=\"%.1f\">%.1f%%</text></g>\n",
                            r->sasp, r->n_cells, dorm_html_pct(r->sasp, r->n_cells), sasp_x, by + 3,
                            COMP_BAR - 6, sasp_x, by + 3, 90 * f, COMP_BAR - 6, dorm_html_sasp_colour,
                            sasp_x + 96, by + 12, 100 * f);
    }
    dorm_html_put(o, "</svg></div>\n");
}

static void counts_table(dorm_outfile_t *o, const dorm_summary_row_t *rows, int64_t n_rows)
{
    dorm_html_put(o, "<details><summary>Counts per sample and group</summary>\n<div class=\"scroll\"><table>\n"
           "<thead><tr><th>sample</th><th>grouping</th><th>group</th><th class=\"num\">cells</th>");
    for (int s = 0; s < DORM_N_STATES; s++)
        dorm_outfile_printf(o, "<th class=\"num\">%s</th>", dorm_state_name((dorm_state_t)s));
    dorm_html_put(o, "<th class=\"num\">SASP</th>");
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        dorm_outfile_printf(o, "<th class=\"num\">mean score_%s</th>",
                            dorm_evidence_name((dorm_evidence_t)e));
    dorm_html_put(o, "</tr></thead>\n<tbody>\n");
    for (int64_t i = 0; i < n_rows; i++) {
        const dorm_summary_row_t *r = &rows[i];
        dorm_html_put(o, "<tr><td>");
        dorm_html_esc(o, r->sample);
        dorm_html_put(o, "</td><td>");
        dorm_html_esc(o, r->grouping);
        dorm_html_put(o, "</td><td>");
        dorm_html_esc(o, r->group);
        dorm_outfile_printf(o, "</td><td class=\"num\">%" PRId64 "</td>", r->n_cells);
        for (int s = 0; s < DORM_N_STATES; s++)
            dorm_outfile_printf(o, "<td class=\"num\">%" PRId64 " (%.1f%%)</td>", r->state[s],
                                dorm_html_pct(r->state[s], r->n_cells));
        dorm_outfile_printf(o, "<td class=\"num\">%" PRId64 " (%.1f%%)</td>", r->sasp,
                            dorm_html_pct(r->sasp, r->n_cells));
        for (int e = 0; e < DORM_N_EVIDENCE; e++) {
            if (r->evidence_n[e] > 0)
                dorm_outfile_printf(o, "<td class=\"num\">%.3f</td>",
                                    (double)r->evidence_micro[e] / 1e6 / (double)r->evidence_n[e]);
            else
                dorm_html_put(o, "<td class=\"num\">NA</td>");
        }
        dorm_html_put(o, "</tr>\n");
    }
    dorm_html_put(o, "</tbody></table></div></details>\n");
}

void dorm_html_composition_section(dorm_outfile_t *o, const dorm_html_input_t *in)
{
    dorm_html_put(o, "<section id=\"composition\">\n<h2>State composition</h2>\n"
           "<p>The fraction of cells called in each state, one bar per sample and per group "
           "(hover over a segment for its count). The right-hand column gives the fraction of "
           "cells flagged SASP; the flag is independent of the state.</p>\n");
    if (in->n_rows <= 0 || !in->rows) {
        dorm_html_put(o, "<p class=\"note\">No cells were scored.</p>\n</section>\n");
        return;
    }
    dorm_html_legend_states(o, NULL);
    int has_all = 0;
    for (int64_t i = 0; i < in->n_rows; i++)
        has_all |= row_in_chart(&in->rows[i], NULL);
    if (has_all) {
        dorm_html_put(o, "<h3>Per sample</h3>\n");
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
        dorm_html_put(o, "<h3>By ");
        dorm_html_esc(o, g);
        dorm_html_put(o, "</h3>\n");
        composition_chart(o, in->rows, in->n_rows, g);
    }
    free(seen);
    counts_table(o, in->rows, in->n_rows);
    dorm_html_put(o, "</section>\n");
}
