/* report.h -- output files written atomically, and the cells table format. */
#ifndef DORMSCAN_REPORT_H
#define DORMSCAN_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "dormscan/error.h"

/* A file written under a temporary name in its directory and renamed to its
 * final name by dorm_outfile_commit; dorm_outfile_abort removes it.  gzip
 * output is BGZF, which every gzip reader accepts. */
typedef struct dorm_outfile_t {
    char *final_path;
    char *tmp_path;
    void *fp;  /* FILE* or BGZF* */
    int gzip;
    int failed;
} dorm_outfile_t;

int dorm_outfile_open(dorm_outfile_t *o, const char *dir, const char *name, int gzip,
                      dorm_err_t *err) DORM_WUR;
/* Append bytes; errors are remembered and reported by commit. */
void dorm_outfile_write(dorm_outfile_t *o, const char *buf, size_t len);
void dorm_outfile_printf(dorm_outfile_t *o, const char *fmt, ...) DORM_PRINTF(2, 3);
/* Close, flush and rename into place. */
int dorm_outfile_commit(dorm_outfile_t *o, dorm_err_t *err) DORM_WUR;
/* Close and delete the temporary file (safe after commit or on a zeroed o). */
void dorm_outfile_abort(dorm_outfile_t *o);

/* Create dir (and parents) unless it exists. */
int dorm_mkdir_p(const char *dir, dorm_err_t *err) DORM_WUR;

/* Format a double for the tables: %.10g, "NA" for NaN. buf >= 32 bytes. */
const char *dorm_fmt_double(double v, char *buf);

#endif

/* ---- cells table ---- */
#include "dormscan/classify.h"

/* Header: barcode, QC columns (dorm_ prefix), one column per set, phase, state. */
void dorm_cells_write_header(dorm_outfile_t *o, char *const *set_names, int n_sets);
void dorm_cells_write_row(dorm_outfile_t *o, const char *barcode, const dorm_qc_t *qc,
                          const double *score, const double *z, const double *p, int n_sets,
                          const char *phase, const char *state);

/* ---- summary ---- */
typedef struct dorm_summary_t {
    int64_t n_cells;
    int64_t phase[DORM_N_PHASES + 1]; /* last slot: phase not available */
    int64_t state[DORM_N_STATES];
} dorm_summary_t;

/* Write summary.tsv rows: kind, label, n_cells, fraction. */
void dorm_summary_write(dorm_outfile_t *o, const dorm_summary_t *s);

/* ---- JSON (run.json) ---- */
typedef struct dorm_json_t {
    dorm_outfile_t *o;
    int depth;
    int count[32]; /* items written at each depth */
} dorm_json_t;

/* key is NULL inside arrays.  Nesting is limited to 31 levels. */
void dorm_json_init(dorm_json_t *j, dorm_outfile_t *o);
void dorm_json_open(dorm_json_t *j, const char *key, char bracket); /* '{' or '[' */
void dorm_json_close(dorm_json_t *j, char bracket);                 /* '}' or ']' */
void dorm_json_str(dorm_json_t *j, const char *key, const char *value); /* NULL -> null */
void dorm_json_num(dorm_json_t *j, const char *key, double value);      /* NaN -> null */
void dorm_json_int(dorm_json_t *j, const char *key, int64_t value);
void dorm_json_bool(dorm_json_t *j, const char *key, int value);
