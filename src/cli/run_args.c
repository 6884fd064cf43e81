/* run_args.c -- the command line of `score` and `reference`: inputs, cells,
 * QC and scoring options into a dorm_run_opts_t. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "cli_internal.h"
#include "dormscan/dormscan.h"

/* The progress line on a terminal: cells read and rate, at most twice a second. */

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + 1e-9 * (double)(now.tv_nsec - t->tv_nsec);
}

static void show_progress(const char *sample, int64_t done, int64_t total, void *data)
{
    cli_progress_t *p = data;
    if (p->sample != sample) { /* a new sample: timed from the end of the previous one */
        if (p->sample) {
            fputc('\n', stderr);
            p->start = p->last;
        }
        p->sample = sample;
        p->last.tv_sec = 0;
    }
    if (done < total && p->last.tv_sec && seconds_since(&p->last) < 0.5)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    double t = seconds_since(&p->start);
    fprintf(stderr, "\rdormscan: %s: %lld of %lld cells, %.0f cells/s", sample, (long long)done,
            (long long)total, t > 0 ? (double)done / t : 0.0);
    fflush(stderr);
}

/* A sample name from an input path: its last component without a known
 * file extension. */
static char *name_from_path(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *start = path;
    for (size_t i = 0; i < n; i++)
        if (path[i] == '/')
            start = path + i + 1;
    size_t len = (size_t)(path + n - start);
    char *name = strndup(start, len);
    if (!name)
        return NULL;
    static const char *const suffixes[] = {".mtx.gz", ".mtx", ".h5ad", ".h5", ".loom", ".tsv.gz",
                                           ".tsv", ".csv.gz", ".csv", ".txt.gz", ".txt", ".bam",
                                           ".cram", NULL};
    for (int i = 0; suffixes[i]; i++) {
        size_t m = strlen(suffixes[i]);
        if (len > m && strcmp(name + len - m, suffixes[i]) == 0) {
            name[len - m] = '\0';
            break;
        }
    }
    return name;
}

enum {
    OPT_GMT = 256, OPT_METHOD, OPT_MAX_RANK, OPT_NBIN, OPT_CTRL, OPT_NORMALIZED,
    OPT_MIN_COVERAGE, OPT_MIN_GENES, OPT_MIN_UMIS, OPT_MAX_MITO, OPT_FDR, OPT_GZIP,
    OPT_CHUNK_CELLS, OPT_SAMPLE, OPT_SAMPLES, OPT_GROUPS, OPT_CELLS, OPT_KEEP, OPT_SPECIES,
    OPT_GROUPBY, OPT_SHARD, OPT_REFERENCE, OPT_CELLTYPE, OPT_MIN_REF_CELLS, OPT_BASELINE
};

/* Options of score that make no sense when building a reference. */
static int score_only(int c)
{
    switch (c) {
    case OPT_GMT: case OPT_METHOD: case OPT_MAX_RANK: case OPT_CTRL: case OPT_MIN_COVERAGE:
    case OPT_FDR: case OPT_GZIP: case OPT_SHARD: case OPT_REFERENCE: case OPT_MIN_REF_CELLS:
    case OPT_GROUPBY: case OPT_BASELINE:
        return 1;
    default:
        return 0;
    }
}

/* What the parse learns besides the options themselves. */
typedef struct parse_t {
    const char *cmd;
    int reference;              /* the command is reference, not score */
    void (*help)(void);
    char **argv;
    const char *sample_name;    /* --sample */
    const char *sheet;          /* --samples */
} parse_t;

