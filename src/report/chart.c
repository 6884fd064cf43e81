/* chart.c -- the chart model of report.html: fixed-range histograms and
 * the axes drawn for them (no drawing here; html.c draws). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart_internal.h"

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
int64_t dorm_hist_inside(const dorm_hist_t *h)
{
    int64_t n = 0;
    for (int b = 0; b < DORM_HIST_BINS; b++)
        n += h->count[b];
    return n;
}

int64_t dorm_hist_total(const dorm_hist_t *h)
{
    return dorm_hist_inside(h) + h->below + h->above + h->missing;
}

/* x in the plot; values beyond the axis are drawn at its ends. */
double dorm_axes_px(const dorm_axes_t *a, double x)
{
    if (x < a->x0)
        x = a->x0;
    if (x > a->x1)
        x = a->x1;
    return PANEL_L + (x - a->x0) / (a->x1 - a->x0) * PLOT_W;
}

double dorm_axes_py(const dorm_axes_t *a, double y)
{
    return PANEL_T + PLOT_H - (a->y1 > 0 ? y / a->y1 : 0) * PLOT_H;
}

/* A step of 1, 2 or 5 times a power of ten giving about target intervals. */
double dorm_nice_step(double range, int target)
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
void dorm_axes_fit_x(dorm_axes_t *a, const dorm_hist_t *const *h, int n)
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
    double step = dorm_nice_step(x1 - x0, 5);
    x0 = floor(x0 / step + 1e-9) * step;
    x1 = ceil(x1 / step - 1e-9) * step;
    a->x0 = x0 < lo ? lo : x0;
    a->x1 = x1 > hi ? hi : x1;
}

void dorm_tick_label(char *buf, size_t n, double v, double step, int percent)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6)
        dec = 6;
    if (fabs(v) < step * 1e-6)
        v = 0;
    snprintf(buf, n, percent ? "%.*f%%" : "%.*f", dec, v);
}

/* The y axis over [0, max]: percent (any step) or counts (whole steps). */
void dorm_axes_fit_y(dorm_axes_t *a, double max, int percent)
{
    a->y_percent = percent;
    if (!(max > 0))
        max = percent ? 10 : 1;
    double step = dorm_nice_step(max, 4);
    if (!percent && step < 1)
        step = 1;
    a->y_step = step;
    a->y1 = ceil(max / step - 1e-9) * step;
}
