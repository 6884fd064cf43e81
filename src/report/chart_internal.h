/* chart_internal.h -- the chart model of report.html (chart.c): the
 * geometry of a histogram panel and the axes fitted to its data. */
#ifndef DORM_REPORT_CHART_INTERNAL_H
#define DORM_REPORT_CHART_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dormscan/html.h"

#define PANEL_W 340.0
#define PANEL_H 240.0
#define PANEL_L 50.0
#define PANEL_R 14.0
#define PANEL_T 28.0
#define PANEL_B 46.0
#define PLOT_W (PANEL_W - PANEL_L - PANEL_R)
#define PLOT_H (PANEL_H - PANEL_T - PANEL_B)

typedef struct dorm_axes_t {
    double x0, x1; /* data range on x */
    double y1;     /* top of the y axis (bottom is 0) */
    double y_step;
    int y_percent;
} dorm_axes_t;

/* Values of h inside [lo, hi]. */
int64_t dorm_hist_inside(const dorm_hist_t *h);

/* Where x and y fall in the panel (x beyond the axis: at its ends). */
double dorm_axes_px(const dorm_axes_t *a, double x);
double dorm_axes_py(const dorm_axes_t *a, double y);
/* A step of 1, 2 or 5 times a power of ten giving about target intervals. */
double dorm_nice_step(double range, int target);
/* The x range drawn for the n histograms h sharing an axis: the bins that
 * hold values (an edge with values beyond a histogram's range stays at its
 * lo or hi, so the cut shows), at least 10 bins wide and rounded out to
 * ticks, never beyond the histograms' ranges. */
void dorm_axes_fit_x(dorm_axes_t *a, const dorm_hist_t *const *h, int n);
/* The y axis over [0, max]: percent (any step) or counts (whole steps). */
void dorm_axes_fit_y(dorm_axes_t *a, double max, int percent);
/* A tick's label for value v on an axis of this step (percent: with %). */
void dorm_tick_label(char *buf, size_t n, double v, double step, int percent);

#endif
