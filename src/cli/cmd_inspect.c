/* cmd_inspect.c -- `dormscan inspect INPUT`: read without scoring. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan inspect [options] INPUT\n\n"
           "Read INPUT in full without scoring and print its format, dimensions and\n"
           "feature description as 'key: value' lines on stdout.  A broken input is\n"
           "an error (exit 1).  See dormscan-inspect(1).\n\n"
           "Options:\n%s"
           "  -h, --help         show this help\n", cli_reader_help);
}

int cmd_inspect(int argc, char **argv)
{
    struct option longopts[20] = {{"help", no_argument, NULL, 'h'}};
    memcpy(longopts + 1, cli_reader_longopts, (size_t)cli_reader_n_longopts * sizeof *longopts);
    dorm_reader_opts_t ro = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            help();
            return cli_close_stdout();
        }
        if (c == ':')
            return cli_usage_error("inspect", "%s needs a value", argv[optind - 1]);
        if (!cli_reader_option(c, optarg, &ro))
            return cli_usage_error("inspect", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return cli_usage_error("inspect", "exactly one INPUT expected");
    dorm_inspect_t in;
    dorm_err_t err;
    dorm_err_clear(&err);
    int rc = dorm_inspect(argv[optind], &ro, &in, &err);
    if (rc < 0)
        return cli_status("inspect", rc, &err);
    printf("format: %s\n", in.format);
    printf("cells: %lld\n", (long long)in.n_cells);
    printf("genes: %lld\n", (long long)in.n_genes);
    printf("nnz: %lld\n", (long long)in.nnz);
    printf("feature_types: %s\n", in.feature_types);
    printf("features_dropped: %lld\n", (long long)in.n_dropped);
    printf("id_type: %s\n", in.id_type);
    printf("values: %s\n", in.field);
    printf("grouped_by_cell: %s\n", in.sorted ? "yes" : "no");
    printf("species: %s\n", in.species);
    printf("panel_genes_found: %lld of %lld\n", (long long)in.panel_found,
           (long long)in.panel_total);
    printf("panel_sets_scored: %d of %d\n", in.sets_scored, in.n_sets);
    return cli_close_stdout();
}
