/* cmd_score.c -- `dormscan score INPUT -o OUTDIR`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan score [options] INPUT -o OUTDIR\n\n"
           "Score every cell of INPUT (a Cell Ranger v2/v3, STARsolo or kallisto|bustools\n"
           "matrix directory, or a matrix.mtx[.gz] with its companions) and write\n"
           "OUTDIR/cells.tsv, OUTDIR/summary.tsv and OUTDIR/run.json.\n\n"
           "Options:\n"
           "  -o, --outdir DIR       output directory (created if missing) [required]\n"
           "      --gmt FILE         score the gene sets of FILE (GMT; repeatable) instead\n"
           "                         of the shipped dormancy panel\n"
           "      --method NAME      ucell (default) or module (Seurat AddModuleScore)\n"
           "      --max-rank N       ucell rank cap [1500]\n"
           "      --nbin N           module: expression bins [24]\n"
           "      --ctrl N           module: control genes per set gene [100]\n"
           "      --normalized       values are already normalised (module: skip\n"
           "                         LogNormalize)\n"
           "      --min-coverage F   fraction of a set's genes that must be found\n"
           "                         [default: max(5 genes, 20%%)]\n"
           "      --min-genes N      fewer detected genes is low_quality [200]\n"
           "      --min-umis N       fewer UMIs is low_quality [500]\n"
           "      --max-mito PCT     more %% mitochondrial UMIs is low_quality [20]\n"
           "      --phase-z Z        ucell: S/G2M rank z needed to call S or G2M [1.645]\n"
           "      --gzip             write cells.tsv.gz\n"
           "      --chunk-cells N    cells per chunk [1024]\n"
           "  -v, --verbose          report gene coverage per set on stderr\n"
           "  -q, --quiet            only errors on stderr\n"
           "  -h, --help             show this help\n\n"
           "Exit status: 0 success, 1 data or runtime error, 2 usage error.\n"
           "See dormscan-score(1).\n");
}

enum {
    OPT_GMT = 256, OPT_METHOD, OPT_MAX_RANK, OPT_NBIN, OPT_CTRL, OPT_NORMALIZED,
    OPT_MIN_COVERAGE, OPT_MIN_GENES, OPT_MIN_UMIS, OPT_MAX_MITO, OPT_PHASE_Z, OPT_GZIP,
    OPT_CHUNK_CELLS
};

int cmd_score(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"outdir", required_argument, NULL, 'o'},
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
        {"phase-z", required_argument, NULL, OPT_PHASE_Z},
        {"gzip", no_argument, NULL, OPT_GZIP},
        {"chunk-cells", required_argument, NULL, OPT_CHUNK_CELLS},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    dorm_run_opts_t o;
    dorm_run_opts_default(&o);
    const char **gmt = calloc((size_t)argc + 1, sizeof *gmt);
    if (!gmt) {
        fprintf(stderr, "dormscan score: out of memory\n");
        return 1;
    }
    int status = -1, c;
    int64_t iv;
    optind = 1;
    opterr = 0;
    while (status < 0 && (c = getopt_long(argc, argv, ":o:vqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o.outdir = optarg; break;
        case OPT_GMT: gmt[o.n_gmt++] = optarg; break;
        case OPT_METHOD:
            if (strcmp(optarg, "ucell") == 0)
                o.score.method = DORM_METHOD_UCELL;
            else if (strcmp(optarg, "module") == 0)
                o.score.method = DORM_METHOD_MODULE;
            else
                status = cli_usage_error("score", "--method must be ucell or module, not '%s'", optarg);
            break;
        case OPT_MAX_RANK:
            if (cli_parse_int("score", "--max-rank", optarg, 1, 1 << 30, &iv) < 0) status = 2;
            else o.score.max_rank = (int)iv;
            break;
        case OPT_NBIN:
            if (cli_parse_int("score", "--nbin", optarg, 1, 10000, &iv) < 0) status = 2;
            else o.score.n_bins = (int)iv;
            break;
        case OPT_CTRL:
            if (cli_parse_int("score", "--ctrl", optarg, 1, 1 << 30, &iv) < 0) status = 2;
            else o.score.n_ctrl = (int)iv;
            break;
        case OPT_NORMALIZED: o.score.normalized = 1; break;
        case OPT_MIN_COVERAGE:
            if (cli_parse_double("score", "--min-coverage", optarg, 0, 1, &o.min_coverage) < 0) status = 2;
            break;
        case OPT_MIN_GENES:
            if (cli_parse_int("score", "--min-genes", optarg, 0, INT64_MAX, &o.qc.min_genes) < 0) status = 2;
            break;
        case OPT_MIN_UMIS:
            if (cli_parse_double("score", "--min-umis", optarg, 0, 1e300, &o.qc.min_umis) < 0) status = 2;
            break;
        case OPT_MAX_MITO:
            if (cli_parse_double("score", "--max-mito", optarg, 0, 100, &o.qc.max_mito) < 0) status = 2;
            break;
        case OPT_PHASE_Z:
            if (cli_parse_double("score", "--phase-z", optarg, -1e6, 1e6, &o.phase_z) < 0) status = 2;
            break;
        case OPT_GZIP: o.gzip = 1; break;
        case OPT_CHUNK_CELLS:
            if (cli_parse_int("score", "--chunk-cells", optarg, 1, 1 << 20, &o.chunk_cells) < 0) status = 2;
            break;
        case 'v': dorm_log_set_level(DORM_LOG_INFO); break;
        case 'q': dorm_log_set_level(DORM_LOG_ERROR); break;
        case 'h': help(); status = cli_close_stdout(); break;
        case ':': status = cli_usage_error("score", "%s needs a value", argv[optind - 1]); break;
        default: status = cli_usage_error("score", "unknown option '%s'", argv[optind - 1]); break;
        }
    }
    if (status < 0 && optind != argc - 1)
        status = cli_usage_error("score", optind == argc ? "no INPUT given" : "one INPUT expected");
    if (status < 0 && !o.outdir)
        status = cli_usage_error("score", "-o/--outdir is required");
    if (status >= 0) {
        free(gmt);
        return status;
    }
    o.input = argv[optind];
    o.gmt = gmt;
    char *cmdline = cli_join_argv(argc, argv);
    char *full = cmdline ? malloc(strlen(cmdline) + 10) : NULL;
    if (full)
        sprintf(full, "dormscan %s", cmdline);
    o.command_line = full;
    dorm_err_t err;
    dorm_err_clear(&err);
    int rc = dorm_run_score(&o, &err);
    if (rc < 0)
        fprintf(stderr, "dormscan score: %s\n", err.msg);
    free(cmdline);
    free(full);
    free(gmt);
    return rc < 0 ? dorm_err_exit_status(rc) : 0;
}
