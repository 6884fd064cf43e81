/* Unit tests of report.html: histogram binning, escaping, self-containment
 * and determinism of the page. */
#include <criterion/criterion.h>
#include <math.h>

#include "dormscan/html.h"
#include "helpers.h"

/* The whole file (caller frees), or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (cap - n - 1 == 0) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* A small run: two samples, one grouping, evidence, QC and coverage. */
typedef struct fixture_t {
    dorm_summary_row_t rows[4];
    dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES];
    dorm_hist_t genes, umis, mito;
    dorm_html_coverage_t coverage[3];
    dorm_html_input_t in;
} fixture_t;

static void fixture_init(fixture_t *f, const char *sample_name)
{
    memset(f, 0, sizeof *f);
    static const int64_t counts[2][DORM_N_STATES] = {{3, 2, 1, 1, 2, 1}, {0, 5, 0, 0, 4, 1}};
    for (int i = 0; i < 4; i++) {
        dorm_summary_row_t *r = &f->rows[i];
        r->sample = (char *)(i % 2 == 0 ? sample_name : "s2");
        r->grouping = (char *)(i < 2 ? "all" : "cluster");
        r->group = (char *)(i < 2 ? "all" : "c1");
        for (int s = 0; s < DORM_N_STATES; s++) {
            r->state[s] = counts[i % 2][s];
            r->n_cells += r->state[s];
        }
        r->sasp = 2;
        r->evidence_micro[0] = 1500000;
        r->evidence_n[0] = 3;
    }
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        for (int s = 0; s < DORM_N_STATES; s++) {
            dorm_hist_init(&f->evidence[e][s], -4, 8);
            if (s == DORM_STATE_LOW_QUALITY) {
                dorm_hist_add(&f->evidence[e][s], NAN);
                continue;
            }
            for (int k = 0; k < 5; k++)
                dorm_hist_add(&f->evidence[e][s], (e == s ? 3.0 : 0.0) + 0.3 * k);
        }
    dorm_hist_init(&f->genes, 0, 5000);
    dorm_hist_init(&f->umis, 2, 5);
    dorm_hist_init(&f->mito, 0, 40);
    for (int k = 0; k < 20; k++) {
        dorm_hist_add(&f->genes, 1000 + 150 * k);
        dorm_hist_add(&f->umis, 3 + 0.05 * k);
        dorm_hist_add(&f->mito, 0.5 * k);
    }
    f->coverage[0] = (dorm_html_coverage_t){sample_name, "quiescence_up", 48, 50, 1, NULL};
    f->coverage[1] = (dorm_html_coverage_t){sample_name, "cc_s", 43, 43, 1, "cycling"};
    f->coverage[2] = (dorm_html_coverage_t){"s2", "tiny_set", 1, 12, 0, NULL};
    f->in = (dorm_html_input_t){
        .title = "dormscan test report",
        .command_line = "dormscan score in -o out",
        .rows = f->rows,
        .n_rows = 4,
        .evidence = (const dorm_hist_t(*)[DORM_N_STATES])f->evidence,
        .qc_genes = &f->genes,
        .qc_umis_log10 = &f->umis,
        .qc_mito = &f->mito,
        .coverage = f->coverage,
        .n_coverage = 3,
    };
}

/* Write the page for in into dir/name and return its text (caller frees). */
static char *render(const char *dir, const char *name, const dorm_html_input_t *in, size_t *len)
{
    dorm_outfile_t o;
    dorm_err_t err;
    cr_assert_eq(dorm_outfile_open(&o, dir, name, 0, &err), 0);
    dorm_html_write(&o, in);
    cr_assert_eq(dorm_outfile_commit(&o, &err), 0, "%s", err.msg);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = slurp(path, len);
    cr_assert_not_null(text);
    return text;
}

