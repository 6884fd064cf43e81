/* reference_run.c -- the two passes that make a reference from inputs.
 *
 * Pass 1 sums the log-normalised expression of every reference cell per
 * gene, for all reference cells and per cell type, over the union of the
 * inputs' genes (matched by feature id).  Pass 2 scores each reference cell
 * against those means exactly as `score` will, and writes its raw evidence
 * to a temporary file; the baselines are then the median and robust spread
 * of each programme per population (baseline.c).  Cells are taken in input
 * order, so the sums, and so the reference, are those of one joint run. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline_internal.h"
#include "io/cellmeta.h"
#include "core/text.h"
#include "dormscan/reference_file.h"
#include "dormscan/geneset.h"
#include "dormscan/pipeline.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"
#include "dormscan/log.h"
#include "dormscan/outfile.h"
#include "reference_run_internal.h"
#include "thread_plan_internal.h"
#include "reference_use_internal.h"
#include "run_sets_internal.h"
#include "store/spill.h"

/* A reference cell's record in the temporary file: 0 (not skipped), its
 * population, its components' deviations and variances, the programmes'
 * raw evidence and p-values. */
enum { REC_POP = 1, REC_COMP = 2, REC_EV_Z = REC_COMP + 3 * DORM_N_COMPONENTS,
       REC_EV_P = REC_EV_Z + DORM_N_EVIDENCE, REC_LEN = REC_EV_P + DORM_N_EVIDENCE };

typedef struct builder_t {
    const dorm_run_opts_t *opts;
    run_sets_t sets;
    cellmeta_t meta;
    /* the union of the inputs' genes */
    dorm_strmap_t gene_index;  /* gene key (dorm_gene_keys) -> union gene */
    char **ids, **names;
    int64_t n_genes, cap;
    popmeans_t pm;
    int species_set;
    dorm_species_t species;
    uint8_t *in_memory;         /* per sample: entries not grouped by cell */
    /* the current sample */
    const char *sample_name;
    dorm_reader_t *reader;
    uint8_t *qc_flags;
    int64_t n_mito, n_ribo;
    obsmap_t obs;
    typesrc_t types;
    int64_t *map;               /* sample gene -> union gene */
    uint8_t *eligible;
    const char **type;
    int32_t *pop;
    double *buf[6];            /* classifier score, z, p, deviation, variance, within-cell z */
    int64_t scratch_cells;
    int scratch_width;         /* classifier sets the buffers hold per cell */
} builder_t;

static int open_sample(builder_t *b, int s, dorm_err_t *err)
{
    const dorm_run_opts_t *o = b->opts;
    dorm_reader_opts_t ro = o->reader;
    ro.chunk_cells = o->chunk_cells;
    ro.in_memory = b->in_memory[s];
    ro.threads = dorm_thread_plan(o->threads, DORM_PASS_ONE_READ, 0).reader;
    b->sample_name = o->samples[s].name;
    int rc = dorm_reader_open(&b->reader, o->samples[s].path, &ro, err);
    const dorm_features_t *f = rc == 0 ? dorm_reader_features(b->reader) : NULL;
    if (rc == 0)
        rc = dorm_run_sets_match(&b->sets, o, f, o->samples[s].name, err);
    if (rc == 0)
        rc = dorm_qc_flags(f, &b->qc_flags, &b->n_mito, &b->n_ribo, err);
    b->types = (typesrc_t){&b->meta, -1, NULL, NULL};
    if (rc == 0 && o->celltype) {
        dorm_typesrc_column(&b->types, o->celltype);
        if (b->types.col < 0) {
            rc = dorm_obsmap_load(&b->obs, o->samples[s].path, dorm_reader_info(b->reader)->format,
                             o->celltype, "--celltype (not a --groups column)", err);
            b->types.obs = &b->obs.map;
            b->types.obs_values = b->obs.values;
        }
    }
    if (rc == 0 && !b->species_set) {
        b->species = b->sets.species;
        b->species_set = 1;
    } else if (rc == 0 && b->sets.species != b->species) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s cells, but the reference's first input is %s",
                          o->samples[s].name, dorm_species_name(b->sets.species),
                          dorm_species_name(b->species));
    }
    return rc;
}

static void close_sample(builder_t *b)
{
    dorm_reader_close(b->reader);
    b->reader = NULL;
    free(b->qc_flags);
    b->qc_flags = NULL;
    dorm_obsmap_free(&b->obs);
    free(b->map);
    b->map = NULL;
}

/* The sample's genes in the union (new ones appended), matched by their
 * keys (dorm_gene_keys: a repeated id and name stays two genes). */