static const struct option own_opts[] = {
    {"outdir", required_argument, NULL, 'o'},
    {"output", required_argument, NULL, 'o'},
    {"gmt", required_argument, NULL, OPT_GMT},
    {"method", required_argument, NULL, OPT_METHOD},
    {"max-rank", required_argument, NULL, OPT_MAX_RANK},
    {"nbin", required_argument, NULL, OPT_NBIN},
    {"ctrl", required_argument, NULL, OPT_CTRL},
    {"normalized", no_argument, NULL, OPT_NORMALIZED},
    {"min-coverage", required_argument, NULL, OPT_MIN_COVERAGE},
    {"min-genes", required_argument, NULL, OPT_MIN_GENES},
    {"min-umis", required_argument, NULL, OPT_MIN_UMIS},
    {"max-mito", required_argument, NULL, OPT_MAX_MITO},
    {"fdr", required_argument, NULL, OPT_FDR},
    {"sample", required_argument, NULL, OPT_SAMPLE},
    {"samples", required_argument, NULL, OPT_SAMPLES},
    {"groups", required_argument, NULL, OPT_GROUPS},
    {"cells", required_argument, NULL, OPT_CELLS},
    {"keep", required_argument, NULL, OPT_KEEP},
    {"groupby", required_argument, NULL, OPT_GROUPBY},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"reference", required_argument, NULL, OPT_REFERENCE},
    {"baseline", required_argument, NULL, OPT_BASELINE},
    {"celltype", required_argument, NULL, OPT_CELLTYPE},
    {"min-reference-cells", required_argument, NULL, OPT_MIN_REF_CELLS},
    {"threads", required_argument, NULL, '@'},
    {"species", required_argument, NULL, OPT_SPECIES},
    {"gzip", no_argument, NULL, OPT_GZIP},
    {"chunk-cells", required_argument, NULL, OPT_CHUNK_CELLS},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'}};
enum { N_OWN = sizeof own_opts / sizeof own_opts[0] };

/* One option c (its value optarg) into r: -1 to go on, else the exit status. */
static int run_option(parse_t *ps, int c, cli_run_t *r)
{
    const char *cmd = ps->cmd;
    dorm_run_opts_t *o = &r->o;
    int status = -1;
    int64_t iv;
    switch (c) {
    case 'o':
        o->outdir = optarg;
        if (cli_parse_output(cmd, optarg) < 0) status = 2;
        break;
    case OPT_GMT: r->gmt[o->n_gmt++] = optarg; break;
    case OPT_METHOD:
        if (dorm_method_by_name(optarg, &o->score.method) < 0)
            status = cli_usage_error(cmd, "--method must be ucell or module, not '%s'", optarg);
        break;
    case OPT_MAX_RANK:
        if (cli_parse_int(cmd, "--max-rank", optarg, 1, 1 << 30, &iv) < 0) status = 2;
        else o->score.max_rank = (int)iv;
        break;
    case OPT_NBIN:
        if (cli_parse_int(cmd, "--nbin", optarg, 1, 10000, &iv) < 0) status = 2;
        else o->score.n_bins = (int)iv;
        break;
    case OPT_CTRL:
        if (cli_parse_int(cmd, "--ctrl", optarg, 1, 1 << 30, &iv) < 0) status = 2;
        else o->score.n_ctrl = (int)iv;
        break;
    case OPT_NORMALIZED: o->score.normalized = 1; break;
    case OPT_MIN_COVERAGE:
        if (cli_parse_double(cmd, "--min-coverage", optarg, 0, 1, &o->min_coverage) < 0) status = 2;
        break;
    case OPT_MIN_GENES:
        if (cli_parse_int(cmd, "--min-genes", optarg, 0, INT64_MAX, &o->qc.min_genes) < 0) status = 2;
        break;
    case OPT_MIN_UMIS:
        if (cli_parse_double(cmd, "--min-umis", optarg, 0, 1e300, &o->qc.min_umis) < 0) status = 2;
        break;
    case OPT_MAX_MITO:
        if (cli_parse_double(cmd, "--max-mito", optarg, 0, 100, &o->qc.max_mito) < 0) status = 2;
        break;
    case OPT_FDR:
        if (cli_parse_double(cmd, "--fdr", optarg, 0, 1, &o->fdr) < 0) status = 2;
        break;
    case OPT_SAMPLE: ps->sample_name = optarg; break;
    case OPT_SAMPLES: ps->sheet = optarg; break;
    case OPT_GROUPS: o->groups_path = optarg; break;
    case OPT_CELLS: o->cells_path = optarg; break;
    case OPT_KEEP: o->keep = optarg; break;
    case OPT_GROUPBY: o->groupby = optarg; break;
    case OPT_REFERENCE: o->reference = optarg; break;
    case OPT_BASELINE: o->baseline = optarg; break;
    case OPT_CELLTYPE: o->celltype = optarg; break;
    case OPT_MIN_REF_CELLS:
        if (cli_parse_int(cmd, "--min-reference-cells", optarg, 1, INT64_MAX, &o->min_ref_cells) < 0) status = 2;
        break;
    case OPT_SHARD: {
        char tail;
        if (sscanf(optarg, "%d/%d%c", &o->shard_k, &o->shard_n, &tail) != 2 || o->shard_n < 1 ||
            o->shard_n > 100000 || o->shard_k < 1 || o->shard_k > o->shard_n)
            status = cli_usage_error(cmd, "--shard expects K/N with 1 <= K <= N, not '%s'", optarg);
        break;
    }
    case OPT_SPECIES:
        if (strcmp(optarg, "auto") == 0)
            o->species_auto = 1;
        else if (strcmp(optarg, "human") == 0 || strcmp(optarg, "mouse") == 0) {
            o->species_auto = 0;
            o->species = optarg[0] == 'm' ? DORM_SPECIES_MOUSE : DORM_SPECIES_HUMAN;
        } else
            status = cli_usage_error(cmd, "--species must be human, mouse or auto, not '%s'", optarg);
        break;
    case OPT_GZIP: o->gzip = 1; break;
    case OPT_CHUNK_CELLS:
        if (cli_parse_int(cmd, "--chunk-cells", optarg, 1, 1 << 20, &o->chunk_cells) < 0) status = 2;
        break;
    case '@':
        if (cli_parse_int(cmd, "--threads", optarg, 1, 256, &iv) < 0) status = 2;
        else o->threads = (int)iv;
        break;
    case 'v': dorm_log_set_level(DORM_LOG_INFO); break;
    case 'q': dorm_log_set_level(DORM_LOG_ERROR); break;
    case 'h': ps->help(); status = cli_close_stdout(); break;
    case CLI_OPT_FORMAT: case CLI_OPT_GENOME: case CLI_OPT_LAYER: case CLI_OPT_RAW:
    case CLI_OPT_VAR_COLUMN: case CLI_OPT_CELLS_AS_ROWS: case CLI_OPT_GENES_AS_ROWS:
        cli_reader_option(c, optarg, &o->reader);
        break;
    case ':': status = cli_usage_error(cmd, "%s needs a value", ps->argv[optind - 1]); break;
    default: status = cli_usage_error(cmd, "unknown option '%s'", ps->argv[optind - 1]); break;
    }
    return status;
}