static size_t count_of(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(html, hist_binning)
{
    dorm_hist_t h;
    dorm_hist_init(&h, 0, 4); /* bins 0.1 wide */
    double values[] = {0, 0.05, 0.15, 2.0, 3.95, 4, -0.001, -INFINITY, 4.001, INFINITY, NAN, NAN};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        dorm_hist_add(&h, values[i]);
    cr_assert_eq(h.count[0], 2, "0 and 0.05 in the first bin");
    cr_assert_eq(h.count[1], 1);
    cr_assert_eq(h.count[20], 1, "2.0 opens bin 20");
    cr_assert_eq(h.count[DORM_HIST_BINS - 1], 2, "the last bin is closed: 3.95 and 4");
    cr_assert_eq(h.below, 2, "-0.001 and -inf");
    cr_assert_eq(h.above, 2, "4.001 and +inf");
    cr_assert_eq(h.missing, 2);
    cr_assert_eq(dorm_hist_total(&h), 12);
    int64_t in_bins = 0;
    for (int b = 0; b < DORM_HIST_BINS; b++)
        in_bins += h.count[b];
    cr_assert_eq(in_bins, 6);

    dorm_hist_init(&h, 5, 5); /* empty range becomes [lo, lo + 1] */
    cr_assert(h.lo == 5 && h.hi == 6);
    dorm_hist_add(&h, 5.5);
    cr_assert_eq(h.count[20], 1);
    dorm_hist_init(&h, NAN, 1);
    cr_assert(h.lo == 0 && h.hi == 1);
}

Test(html, page_is_self_contained_and_escaped)
{
    char *dir = tmpdir_new();
    fixture_t f;
    fixture_init(&f, "a<b&c");
    char *text = render(dir, "report.html", &f.in, NULL);
    const char *doctype = "<!DOCTYPE html>";
    cr_assert(strncmp(text, doctype, strlen(doctype)) == 0);
    cr_assert(strstr(text, "<svg"));
    cr_assert(strstr(text, "</html>\n"));
    /* Every URL is an SVG namespace declaration; nothing is fetched. */
    size_t n_url = 0;
    for (const char *p = text; (p = strstr(p, "http")) != NULL; p++) {
        if (strncmp(p, "http://", 7) != 0 && strncmp(p, "https://", 8) != 0)
            continue;
        n_url++;
        const char *ns = "xmlns=\"";
        cr_assert(p - text >= (long)strlen(ns) && strncmp(p - strlen(ns), ns, strlen(ns)) == 0,
                  "a URL outside an xmlns attribute: %.60s", p - 20);
        cr_assert(strncmp(p, "http://www.w3.org/2000/svg\"", 27) == 0, "%.40s", p);
    }
    cr_assert_gt(n_url, 0, "the SVGs declare their namespace");
    cr_assert_eq(n_url, count_of(text, "<svg"), "one xmlns per svg, no other URL");
    cr_assert_null(strstr(text, "<script"));
    cr_assert_null(strstr(text, "src="));
    cr_assert_null(strstr(text, "@import"));
    cr_assert_null(strstr(text, "url("));
    /* The sample name is escaped everywhere. */
    cr_assert(strstr(text, "a&lt;b&amp;c"));
    cr_assert_null(strstr(text, "a<b&c"));
    cr_assert_null(strstr(text, "a<b"));
    /* Every state is named, with its exact count in a tooltip. */
    for (int s = 0; s < DORM_N_STATES; s++)
        cr_assert(strstr(text, dorm_state_name((dorm_state_t)s)), "%s",
                  dorm_state_name((dorm_state_t)s));
    cr_assert(strstr(text, "a&lt;b&amp;c \xE2\x80\x94 cycling: 3 of 10 cells (30.0%)</title>"));
    cr_assert(strstr(text, "s2 \xE2\x80\x94 quiescent: 5 of 10 cells (50.0%)</title>"));
    cr_assert(strstr(text, "SASP flag: 2 of 10 cells (20.0%)"));
    cr_assert(strstr(text, "<h3>By cluster</h3>"), "a chart per grouping");
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        char want[64];
        snprintf(want, sizeof want, "score_%s (evidence z)",
                 dorm_evidence_name((dorm_evidence_t)e));
        cr_assert(strstr(text, want), "%s", want);
    }
    cr_assert(strstr(text, "log10 UMIs per cell"));
    /* Coverage: exact fractions, the unscored set flagged. */
    cr_assert(strstr(text, "<td class=\"num\">48 / 50</td><td class=\"num\">96.0%</td>"));
    cr_assert(strstr(text, "<tr class=\"unscored\"><td>s2</td><td>cells.tsv columns</td>"
                           "<td>tiny_set</td>"));
    cr_assert(strstr(text, "<td>classifier: cycling</td><td>cc_s</td>"));
    cr_assert_eq(count_of(text, "<span class=\"flag\">not scored</span>"), 1);
    cr_assert(strstr(text, "<span class=\"flag\">1 not scored</span>"));
    free(text);
    rm_rf(dir);
    free(dir);
}

