/* finish.c -- BH, calls, table rows and summary counts of one sample. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/grow.h"
#include "core/threads.h"
#include "dormscan/log.h"
#include "finish_internal.h"
#include "store/repeats.h"

static int summarise(const finisher_t *f, const char *sample, dorm_state_t state, int sasp,
                     int phase, const double *ev, const char *barcode, dorm_err_t *err)
{
    dorm_summary_t *targets[2] = {f->summary, f->summary_all};
    const char *names[2] = {sample, "all"};
    for (int t = 0; t < 2; t++) {
        if (!targets[t])
            continue;
        int rc = dorm_summary_add(targets[t], names[t], "all", "all", state, sasp, phase, ev, err);
        for (int c = 0; rc == 0 && c < f->meta->n_cols; c++) {
            const char *g = dorm_cellmeta_group(f->meta, barcode, c);
            rc = dorm_summary_add(targets[t], names[t], f->meta->col_names[c], g ? g : "NA",
                                  state, sasp, phase, ev, err);
        }
        if (rc == 0 && f->groupby) {
            int64_t k = dorm_strmap_get(f->obs_group, barcode);
            rc = dorm_summary_add(targets[t], names[t], f->groupby,
                                  k >= 0 ? f->obs_values[k] : "NA", state, sasp, phase, ev, err);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

#define ROW_BLOCK 2048 /* records read, called and formatted at a time */
#define PIECE 128      /* rows formatted by one thread at a time */
#define N_PIECES (ROW_BLOCK / PIECE)

typedef struct row_block_t row_block_t;

/* A piece of a block: calls and formatted rows of [lo, hi). */
typedef struct row_part_t {
    row_block_t *b;
    int64_t lo, hi;
    char *text;
    size_t len;
    int64_t cap;
    int failed;
} row_part_t;

/* A block of records read back from the spill, with their calls. */
struct row_block_t {
    int64_t n;
    double *rec;       /* ROW_BLOCK x rec_len */
    double *fdr;       /* ROW_BLOCK x n_fdr */
    char *names;       /* barcodes, NUL-terminated, back to back */
    size_t names_len;
    int64_t names_cap;
    size_t *name_at;   /* ROW_BLOCK offsets into names */
    dorm_call_t *call; /* ROW_BLOCK */
    int *phase;        /* ROW_BLOCK, DORM_N_PHASES for NA */
    row_part_t part[N_PIECES];
    int n_parts;
};

/* Threads that format the pieces of one block at a time; the main thread
 * takes pieces too when it has nothing else to do. */
typedef struct formatter_t {
    const finisher_t *f;
    const char *sample;
    dorm_team_t team;       /* the helpers; team.mu guards what follows */
    row_block_t *cur;       /* being formatted, or NULL */
    int next, done;         /* pieces of cur taken, finished */
} formatter_t;

static void format_part(const formatter_t *fm, row_part_t *pt)
{
    const finisher_t *f = fm->f;
    row_block_t *b = pt->b;
    int n_out = f->n_out, rec_len = R_LEN(n_out), n_fdr = n_out + DORM_N_EVIDENCE;
    pt->len = 0;
    pt->failed = 0;
    for (int64_t i = pt->lo; i < pt->hi && !pt->failed; i++) {
        const double *rec = b->rec + i * rec_len, *fdr = b->fdr + i * n_fdr;
        int low = rec[R_LOW] != 0;
        dorm_call(low, rec + R_EV_Z(n_out), fdr + n_out, f->fdr, &b->call[i]);
        int phase = DORM_N_PHASES; /* NA */
        if (!low && b->call[i].state != DORM_STATE_UNSCORED)
            phase = (int)rec[R_PHASE];
        b->phase[i] = phase;
        dorm_qc_t qc = {rec[R_UMI], (int64_t)rec[R_GENES], rec[R_MITO], rec[R_RIBO]};
        dorm_cell_row_t row = {
            .barcode = b->names + b->name_at[i],
            .sample = f->sample_column ? fm->sample : NULL,
            .qc = &qc,
            .set = rec + R_SETS,
            .set_fdr = fdr,
            .evidence = rec + R_EV_Z(n_out),
            .phase = phase < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)phase) : "NA",
            .state = dorm_state_name(b->call[i].state),
            .sasp = b->call[i].sasp,
            .confidence = b->call[i].confidence,
        };
        if (dorm_grow(&pt->text, &pt->cap, (int64_t)(pt->len + dorm_cells_row_max(&row, n_out)),
                      1, 1 << 16) < 0) {
            pt->failed = 1;
            break;
        }
        pt->len += dorm_cells_format_row(pt->text + pt->len, &row, n_out);
    }
}

