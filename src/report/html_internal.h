/* html_internal.h -- what the files of report.html share (colours, the
 * state legend, the composition section). */
#ifndef DORM_REPORT_HTML_INTERNAL_H
#define DORM_REPORT_HTML_INTERNAL_H

#include "dormscan/html.h"
#include "html_text.h"

/* Fixed colours per state (Okabe-Ito based, distinguishable with the common
 * colour-vision deficiencies); text drawn on a segment uses the matching
 * class ("tw": white, "tk": dark). */
extern const char *const dorm_html_state_colour[DORM_N_STATES];
extern const char *const dorm_html_state_text_class[DORM_N_STATES];
/* Samples' outlines: Paul Tol's qualitative "bright" colours, then two of
 * his "muted" ones: as many as can be told apart. */
#define MAX_OUTLINES 8
extern const char *const dorm_html_sample_colour[MAX_OUTLINES];
extern const char *const dorm_html_qc_colour, *const dorm_html_cut_colour,
    *const dorm_html_sasp_colour;

/* The legend of the states (shown NULL: all; else those with shown[s]). */
void dorm_html_legend_states(dorm_outfile_t *o, const int *shown);
/* The state composition section: charts per sample and per grouping, and
 * the counts table. */
void dorm_html_composition_section(dorm_outfile_t *o, const dorm_html_input_t *in);

#endif