Test(html, deterministic_bytes)
{
    char *dir = tmpdir_new();
    fixture_t f;
    fixture_init(&f, "sample1");
    size_t n1, n2;
    char *a = render(dir, "one.html", &f.in, &n1);
    char *b = render(dir, "two.html", &f.in, &n2);
    cr_assert_eq(n1, n2);
    cr_assert(memcmp(a, b, n1) == 0, "identical input, identical bytes");
    free(a);
    free(b);
    rm_rf(dir);
    free(dir);
}

Test(html, invalid_utf8_and_controls_replaced)
{
    char *dir = tmpdir_new();
    fixture_t f;
    fixture_init(&f, "x\xFF\x01y\xC3\xA9\"'");
    char *text = render(dir, "report.html", &f.in, NULL);
    cr_assert(strstr(text, "x\xEF\xBF\xBD\xEF\xBF\xBDy\xC3\xA9&quot;&#39;"),
              "bad bytes become U+FFFD, valid UTF-8 and quotes survive");
    cr_assert_null(strstr(text, "\xFF"));
    free(text);
    rm_rf(dir);
    free(dir);
}

Test(html, empty_input_still_a_page)
{
    char *dir = tmpdir_new();
    dorm_html_input_t in = {0};
    char *text = render(dir, "report.html", &in, NULL);
    cr_assert(strncmp(text, "<!DOCTYPE html>", 15) == 0);
    cr_assert(strstr(text, "<title>dormscan report</title>"));
    cr_assert(strstr(text, "No cells were scored."));
    cr_assert(strstr(text, "</html>\n"));
    cr_assert_null(strstr(text, "<svg"));
    free(text);
    rm_rf(dir);
    free(dir);
}

Test(html, long_labels_truncated_with_full_tooltip)
{
    char *dir = tmpdir_new();
    fixture_t f;
    const char *name = "sample-with-a-name-much-longer-than-forty-characters-in-total";
    fixture_init(&f, name);
    char *text = render(dir, "report.html", &f.in, NULL);
    cr_assert(strstr(text, ">sample-with-a-name-much-longer-than-fort\xE2\x80\xA6<title>"),
              "40 characters and an ellipsis on the bar");
    char want[256];
    snprintf(want, sizeof want, "<title>%s</title>", name);
    cr_assert(strstr(text, want), "the full name in the tooltip");
    free(text);
    rm_rf(dir);
    free(dir);
}

Test(html, axis_spans_the_values)
{
    char *dir = tmpdir_new();
    dorm_hist_t genes;
    dorm_hist_init(&genes, 0, 10000); /* 250-gene bins */
    for (int k = 0; k < 20; k++)
        dorm_hist_add(&genes, 1000 + 150 * k); /* 1000 .. 3850 */
    dorm_html_input_t in = {.qc_genes = &genes};
    char *text = render(dir, "zoom.html", &in, NULL);
    cr_assert(strstr(text, ">1000</text>") && strstr(text, ">4000</text>"), "ticks over the data");
    cr_assert_null(strstr(text, ">4500</text>"));
    cr_assert_null(strstr(text, ">10000</text>"), "the empty part of the range is not drawn");
    cr_assert(strstr(text, "all values within the axis"));
    free(text);
    dorm_hist_add(&genes, -5);
    dorm_hist_add(&genes, NAN);
    text = render(dir, "cut.html", &in, NULL);
    cr_assert(strstr(text, ">0</text>"), "values below the range: the axis starts at lo");
    cr_assert(strstr(text, "1 below 0 (not drawn); 1 cell without a value"));
    cr_assert(strstr(text, "Genes detected (22 cells)"));
    free(text);
    rm_rf(dir);
    free(dir);
}