static int map_genes(builder_t *b, const dorm_features_t *f, dorm_err_t *err)
{
    char **key = dorm_gene_keys(f->ids, f->names, f->n);
    if (!key || !(b->map = malloc((size_t)(f->n ? f->n : 1) * sizeof *b->map))) {
        dorm_gene_keys_free(key, f->n);
        return dorm_err_nomem(err);
    }
    int rc = 0;
    for (int64_t g = 0; rc == 0 && g < f->n; g++) {
        int64_t at = dorm_strmap_get(&b->gene_index, key[g]);
        if (at < 0 && b->n_genes == b->cap) {
            int64_t cap = b->cap ? 2 * b->cap : 4096;
            char **i = realloc(b->ids, (size_t)cap * sizeof *i);
            if (i)
                b->ids = i;
            char **n = i ? realloc(b->names, (size_t)cap * sizeof *n) : NULL;
            if (n)
                b->names = n;
            if (!n)
                rc = dorm_err_nomem(err);
            else
                b->cap = cap;
        }
        if (rc == 0 && at < 0) {
            at = b->n_genes;
            if (dorm_strmap_put(&b->gene_index, key[g], at) < 0 ||
                !(b->ids[at] = strdup(f->ids[g])))
                rc = dorm_err_nomem(err);
            else if (!(b->names[at] = strdup(f->names[g]))) {
                free(b->ids[at]);
                rc = dorm_err_nomem(err);
            } else {
                b->n_genes++;
            }
        }
        b->map[g] = at;
    }
    dorm_gene_keys_free(key, f->n);
    return rc;
}

static int reserve(builder_t *b, int64_t n, int width, dorm_err_t *err)
{
    if (n <= b->scratch_cells && width <= b->scratch_width)
        return 0;
    if (n < b->scratch_cells)
        n = b->scratch_cells;
    if (width < b->scratch_width)
        width = b->scratch_width;
    free(b->eligible);
    free(b->type);
    free(b->pop);
    b->eligible = malloc((size_t)n);
    b->type = malloc((size_t)n * sizeof *b->type);
    b->pop = malloc((size_t)n * sizeof *b->pop);
    int ok = b->eligible && b->type && b->pop;
    for (int k = 0; k < 6; k++) {
        free(b->buf[k]);
        b->buf[k] = malloc((size_t)n * (size_t)(width ? width : 1) * sizeof *b->buf[k]);
        ok = ok && b->buf[k];
    }
    b->scratch_cells = ok ? n : 0;
    b->scratch_width = ok ? width : 0;
    return ok ? 0 : dorm_err_nomem(err);
}

/* Which cells of ch are reference cells, and their types. */
static void classify_cells(builder_t *b, const dorm_chunk_t *ch)
{
    refcells_t rc = {&b->meta, b->sample_name, b->opts->celltype ? &b->types : NULL, b->qc_flags,
                     b->n_mito > 0, b->n_ribo > 0, &b->opts->qc};
    dorm_reference_cells(&rc, ch, b->eligible, b->type);
}

/* Pass 1 over sample s; DORM_E_UNSORTED asks for a restart in memory. */
static int sum_sample(builder_t *b, int s, dorm_err_t *err)
{
    int rc = open_sample(b, s, err);
    if (rc == 0)
        rc = map_genes(b, dorm_reader_features(b->reader), err);
    if (rc == 0)
        rc = dorm_popmeans_grow(&b->pm, b->n_genes, err);
    const dorm_chunk_t *ch;
    while (rc == 0 && (rc = dorm_reader_read(b->reader, &ch, err)) > 0) {
        if ((rc = reserve(b, ch->n_cells, b->sets.n_cls, err)) < 0)
            break;
        classify_cells(b, ch);
        rc = dorm_popmeans_add(&b->pm, &b->opts->score, ch, b->eligible, b->type, b->map, err);
    }
    close_sample(b);
    return rc;
}

static int pass_means(builder_t *b, dorm_err_t *err)
{
    for (;;) {
        dorm_popmeans_free(&b->pm);
        int rc = dorm_popmeans_init(&b->pm, 0, b->opts->celltype != NULL, err);
        int restart = 0;
        for (int s = 0; rc == 0 && s < b->opts->n_samples; s++) {
            rc = sum_sample(b, s, err);
            if (rc == DORM_E_UNSORTED && !b->in_memory[s]) {
                dorm_log(DORM_LOG_WARN, "%s: entries are not grouped by cell; loading the whole matrix",
                         b->opts->samples[s].path);
                dorm_err_clear(err);
                b->in_memory[s] = 1;
                restart = 1;
                rc = 0;
                break;
            }
        }
        if (rc < 0 || !restart)
            return rc;
    }
}

