/* cmd_compare.c -- `dormscan compare RUN... --design samples.tsv -o OUTDIR`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "dormscan/compare.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan compare [options] RUN... --design samples.tsv -o OUTDIR\n\n"
           "Test whether the proportions of the dormancy states differ between\n"
           "conditions, with samples as the replicates: propeller (speckle 0.99.7,\n"
           "Phipson et al. 2022) on limma's moderated statistics (limma 3.54).\n"
           "RUN is a dormscan score or merge output folder, or a cells table (TSV with\n"
           "barcode, sample and state columns; sasp, score_* and the --groupby column\n"
           "are used when present).\n\n"
           "Outputs in OUTDIR: compare.tsv (one row per state, and a sasp row tested on\n"
           "its own), compare_groups.tsv (with --groupby: per cell type),\n"
           "compare_evidence.tsv (the per-sample mean of each score_* programme, same\n"
           "model), compare.html, dormscan_compare_mqc.tsv (MultiQC).\n\n"
           "Options:\n"
           "  -d, --design FILE     sample sheet: a 'sample' column, the condition and any\n"
           "                        covariates [required]\n"
           "  -o, --outdir DIR      output directory (created if missing) [required]\n"
           "  -c, --condition COL   the sheet's condition column [condition]\n"
           "      --covariate COL   add a sheet column as a fixed effect (repeatable);\n"
           "                        --covariate patient is the paired analysis\n"
           "      --contrast A-B    the moderated t of level A minus level B [two levels:\n"
           "                        first minus second in sorted order; more levels: the\n"
           "                        moderated F that all levels are equal]\n"
           "      --transform T     logit or asin [logit]\n"
           "      --groupby COL     also compare within each cell type of COL (a column of\n"
           "                        the cells tables, or a --groups column of the runs)\n"
           "      --groups FILE     cells tables: COL from this barcode<TAB>group table\n"
           "                        (score's --groups format; cells it lacks are NA)\n"
           "  -h, --help            show this help\n\n"
           "Exit status: 0 success (also when too few samples allow no test: p-values\n"
           "NA), 1 data or runtime error, 2 usage error (including samples missing from\n"
           "the sheet or the runs, and unknown contrast levels).\n"
           "See dormscan-compare(1).\n");
}

int cmd_compare(int argc, char **argv)
{
    enum { OPT_COVARIATE = 1, OPT_CONTRAST, OPT_TRANSFORM, OPT_GROUPBY, OPT_GROUPS };
    static const struct option longopts[] = {{"design", required_argument, NULL, 'd'},
                                             {"outdir", required_argument, NULL, 'o'},
                                             {"condition", required_argument, NULL, 'c'},
                                             {"covariate", required_argument, NULL, OPT_COVARIATE},
                                             {"contrast", required_argument, NULL, OPT_CONTRAST},
                                             {"transform", required_argument, NULL, OPT_TRANSFORM},
                                             {"groupby", required_argument, NULL, OPT_GROUPBY},
                                             {"groups", required_argument, NULL, OPT_GROUPS},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    dorm_compare_opts_t o;
    memset(&o, 0, sizeof o);
    const char **covariates = calloc(argc, sizeof(char *));
    if (!covariates) {
        fprintf(stderr, "dormscan compare: out of memory\n");
        return 1;
    }
    o.covariates = covariates;
    int c, status = -1;
    optind = 1;
    opterr = 0;
    while (status < 0 && (c = getopt_long(argc, argv, ":d:o:c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o.design_path = optarg; break;
        case 'o':
            if (cli_parse_output("compare", optarg) < 0)
                status = 2;
            o.outdir = optarg;
            break;
        case 'c': o.condition = optarg; break;
        case OPT_COVARIATE: covariates[o.n_covariates++] = optarg; break;
        case OPT_CONTRAST: o.contrast = optarg; break;
        case OPT_TRANSFORM:
            if (strcmp(optarg, "logit") == 0)
                o.transform = DORM_TRANSFORM_LOGIT;
            else if (strcmp(optarg, "asin") == 0)
                o.transform = DORM_TRANSFORM_ASIN;
            else
                status = cli_usage_error("compare", "--transform is logit or asin, not '%s'",
                                         optarg);
            break;
        case OPT_GROUPBY: o.groupby = optarg; break;
        case OPT_GROUPS: o.groups_path = optarg; break;
        case 'h': help(); status = cli_close_stdout(); break;
        case ':': status = cli_usage_error("compare", "%s needs a value", argv[optind - 1]); break;
        default: status = cli_usage_error("compare", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (status < 0 && optind == argc)
        status = cli_usage_error("compare", "no RUN given");
    if (status < 0 && !o.design_path)
        status = cli_usage_error("compare", "--design is required");
    if (status < 0 && !o.outdir)
        status = cli_usage_error("compare", "-o/--outdir is required");
    if (status < 0 && o.groups_path && !o.groupby)
        status = cli_usage_error("compare", "--groups needs --groupby (which of its columns)");
    if (status < 0) {
        o.inputs = (const char *const *)(argv + optind);
        o.n_inputs = argc - optind;
        char *cmdline = cli_command_line(argc, argv);
        o.command_line = cmdline;
        dorm_err_t err;
        dorm_err_clear(&err);
        status = cli_status("compare", dorm_compare_run(&o, &err), &err);
        free(cmdline);
    }
    free(covariates);
    return status;
}