/* Warnings are kept while a list is attached (even below the log level),
 * once each, and shown escaped in one banner. */
Test(html, warnings_kept_and_shown)
{
    dorm_log_level_t level = dorm_log_get_level();
    dorm_log_set_level(DORM_LOG_ERROR);
    dorm_log_warnings_t w = {0}, inner = {0};
    cr_assert_null(dorm_log_keep_warnings(&w));
    dorm_log(DORM_LOG_WARN, "set <A> has %d genes", 0);
    dorm_log(DORM_LOG_WARN, "set <A> has %d genes", 0);
    dorm_log(DORM_LOG_INFO, "not a warning");
    cr_assert_eq(dorm_log_keep_warnings(&inner), &w);
    dorm_log(DORM_LOG_WARN, "inner");
    cr_assert_eq(dorm_log_keep_warnings(&w), &inner);
    dorm_log(DORM_LOG_WARN, "second");
    cr_assert_eq(dorm_log_keep_warnings(NULL), &w);
    dorm_log(DORM_LOG_WARN, "after");
    dorm_log_set_level(level);
    cr_assert_eq(w.n, 2);
    cr_assert_str_eq(w.msg[0], "set <A> has 0 genes");
    cr_assert_str_eq(w.msg[1], "second");
    cr_assert_eq(inner.n, 1);

    char *dir = tmpdir_new();
    dorm_html_input_t in = {.warnings = &w};
    char *text = render(dir, "report.html", &in, NULL);
    cr_assert(strstr(text, "<strong>2 warnings</strong>"));
    cr_assert(strstr(text, "<li>set &lt;A&gt; has 0 genes</li>"));
    free(text);
    dorm_log_warnings_free(&w);
    dorm_log_warnings_free(&inner);
    cr_assert_eq(w.n, 0);
    in.warnings = &w;
    text = render(dir, "empty.html", &in, NULL);
    cr_assert_null(strstr(text, "class=\"warn\""));
    free(text);
    rm_rf(dir);
    free(dir);
}

/* The header gives the date and the inputs; QC panels mark the cut-offs,
 * the axis extended to reach them (one beyond the histogram's range is said
 * in words); state histograms are in cells. */
Test(html, header_cutoffs_and_counts)
{
    fixture_t f;
    fixture_init(&f, "s1");
    static const dorm_html_source_t inputs[] = {{"s1", "/data/s1"}, {"s<2", "/data/s2"}};
    static const double cut[3] = {6000, NAN, 35}; /* genes beyond the histogram's range */
    f.in.date = "2026-12-07";
    f.in.inputs = inputs;
    f.in.n_inputs = 2;
    f.in.qc_cut = cut;
    char *dir = tmpdir_new();
    char *text = render(dir, "report.html", &f.in, NULL);
    cr_assert(strstr(text, ", run of 2026-12-07</p>"));
    cr_assert(strstr(text, "Input: s1 (/data/s1); s&lt;2 (/data/s2)</p>"));
    cr_assert(strstr(text, "<title>QC cut-off: 35</title>")); /* the axis reaches it */
    cr_assert_eq(count_of(text, "<g class=\"cut\">"), 1);
    cr_assert(strstr(text, "<figcaption>QC cut-off 6000, outside the axis</figcaption>"));
    cr_assert_null(strstr(text, "% of the state"));
    free(text);
    rm_rf(dir);
    free(dir);
}