/* Pass 2 over sample s: each reference cell's raw evidence into out. */
static int evidence_sample(builder_t *b, int s, const dorm_reference_t *ref, spill_t *out,
                           dorm_err_t *err)
{
    int rc = open_sample(b, s, err);
    const dorm_features_t *f = rc == 0 ? dorm_reader_features(b->reader) : NULL;
    dorm_scorer_t **cls = NULL;
    if (rc == 0)
        rc = dorm_reference_scorers(ref, f, &b->sets, &b->opts->score, &cls, err);
    const dorm_chunk_t *ch;
    while (rc == 0 && (rc = dorm_reader_read(b->reader, &ch, err)) > 0) {
        if ((rc = reserve(b, ch->n_cells, b->sets.n_cls, err)) < 0)
            break;
        classify_cells(b, ch);
        for (int64_t c = 0; c < ch->n_cells; c++)
            b->pop[c] = !b->eligible[c] ? -1 : dorm_reference_pop(ref, b->type[c]);
        rc = dorm_reference_score_chunk(cls, ref->n_pops, b->pop, ch, b->sets.n_cls, b->buf, err);
        for (int64_t c = 0; rc == 0 && c < ch->n_cells; c++) {
            if (b->pop[c] < 0)
                continue;
            double rec[REC_LEN];
            size_t at = (size_t)c * (size_t)b->sets.n_cls;
            rec[0] = 0;
            rec[REC_POP] = b->pop[c];
            dorm_reference_components(&b->sets, b->buf[3] + at, b->buf[4] + at, b->buf[5] + at,
                                 rec + REC_COMP);
            for (int e = REC_EV_Z; e < REC_LEN; e++)
                rec[e] = NAN; /* (dorm_records_evidence fills them) */
            rc = dorm_cellmeta_check_barcode(ch->barcodes[c], b->opts->samples[s].path,
                                        ch->first_cell + c, err);
            if (rc == 0)
                rc = dorm_spill_append(out, rec, ch->barcodes[c], err);
        }
    }
    for (int p = 0; cls && p < ref->n_pops; p++)
        dorm_scorer_destroy(cls[p]);
    free(cls);
    close_sample(b);
    return rc;
}

/* What the reference was made from, for its built_from line. */
static char *describe(const dorm_run_opts_t *o)
{
    size_t cap = 4096, used = 0;
    char *d = malloc(cap);
    if (!d)
        return NULL;
    d[0] = '\0';
    dorm_appendf(d, cap, &used, "%d input%s:", o->n_samples, o->n_samples == 1 ? "" : "s");
    for (int s = 0; s < o->n_samples; s++)
        dorm_appendf(d, cap, &used, " %s", o->samples[s].name);
    if (o->cells_path)
        dorm_appendf(d, cap, &used, "; --cells %s", o->cells_path);
    if (o->keep)
        dorm_appendf(d, cap, &used, "; --keep %s", o->keep);
    if (o->baseline)
        dorm_appendf(d, cap, &used, "; --baseline %s", o->baseline);
    dorm_appendf(d, cap, &used, "; QC min_genes %lld, min_umis %g, max_mito %g",
                 (long long)o->qc.min_genes, o->qc.min_umis, o->qc.max_mito);
    dorm_text_flatten(d); /* one line of the file */
    return d;
}

