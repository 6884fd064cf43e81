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
    int saved_errno; /* of the first failed write, reported by close/commit */
    int to_stdout;   /* dorm_outfile_open_stdout: no file, nothing to rename */
} dorm_outfile_t;

int dorm_outfile_open(dorm_outfile_t *o, const char *dir, const char *name, int gzip,
                      dorm_err_t *err) DORM_WUR;
/* Standard output as an outfile (plain text): commit flushes it and
 * reports a failed write; there is nothing to rename or remove. */
void dorm_outfile_open_stdout(dorm_outfile_t *o);
/* Append bytes; errors are remembered and reported by commit. */
void dorm_outfile_write(dorm_outfile_t *o, const char *buf, size_t len);
void dorm_outfile_printf(dorm_outfile_t *o, const char *fmt, ...) DORM_PRINTF(2, 3);
/* Flush and close, keeping the temporary file (the last step that can run
 * out of space); on error the file is deleted and err names the cause. */
int dorm_outfile_close(dorm_outfile_t *o, dorm_err_t *err) DORM_WUR;
/* Close if still open, then rename into place: dorm_outfile_commit_all of
 * one file. */
int dorm_outfile_commit(dorm_outfile_t *o, dorm_err_t *err) DORM_WUR;
/* Commit the set o[0..n) (entries without a final name are skipped) as a
 * whole: every write is finished first, then each earlier file of a final
 * name is moved aside and the new one renamed in; if any step fails, every
 * step is undone, so that the directory holds the earlier run's files (or
 * none) and err names the file.  A terminating signal meanwhile waits for
 * the end.  Every o[i] is aborted (freed) on return. */
int dorm_outfile_commit_all(dorm_outfile_t *o, int n, dorm_err_t *err) DORM_WUR;
/* Close and delete the temporary file (safe after commit or on a zeroed o). */
void dorm_outfile_abort(dorm_outfile_t *o);

/* Create dir (and parents) unless it exists. */
int dorm_mkdir_p(const char *dir, dorm_err_t *err) DORM_WUR;
/* An output directory for a run: created (dorm_mkdir_p), locked against
 * other runs (a second run into it fails at once, naming it), and cleared
 * of the temporaries that dead runs left.  Pass *lock_fd to
 * dorm_outdir_release once the outputs are committed (or not). */
int dorm_outdir_prepare(const char *dir, int *lock_fd, dorm_err_t *err) DORM_WUR;
void dorm_outdir_release(int lock_fd);
/* For a program: SIGINT, SIGTERM, SIGHUP and SIGPIPE remove the outputs'
 * temporary files and end the process by the signal (128 + signal); a file
 * over the size limit (SIGXFSZ) fails its write instead.  Call once, early. */
void dorm_outputs_guard_signals(void);

/* Format a double for the tables: %.10g, "NA" for NaN. buf >= 32 bytes. */
const char *dorm_fmt_double(double v, char *buf);
/* The same text written at dst (room for 32 bytes, not NUL-terminated);
 * returns its end. */
char *dorm_fmt_double_put(double v, char *dst);
/* A count: an integral v below 2^63 in magnitude as all its digits ("%lld";
 * 1000000000000000, not 1e+15), anything else as dorm_fmt_double_put.
 * Writes at most 32 bytes; returns the end. */
char *dorm_fmt_count_put(double v, char *dst);

/* ---- cells table ---- */
#include "dormscan/classify.h"

/* One row of cells.tsv. */
typedef struct dorm_cell_row_t {
    const char *barcode;
    const char *sample;         /* NULL: no sample column */
    const dorm_qc_t *qc;
    const double *set;          /* n_sets x (score, z, p) */
    const double *set_fdr;      /* n_sets */
    const double *evidence;     /* DORM_N_EVIDENCE evidence z */
    const char *phase;
    const char *state;
    int sasp;
    double confidence;
} dorm_cell_row_t;

/* Header: barcode, [sample], QC columns (dorm_ prefix), per set NAME,
 * NAME_z, NAME_p, NAME_fdr, score_<programme>, phase, state, sasp,
 * confidence. */
void dorm_cells_write_header(dorm_outfile_t *o, char *const *set_names, int n_sets,
                             int sample_column);
void dorm_cells_write_row(dorm_outfile_t *o, const dorm_cell_row_t *row, int n_sets);
/* The bytes a row can take at most (for dorm_cells_format_row's buffer). */
size_t dorm_cells_row_max(const dorm_cell_row_t *row, int n_sets);
/* Format the row, newline included, into buf (>= dorm_cells_row_max bytes,
 * not NUL-terminated); returns its length.  Thread-safe. */
size_t dorm_cells_format_row(char *buf, const dorm_cell_row_t *row, int n_sets);

/* ---- summary ---- */

/* Exact counts per (sample, grouping, group); evidence is summed in
 * millionths as integers, so sums do not depend on the order of cells. */
typedef struct dorm_summary_row_t {
    char *sample, *grouping, *group;
    int64_t n_cells;
    int64_t state[DORM_N_STATES];
    int64_t sasp;
    int64_t phase[DORM_N_PHASES + 1]; /* last slot: phase NA */
    int64_t evidence_micro[DORM_N_EVIDENCE];
    int64_t evidence_n[DORM_N_EVIDENCE];
} dorm_summary_row_t;

typedef struct dorm_summary_t {
    dorm_summary_row_t *rows;
    int64_t n, cap;
    struct dorm_strmap_t *index; /* row key -> row */
} dorm_summary_t;

int dorm_summary_init(dorm_summary_t *s, dorm_err_t *err) DORM_WUR;
void dorm_summary_destroy(dorm_summary_t *s);
/* Count one cell in the row (sample, grouping, group), created on first use.
 * phase is DORM_N_PHASES when NA; evidence NaN is not summed. */
int dorm_summary_add(dorm_summary_t *s, const char *sample, const char *grouping,
                     const char *group, dorm_state_t state, int sasp, int phase,
                     const double *evidence, dorm_err_t *err) DORM_WUR;
/* Fold the counts of row in (read back from a summary.tsv) into s under
 * sample (in's grouping and group). */
int dorm_summary_merge_row(dorm_summary_t *s, const dorm_summary_row_t *in, const char *sample,
                           dorm_err_t *err) DORM_WUR;

/* MultiQC custom content: bar (a bargraph of cells per state per sample) and
 * stats (general statistics: % of cells per state), from the per-sample
 * "all" rows of s. */
void dorm_mqc_write(dorm_outfile_t *bar, dorm_outfile_t *stats, const dorm_summary_t *s);

/* Write summary.tsv: a header, then the rows of each part in order of first
 * appearance (e.g. per-sample rows, then rows over all samples).  Besides the
 * means, n_score_* and sum_score_* give each mean's exact count and sum
 * (in millionths), so that summaries merge exactly. */
void dorm_summary_write(dorm_outfile_t *o, const dorm_summary_t *const *parts, int n_parts);

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
/* A value already written as JSON (e.g. another run.json), copied as it is;
 * trailing white space is dropped.  The caller vouches that it is JSON. */
void dorm_json_raw(dorm_json_t *j, const char *key, const char *json);

#endif