/* Format the next piece of the current block, if any is left (lock held;
 * released while formatting).  1 if one was formatted. */
static int take_piece(formatter_t *fm)
{
    row_block_t *b = fm->cur;
    if (!b || fm->next >= b->n_parts)
        return 0;
    row_part_t *pt = &b->part[fm->next++];
    pthread_mutex_unlock(&fm->team.mu);
    format_part(fm, pt);
    pthread_mutex_lock(&fm->team.mu);
    if (++fm->done == b->n_parts)
        pthread_cond_broadcast(&fm->team.cv);
    return 1;
}

static void *format_thread(void *arg)
{
    formatter_t *fm = arg;
    pthread_mutex_lock(&fm->team.mu);
    while (!fm->team.stop)
        if (!take_piece(fm))
            pthread_cond_wait(&fm->team.cv, &fm->team.mu);
    pthread_mutex_unlock(&fm->team.mu);
    return NULL;
}

/* Hand block b to the formatting threads. */
static void post_block(formatter_t *fm, row_block_t *b)
{
    b->n_parts = (int)((b->n + PIECE - 1) / PIECE);
    for (int k = 0; k < b->n_parts; k++) {
        b->part[k].b = b;
        b->part[k].lo = (int64_t)k * PIECE;
        b->part[k].hi = b->n < (int64_t)(k + 1) * PIECE ? b->n : (int64_t)(k + 1) * PIECE;
    }
    pthread_mutex_lock(&fm->team.mu);
    fm->cur = b;
    fm->next = fm->done = 0;
    pthread_cond_broadcast(&fm->team.cv);
    pthread_mutex_unlock(&fm->team.mu);
}

/* Format what is left of the current block on this thread too, then wait
 * until every piece is done. */
static void finish_block_pieces(formatter_t *fm)
{
    pthread_mutex_lock(&fm->team.mu);
    while (take_piece(fm))
        ;
    while (fm->cur && fm->done < fm->cur->n_parts)
        pthread_cond_wait(&fm->team.cv, &fm->team.mu);
    fm->cur = NULL;
    pthread_mutex_unlock(&fm->team.mu);
}

/* Start n_helpers formatting threads (fewer if they do not start: the main
 * thread formats what they do not). */
static int formatter_start(formatter_t *fm, const finisher_t *f, const char *sample, int n_helpers)
{
    memset(fm, 0, sizeof *fm);
    fm->f = f;
    fm->sample = sample;
    if (dorm_team_init(&fm->team) < 0)
        return -1;
    dorm_team_start(&fm->team, n_helpers, format_thread, fm, 0);
    return 0;
}

/* Read up to ROW_BLOCK records from index `first`; 0 when none are left. */
static int read_block(spill_t *sp, row_block_t *b, int64_t first, int rec_len, int n_fdr,
                      dorm_err_t *err)
{
    b->n = 0;
    b->names_len = 0;
    char *barcode;
    int rc = 0;
    while (b->n < ROW_BLOCK &&
           (rc = dorm_spill_next(sp, first + b->n, b->rec + b->n * rec_len, &barcode,
                            b->fdr + b->n * n_fdr, err)) > 0) {
        size_t len = strlen(barcode) + 1;
        if (dorm_grow(&b->names, &b->names_cap, (int64_t)(b->names_len + len), 1, 1 << 16) < 0)
            return dorm_err_nomem(err);
        memcpy(b->names + b->names_len, barcode, len);
        b->name_at[b->n++] = b->names_len;
        b->names_len += len;
    }
    return rc < 0 ? rc : b->n > 0;
}

/* A formatted block's rows written in order; then its histograms and
 * summary counts, in order. */