/* The inputs and options that cannot go together: -1, or the exit status. */
static int check_combinations(const parse_t *ps, const dorm_run_opts_t *o, int n_inputs)
{
    const char *cmd = ps->cmd, *sheet = ps->sheet;
    int status = -1;
    if (status < 0 && sheet && n_inputs > 0)
        status = cli_usage_error(cmd, "give INPUTs or --samples, not both");
    if (status < 0 && !sheet && n_inputs == 0)
        status = cli_usage_error(cmd, "no INPUT given");
    if (status < 0 && ps->sample_name && (sheet || n_inputs > 1))
        status = cli_usage_error(cmd, "--sample names a single INPUT; use --samples for several");
    if (status < 0 && !o->outdir)
        status = cli_usage_error(cmd, ps->reference ? "-o/--output is required" : "-o/--outdir is required");
    if (status < 0 && o->baseline && o->reference)
        status = cli_usage_error(cmd, "--baseline chooses the run's own reference cells: not with "
                                      "--reference, whose file is the reference");
    if (status < 0 && o->shard_n > 0 && o->groupby)
        status = cli_usage_error(cmd, "--groupby cannot be used with --shard");
    return status;
}

/* The samples' names and paths (the sheet, or the INPUTs named by --sample
 * or their paths) into r->names, r->paths, r->n: -1, or the exit status. */
