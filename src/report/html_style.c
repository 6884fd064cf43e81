/* html_style.c -- report.html's colours and the state legend. */
#include "html_internal.h"

/* Fixed colours per state (Okabe-Ito based, distinguishable with the common
 * colour-vision deficiencies); text drawn on a segment uses the matching
 * class ("tw": white, "tk": dark). */
const char *const dorm_html_state_colour[DORM_N_STATES] = {"#D55E00", "#0072B2", "#009E73", "#CC79A7",
                                                        "#E69F00", "#B0B0B0", "#606060"};
/* Samples' outlines: Paul Tol's qualitative "bright" colours, then two of
 * his "muted" ones: as many as can be told apart. */
_Static_assert(DORM_N_STATES <= MAX_OUTLINES, "a state panel draws every state");
const char *const dorm_html_sample_colour[MAX_OUTLINES] = {"#4477AA", "#EE6677", "#228833", "#CCBB44",
                                                        "#66CCEE", "#AA3377", "#332288", "#882255"};
const char *const dorm_html_state_text_class[DORM_N_STATES] = {"tw", "tw", "tw", "tk",
                                                            "tk", "tk", "tw"};
const char *const dorm_html_qc_colour = "#3B6EA8";
const char *const dorm_html_cut_colour = "#C0392B";
const char *const dorm_html_sasp_colour = "#7F3B08";

void dorm_html_legend_states(dorm_outfile_t *o, const int *shown)
{
    dorm_html_put(o, "<ul class=\"legend\">");
    for (int s = 0; s < DORM_N_STATES; s++) {
        if (shown && !shown[s])
            continue;
        dorm_outfile_printf(o, "<li><span class=\"sw\" style=\"background:%s\"></span>%s</li>",
                            dorm_html_state_colour[s], dorm_state_name((dorm_state_t)s));
    }
    dorm_html_put(o, "</ul>\n");
}
