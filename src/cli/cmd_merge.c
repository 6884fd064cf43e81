/* cmd_merge.c -- `dormscan merge DIR... -o OUTDIR`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan merge [options] DIR... -o OUTDIR\n\n"
           "Combine the outputs of dormscan score runs, exactly as one run would have\n"
           "written them:\n"
           "  - shards (each DIR from `score --shard K/N`, holding shard.bin): finish\n"
           "    them into OUTDIR/cells.tsv[.gz] and OUTDIR/summary.tsv, identical to an\n"
           "    unsharded run;\n"
           "  - finished runs (each DIR holding summary.tsv): write\n"
           "    OUTDIR/cohort_summary.tsv, identical to the summary of one run over all\n"
           "    their samples, and a cohort OUTDIR/report.html.\n"
           "Both also write the MultiQC files dormscan_mqc.tsv and\n"
           "dormscan_general_stats_mqc.tsv.\n\n"
           "Options:\n"
           "  -o, --outdir DIR     output directory (created if missing) [required]\n"
           "      --groups FILE    shards: group the summary by FILE [default: the\n"
           "                       --groups file the shards were scored with]\n"
           "  -h, --help           show this help\n\n"
           "Exit status: 0 success, 1 data or runtime error, 2 usage error.\n"
           "See dormscan-merge(1).\n");
}

int cmd_merge(int argc, char **argv)
{
    static const struct option longopts[] = {{"outdir", required_argument, NULL, 'o'},
                                             {"groups", required_argument, NULL, 'g'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    dorm_merge_opts_t o;
    memset(&o, 0, sizeof o);
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (cli_parse_output("merge", optarg) < 0)
                return 2;
            o.outdir = optarg;
            break;
        case 'g': o.groups_path = optarg; break;
        case 'h': help(); return cli_close_stdout();
        case ':': return cli_usage_error("merge", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("merge", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return cli_usage_error("merge", "no DIR given");
    if (!o.outdir)
        return cli_usage_error("merge", "-o/--outdir is required");
    o.inputs = (const char *const *)(argv + optind);
    o.n_inputs = argc - optind;
    char *cmdline = cli_command_line(argc, argv);
    o.command_line = cmdline;
    dorm_err_t err;
    dorm_err_clear(&err);
    int status = cli_status("merge", dorm_run_merge(&o, &err), &err);
    free(cmdline);
    return status;
}