int dorm_reference_build(const dorm_run_opts_t *opts, const char *tmp_dir, dorm_reference_t **out,
                    dorm_err_t *err)
{
    *out = NULL;
    builder_t b;
    memset(&b, 0, sizeof b);
    b.opts = opts;
    dorm_strmap_init(&b.gene_index);
    spill_t sp;
    memset(&sp, 0, sizeof sp);
    dorm_reference_t *ref = NULL;
    int rc = dorm_run_sets_load(&b.sets, opts, err);
    if (rc == 0)
        rc = dorm_cellmeta_load(&b.meta, opts->groups_path, opts->cells_path, opts->keep,
                           opts->baseline, err);
    if (rc == 0 && !(b.in_memory = calloc((size_t)opts->n_samples + 1, 1)))
        rc = dorm_err_nomem(err);
    if (rc == 0 && (rc = dorm_spill_open(&sp, tmp_dir, "reference", REC_LEN, err)) < 0)
        rc = dorm_err_set(err, rc, "cannot create a temporary file in %s (beside the output, or "
                          "$TMPDIR): %s", tmp_dir, strerror(errno));
    b.sets.quiet = 1; /* (the column sets' coverage: score's business) */
    if (rc == 0)
        rc = pass_means(&b, err);
    if (rc == 0)
        rc = dorm_popmeans_reference(&b.pm, b.ids, b.names, &ref, err);
    if (rc == 0)
        rc = dorm_reference_check_baseline(ref, opts->baseline, err);
    if (rc == 0) {
        ref->species = b.species;
        dorm_reference_panel_hash(&b.sets, ref->panel);
        ref->n_bins = opts->score.n_bins;
        ref->normalized = opts->score.normalized != 0;
        ref->scale_factor = opts->score.scale_factor;
        if ((opts->celltype && !(ref->celltype = strdup(opts->celltype))) ||
            !(ref->built_from = describe(opts)))
            rc = dorm_err_nomem(err);
    }
    for (int s = 0; rc == 0 && s < opts->n_samples; s++)
        rc = evidence_sample(&b, s, ref, &sp, err);
    record_cols_t cols = {REC_LEN, REC_POP, REC_COMP, REC_EV_Z, REC_EV_P, -1, 0};
    if (rc == 0)
        rc = dorm_component_baselines(sp.rec, sp.rec_path, &cols, ref, sp.fdr_memory, err);
    if (rc == 0)
        rc = dorm_records_evidence(sp.rec, sp.rec_path, &cols, ref, err);
    if (rc == 0)
        rc = dorm_programme_baselines(sp.rec, sp.rec_path, &cols, ref, sp.fdr_memory, err);
    dorm_spill_close(&sp);
    close_sample(&b);
    dorm_popmeans_free(&b.pm);
    for (int64_t g = 0; g < b.n_genes; g++) {
        free(b.ids[g]);
        free(b.names[g]);
    }
    free(b.ids);
    free(b.names);
    dorm_strmap_destroy(&b.gene_index);
    free(b.in_memory);
    free(b.eligible);
    free(b.type);
    free(b.pop);
    for (int k = 0; k < 6; k++)
        free(b.buf[k]);
    dorm_run_sets_free(&b.sets);
    dorm_cellmeta_free(&b.meta);
    if (rc < 0) {
        dorm_reference_destroy(ref);
        return rc;
    }
    *out = ref;
    return 0;
}

/* Whether path names a file (not a directory). */
static int check_name(const char *path, dorm_err_t *err)
{
    struct stat st;
    size_t n = strlen(path);
    if (n == 0 || path[n - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
        return dorm_err_set(err, DORM_E_USAGE, "%s: a directory; -o takes the reference file's "
                            "name", path);
    return 0;
}

int dorm_run_reference(const dorm_run_opts_t *opts, const char *path, dorm_err_t *err)
{
    /* the temporary records go beside the output (made if missing), or
     * into $TMPDIR for standard output */
    const char *tmp = getenv("TMPDIR");
    char *dir = strdup(strcmp(path, "-") == 0 ? (tmp && *tmp ? tmp : "/tmp") : path);
    if (!dir)
        return dorm_err_nomem(err);
    char *slash = strcmp(path, "-") == 0 ? NULL : strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    else if (slash)
        dir[1] = '\0';
    else if (strcmp(path, "-") != 0)
        strcpy(dir, ".");
    dorm_reference_t *ref = NULL;
    int to_file = strcmp(path, "-") != 0;
    int rc = to_file ? check_name(path, err) : 0; /* the output's faults before the reading */
    if (rc == 0)
        rc = dorm_mkdir_p(dir, err);
    if (rc == 0 && to_file && access(dir, W_OK | X_OK) != 0)
        rc = dorm_err_set(err, DORM_E_IO, "%s: cannot write into %s: %s", path, dir,
                          strerror(errno));
    if (rc == 0)
        rc = dorm_reference_build(opts, dir, &ref, err);
    free(dir);
    if (rc == 0 && ref->pop_cells[0] == 0) /* (a run scores such cells as low_quality) */
        rc = dorm_err_set(err, DORM_E_FORMAT, "no reference cells: every cell was left out by "
                          "--cells/--keep or failed the QC (--min-genes, --min-umis, --max-mito)");
    if (rc == 0) {
        for (int p = 0; p < ref->n_pops; p++)
            dorm_log(DORM_LOG_INFO, "reference population %s: %lld cells", ref->pop_names[p],
                     (long long)ref->pop_cells[p]);
        rc = dorm_reference_write(ref, path, err);
    }
    dorm_reference_destroy(ref);
    return rc;
}