static int write_block(const finisher_t *f, const char *sample, const row_block_t *b,
                       dorm_err_t *err)
{
    int n_out = f->n_out, rec_len = R_LEN(n_out);
    for (int k = 0; k < b->n_parts; k++) {
        if (b->part[k].failed)
            return dorm_err_nomem(err);
        dorm_outfile_write(f->cells, b->part[k].text, b->part[k].len);
    }
    for (int64_t i = 0; i < b->n; i++) {
        const double *rec = b->rec + i * rec_len;
        int low = rec[R_LOW] != 0;
        const dorm_call_t *call = &b->call[i];
        for (int e = 0; f->evidence_hist && e < DORM_N_EVIDENCE; e++)
            dorm_hist_add(&f->evidence_hist[e][call->state], low ? NAN : rec[R_EV_Z(n_out) + e]);
        for (int e = 0; f->sample_evidence && !low && e < DORM_N_EVIDENCE; e++)
            dorm_hist_add(&f->sample_evidence[e], rec[R_EV_Z(n_out) + e]);
        if (f->qc_hist) {
            dorm_hist_add(&f->qc_hist[0], rec[R_GENES]);
            dorm_hist_add(&f->qc_hist[1], rec[R_UMI] > 0 ? log10(rec[R_UMI]) : NAN);
            dorm_hist_add(&f->qc_hist[2], rec[R_MITO]);
        }
        int rc = summarise(f, sample, call->state, call->sasp, b->phase[i], rec + R_EV_Z(n_out),
                           b->names + b->name_at[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int block_alloc(row_block_t *b, int rec_len, int n_fdr)
{
    memset(b, 0, sizeof *b);
    b->rec = malloc((size_t)ROW_BLOCK * (size_t)rec_len * sizeof *b->rec);
    b->fdr = malloc((size_t)ROW_BLOCK * (size_t)n_fdr * sizeof *b->fdr);
    b->name_at = malloc((size_t)ROW_BLOCK * sizeof *b->name_at);
    b->call = malloc((size_t)ROW_BLOCK * sizeof *b->call);
    b->phase = malloc((size_t)ROW_BLOCK * sizeof *b->phase);
    return b->rec && b->fdr && b->name_at && b->call && b->phase ? 0 : -1;
}

static void block_free(row_block_t *b)
{
    for (int k = 0; k < N_PIECES; k++)
        free(b->part[k].text);
    free(b->rec);
    free(b->fdr);
    free(b->names);
    free(b->name_at);
    free(b->call);
    free(b->phase);
}

/* A warning when rows of the sample share a barcode: they are kept, in
 * input order, but a table joined by barcode would mix them up. */
static int warn_repeats(spill_t *sp, const char *sample, dorm_err_t *err)
{
    char *first;
    int64_t rows[2];
    int64_t n = dorm_repeats_find(sp, &first, rows, err);
    if (n > 0)
        dorm_log(DORM_LOG_WARN,
                 "%s: %lld row%s repeat%s an earlier row's barcode (first %s, rows %lld and %lld "
                 "of the sample); every row is kept, in input order",
                 sample, (long long)n, n == 1 ? "" : "s", n == 1 ? "s" : "", first,
                 (long long)rows[0], (long long)rows[1]);
    free(first);
    return n < 0 ? (int)n : 0;
}

/* The rows in blocks, two at a time: while the formatting threads work on
 * one block, this thread reads the next, then writes and summarises the one
 * formatted (the order of the table and of the summaries is the input's). */
int dorm_finish_sample(const finisher_t *f, spill_t *sp, const char *sample, dorm_err_t *err)
{
    int n_out = f->n_out, n_fdr = n_out + DORM_N_EVIDENCE, rec_len = R_LEN(n_out);
    int n_threads = f->threads > 1 ? f->threads : 1;
    int rc = warn_repeats(sp, sample, err); /* first: its memory is free again before the FDRs' */
    int *cols = malloc((size_t)n_fdr * sizeof *cols);
    row_block_t blk[2];
    int alloc0 = block_alloc(&blk[0], rec_len, n_fdr), alloc1 = block_alloc(&blk[1], rec_len, n_fdr);
    if (rc < 0)
        goto done;
    if (!cols || alloc0 < 0 || alloc1 < 0) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (int i = 0; i < n_out; i++)
        cols[i] = R_SETS + 3 * i + 2;
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        cols[n_out + e] = R_EV_P(n_out) + e;
    rc = dorm_spill_fdr(sp, cols, n_fdr, R_LOW, n_threads, err);
    if (rc == 0)
        rc = dorm_spill_rewind(sp, err);
    formatter_t fm;
    if (rc == 0 && formatter_start(&fm, f, sample, n_threads - 1) < 0)
        rc = dorm_err_set(err, DORM_E_NOMEM, "cannot create a thread lock");
    if (rc < 0)
        goto done;
    int64_t first = 0;
    int more = read_block(sp, &blk[0], first, rec_len, n_fdr, err);
    if (more > 0)
        post_block(&fm, &blk[0]);
    for (int k = 0; more > 0; k++) {
        row_block_t *b = &blk[k % 2], *next = &blk[(k + 1) % 2];
        first += b->n;
        more = read_block(sp, next, first, rec_len, n_fdr, err);
        finish_block_pieces(&fm);
        if (more > 0)
            post_block(&fm, next);
        int wrc = write_block(f, sample, b, err);
        if (wrc < 0)
            more = wrc;
    }
    rc = more < 0 ? more : 0;
    finish_block_pieces(&fm); /* (after an error: nothing left running) */
    dorm_team_destroy(&fm.team);
done:
    free(cols);
    block_free(&blk[0]);
    block_free(&blk[1]);
    return rc;
}

/* Write summary.tsv (or cohort_summary.tsv) and the MultiQC files. */
int dorm_write_summaries(dorm_outfile_t o[3], const char *outdir, const char *name,
                    dorm_summary_t *per_sample, dorm_summary_t *all, dorm_err_t *err)
{
    int rc = dorm_outfile_open(&o[0], outdir, name, 0, err);
    if (rc == 0)
        rc = dorm_outfile_open(&o[1], outdir, "dormscan_mqc.tsv", 0, err);
    if (rc == 0)
        rc = dorm_outfile_open(&o[2], outdir, "dormscan_general_stats_mqc.tsv", 0, err);
    if (rc == 0) {
        const dorm_summary_t *parts[] = {per_sample, all};
        dorm_summary_write(&o[0], parts, all ? 2 : 1);
        dorm_mqc_write(&o[1], &o[2], per_sample);
    }
    return rc;
}

void dorm_finish_hists_init(dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES], dorm_hist_t qc[3])
{
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        for (int t = 0; t < DORM_N_STATES; t++)
            dorm_hist_init(&evidence[e][t], -20, 20);
    dorm_hist_init(&qc[0], 0, 10000);
    dorm_hist_init(&qc[1], 2, 6);
    dorm_hist_init(&qc[2], 0, 40);
}

void dorm_write_json_groups(dorm_json_t *j, const char *path, const cellmeta_t *meta)
{
    if (!path)
        return;
    dorm_json_open(j, "groups", '{');
    dorm_json_str(j, "path", path);
    dorm_json_str(j, "sha256", meta->groups_sha256);
    dorm_json_close(j, '}');
}

void dorm_write_json_warnings(dorm_json_t *j, const dorm_log_warnings_t *warnings)
{
    dorm_json_open(j, "warnings", '[');
    for (int i = 0; i < warnings->n; i++)
        dorm_json_str(j, NULL, warnings->msg[i]);
    dorm_json_close(j, ']');
    dorm_json_int(j, "warnings_not_kept", warnings->n_more);
}

/* "YYYY-MM-DD" of SOURCE_DATE_EPOCH (the reproducible-builds convention),
 * else of now, in UTC. */
static void report_date(char buf[32])
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    char *end = NULL;
    long long epoch = env ? strtoll(env, &end, 10) : 0;
    time_t t = env && *env && end && !*end && epoch >= 0 ? (time_t)epoch : time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%d", &tm))
        strcpy(buf, "unknown date");
}

int dorm_write_report(dorm_outfile_t *o, const char *outdir, const report_head_t *head,
                 const dorm_summary_t *per_sample,
                 const dorm_summary_t *all, dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES],
                 const dorm_hist_t qc[3], const dorm_html_coverage_t *coverage, int n_coverage,
                 dorm_err_t *err)
{
    int64_t n = per_sample->n + (all ? all->n : 0);
    dorm_summary_row_t *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    if (!rows)
        return dorm_err_nomem(err);
    memcpy(rows, per_sample->rows, (size_t)per_sample->n * sizeof *rows);
    if (all && all->n)
        memcpy(rows + per_sample->n, all->rows, (size_t)all->n * sizeof *rows);
    char date[32];
    report_date(date);
    dorm_html_input_t in = {
        .title = "dormscan report",
        .command_line = head->command_line,
        .reference = head->reference,
        .warnings = head->warnings,
        .date = date,
        .inputs = head->inputs,
        .n_inputs = head->n_inputs,
        .qc_cut = head->qc_cut,
        .sample_evidence = head->sample_evidence,
        .rows = rows,
        .n_rows = n,
        .evidence = (const dorm_hist_t(*)[DORM_N_STATES])evidence,
        .qc_genes = qc ? &qc[0] : NULL,
        .qc_umis_log10 = qc ? &qc[1] : NULL,
        .qc_mito = qc ? &qc[2] : NULL,
        .coverage = coverage,
        .n_coverage = n_coverage,
    };
    int rc = dorm_outfile_open(o, outdir, "report.html", 0, err);
    if (rc == 0)
        dorm_html_write(o, &in);
    free(rows);
    return rc;
}
