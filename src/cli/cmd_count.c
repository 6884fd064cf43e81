/* cmd_count.c -- `dormscan count BAM [REGION...] -o OUTDIR`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "dormscan/count.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan count [options] BAM [REGION...] -o OUTDIR\n\n"
           "Count UMIs per cell and gene in a Cell Ranger or STARsolo BAM (or CRAM\n"
           "or SAM) and write OUTDIR/matrix.mtx.gz, OUTDIR/features.tsv.gz and\n"
           "OUTDIR/barcodes.tsv.gz in the Cell Ranger v3 layout.  Records with an\n"
           "xf tag (Cell Ranger 3+): each with xf & 8 is one UMI of its CB and GX.\n"
           "Otherwise: distinct UB per CB and GX among primary alignments with\n"
           "MAPQ 255, CB and UB set (not '-') and exactly one gene in GX.  Cells\n"
           "are sorted by barcode, genes by ID.  REGIONs (chr, chr:beg-end) need\n"
           "an index.  Memory grows with the distinct (cell, gene, UMI) triples.\n\n"
           "Options:\n"
           "  -o, --outdir DIR        output directory (created if missing) [required]\n"
           "      --barcodes FILE     keep only these barcodes, in this order (first\n"
           "                          column; e.g. Cell Ranger's filtered barcodes.tsv.gz)\n"
           "      --features FILE     these genes in this order (features.tsv[.gz] or one\n"
           "                          ID per line) [every gene seen in GX, sorted by ID]\n"
           "      --min-umis N        drop barcodes with fewer counted UMIs [0]\n"
           "  -@, --threads N         BGZF decompression threads [1]\n"
           "  -T, --reference FASTA   reference of a CRAM (rarely needed)\n"
           "  -v, --verbose           report what was read and counted on stderr\n"
           "  -q, --quiet             only errors on stderr\n"
           "  -h, --help              show this help\n\n"
           "Exit status: 0 success, 1 data or runtime error, 2 usage error.\n"
           "See dormscan-count(1).\n");
}

enum { OPT_BARCODES = 256, OPT_FEATURES, OPT_MIN_UMIS };

int cmd_count(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"outdir", required_argument, NULL, 'o'},
        {"barcodes", required_argument, NULL, OPT_BARCODES},
        {"features", required_argument, NULL, OPT_FEATURES},
        {"min-umis", required_argument, NULL, OPT_MIN_UMIS},
        {"threads", required_argument, NULL, '@'},
        {"reference", required_argument, NULL, 'T'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    dorm_count_opts_t o;
    dorm_count_opts_default(&o);
    const char *outdir = NULL;
    int c;
    int64_t iv;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:@:T:vqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (cli_parse_output("count", optarg) < 0)
                return 2;
            outdir = optarg;
            break;
        case OPT_BARCODES: o.barcodes_path = optarg; break;
        case OPT_FEATURES: o.features_path = optarg; break;
        case OPT_MIN_UMIS:
            if (cli_parse_int("count", "--min-umis", optarg, 0, INT64_MAX, &o.min_umis) < 0)
                return 2;
            break;
        case '@':
            if (cli_parse_int("count", "--threads", optarg, 1, 1024, &iv) < 0)
                return 2;
            o.threads = (int)iv;
            break;
        case 'T': o.reference = optarg; break;
        case 'v': dorm_log_set_level(DORM_LOG_INFO); break;
        case 'q': dorm_log_set_level(DORM_LOG_ERROR); break;
        case 'h': help(); return cli_close_stdout();
        case ':': return cli_usage_error("count", "%s needs a value", argv[optind - 1]);
        default: return cli_usage_error("count", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("count", "no BAM given");
    if (!outdir)
        return cli_usage_error("count", "-o/--outdir is required");
    const char *bam = argv[optind];
    o.regions = argv + optind + 1;
    o.n_regions = argc - optind - 1;
    dorm_counts_t s;
    dorm_err_t err;
    dorm_err_clear(&err);
    int rc = dorm_run_count(bam, &o, outdir, &s, &err);
    if (rc < 0)
        return cli_status("count", rc, &err);
    dorm_log(DORM_LOG_INFO, "%s: %lld records, %lld with GX; rule %s: %lld records counted", bam,
             (long long)s.n_records, (long long)s.n_gx_records,
             strcmp(s.rule, "xf") == 0 ? "xf & 8 (Cell Ranger 3+)" : "distinct UB", (long long)s.n_qualified);
    dorm_log(DORM_LOG_INFO, "%s: %lld cells, %lld genes, %lld nonzero entries, %lld UMIs", outdir,
             (long long)s.n_cells, (long long)s.n_genes, (long long)s.nnz, (long long)s.n_umis);
    if (s.n_barcodes_below > 0)
        dorm_log(DORM_LOG_INFO, "%lld barcodes with fewer than %lld UMIs left out",
                 (long long)s.n_barcodes_below, (long long)o.min_umis);
    return 0;
}