static int sample_list(const parse_t *ps, int argc, char **argv, cli_run_t *r)
{
    const char *cmd = ps->cmd, *sheet = ps->sheet, *sample_name = ps->sample_name;
    int n_inputs = argc - optind, status = -1;
    char **names = NULL, **paths = NULL;
    int n = 0;
    dorm_err_t err;
    dorm_err_clear(&err);
    if (sheet) {
        int rc = dorm_samples_read(sheet, &names, &paths, &n, &err);
        if (rc < 0) {
            fprintf(stderr, "dormscan %s: %s\n", cmd, err.msg);
            status = dorm_err_exit_status(rc);
        }
    } else {
        names = calloc((size_t)n_inputs, sizeof *names);
        paths = calloc((size_t)n_inputs, sizeof *paths);
        for (int i = 0; names && paths && i < n_inputs; i++, n++) {
            names[i] = sample_name ? strdup(sample_name) : name_from_path(argv[optind + i]);
            paths[i] = strdup(argv[optind + i]);
            if (!names[i] || !paths[i])
                break;
        }
        if (n < n_inputs) {
            fprintf(stderr, "dormscan %s: out of memory\n", cmd);
            status = 1;
        }
        for (int i = 0; status < 0 && i < n; i++)
            if (strcmp(names[i], "all") == 0)
                status = cli_usage_error(cmd, "'all' is reserved for the rows over all samples; name the sample otherwise");
        for (int i = 0; status < 0 && i < n; i++)
            for (int k = 0; k < i; k++)
                if (strcmp(names[i], names[k]) == 0) {
                    status = cli_usage_error(cmd, "two inputs are both named '%s'; name them with --samples", names[i]);
                    break;
                }
    }
    for (int i = 0; status < 0 && i < n; i++)
        if (dorm_text_breaks_table(names[i]))
            status = cli_usage_error(cmd, "sample %d's name holds a tab, newline or carriage return, "
                                          "which no output table could hold; name it with --sample "
                                          "or --samples", i + 1);
    r->names = names;
    r->paths = paths;
    r->n = n;
    return status;
}

int cli_run_parse(const char *cmd, void (*help)(void), int argc, char **argv, cli_run_t *r)
{
    struct option longopts[N_OWN + 16] = {{0}};
    memcpy(longopts, own_opts, sizeof own_opts);
    memcpy(longopts + N_OWN, cli_reader_longopts, (size_t)cli_reader_n_longopts * sizeof *longopts);
    memset(r, 0, sizeof *r);
    dorm_run_opts_t *o = &r->o;
    dorm_run_opts_default(o);
    if (!(r->gmt = calloc((size_t)argc + 1, sizeof *r->gmt))) {
        fprintf(stderr, "dormscan %s: out of memory\n", cmd);
        return 1;
    }
    parse_t ps = {cmd, strcmp(cmd, "reference") == 0, help, argv, NULL, NULL};
    int status = -1, c, at = -1;
    optind = 1;
    opterr = 0;
    while (status < 0 && (c = getopt_long(argc, argv, ":o:@:vqh", longopts, &at)) != -1) {
        if (ps.reference && score_only(c))
            status = cli_usage_error(cmd, "--%s is an option of score, not of reference",
                                     longopts[at].name);
        else
            status = run_option(&ps, c, r);
    }
    if (status < 0)
        status = check_combinations(&ps, o, argc - optind);
    if (status < 0)
        status = sample_list(&ps, argc, argv, r);
    int n = r->n;
    dorm_sample_t *samples = status < 0 ? calloc((size_t)(n ? n : 1), sizeof *samples) : NULL;
    if (status < 0 && !samples) {
        fprintf(stderr, "dormscan %s: out of memory\n", cmd);
        status = 1;
    }
    r->samples = samples;
    if (status >= 0)
        return status;
    for (int i = 0; i < n; i++)
        samples[i] = (dorm_sample_t){r->names[i], r->paths[i]};
    o->samples = samples;
    o->n_samples = n;
    o->sample_column = ps.sample_name != NULL || ps.sheet != NULL || n > 1;
    o->gmt = r->gmt;
    clock_gettime(CLOCK_MONOTONIC, &r->progress.start);
    if (isatty(STDERR_FILENO) && dorm_log_get_level() > DORM_LOG_ERROR) {
        o->progress = show_progress;
        o->progress_data = &r->progress;
    }
    r->command_line = cli_command_line(argc, argv);
    o->command_line = r->command_line;
    return -1;
}

void cli_run_finish(cli_run_t *r)
{
    if (r->progress.sample)
        fputc('\n', stderr);
}

void cli_run_free(cli_run_t *r)
{
    free(r->command_line);
    free(r->gmt);
    free(r->samples);
    dorm_samples_free(r->names, r->paths, r->n);
    memset(r, 0, sizeof *r);
}
