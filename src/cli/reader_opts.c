/* reader_opts.c -- the input-format options shared by score and inspect. */
#include <string.h>

#include "cli_internal.h"

const struct option cli_reader_longopts[] = {
    {"format", required_argument, NULL, CLI_OPT_FORMAT},
    {"genome", required_argument, NULL, CLI_OPT_GENOME},
    {"layer", required_argument, NULL, CLI_OPT_LAYER},
    {"raw", no_argument, NULL, CLI_OPT_RAW},
    {"var-column", required_argument, NULL, CLI_OPT_VAR_COLUMN},
    {"cells-as-rows", no_argument, NULL, CLI_OPT_CELLS_AS_ROWS},
    {"genes-as-rows", no_argument, NULL, CLI_OPT_GENES_AS_ROWS},
};
const int cli_reader_n_longopts = sizeof cli_reader_longopts / sizeof cli_reader_longopts[0];

const char cli_reader_help[] =
    "      --format NAME      mtx, 10x-h5, h5ad, loom, dense or bam [detected from content]\n"
    "      --genome NAME      10x HDF5 v2 with several genomes: read this one\n"
    "      --layer NAME       h5ad: read layers/NAME instead of X\n"
    "      --raw              h5ad: read raw/X (and raw/var)\n"
    "      --var-column NAME  h5ad: gene names from this var column\n"
    "      --cells-as-rows    dense table: one cell per line\n"
    "      --genes-as-rows    dense table: one gene per line [decided from the names]\n";

int cli_reader_option(int c, const char *arg, dorm_reader_opts_t *o)
{
    switch (c) {
    case CLI_OPT_FORMAT: o->format = arg; return 1;
    case CLI_OPT_GENOME: o->genome = arg; return 1;
    case CLI_OPT_LAYER: o->layer = arg; return 1;
    case CLI_OPT_RAW: o->use_raw = 1; return 1;
    case CLI_OPT_VAR_COLUMN: o->var_column = arg; return 1;
    case CLI_OPT_CELLS_AS_ROWS: o->orientation = DORM_ORIENT_CELLS_ROWS; return 1;
    case CLI_OPT_GENES_AS_ROWS: o->orientation = DORM_ORIENT_GENES_ROWS; return 1;
    default: return 0;
    }
}
