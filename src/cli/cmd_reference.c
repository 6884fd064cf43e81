/* cmd_reference.c -- `dormscan reference INPUT... -o FILE`. */
#include <stdio.h>

#include "cli_internal.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan reference [options] INPUT... -o FILE\n"
           "       dormscan reference [options] --samples SHEET -o FILE\n\n"
           "Make a fixed frame of reference from the cells of the INPUTs (pooled):\n"
           "the gene means and each programme's baseline over the cells kept by\n"
           "--cells/--keep that pass the QC, per cell type with --celltype.  Score\n"
           "any sample against it with dormscan score --reference FILE: a cell's\n"
           "evidence then depends only on the cell and FILE.\n\n"
           "Inputs and cells:\n"
           "  -o, --output FILE      the reference file to write [required]\n"
           "      --sample NAME      name the single INPUT\n"
           "      --samples FILE     sample<TAB>path lines: the inputs\n"
           "      --groups FILE      barcode<TAB>group columns (header line)\n"
           "      --cells FILE       reference cells: only these barcodes\n"
           "      --keep COL=VALUE   reference cells: only those whose --groups column\n"
           "                         COL is VALUE (e.g. condition=pre_treatment)\n"
           "      --celltype COL     a --groups column (or h5ad obs column) of cell\n"
           "                         types: a baseline per type\n"
           "      --species NAME     human, mouse or auto [auto]\n\n"
           "Input formats:\n%s\n"
           "Scoring and QC (as for score):\n"
           "      --nbin N           expression bins of the classifier's null [24]\n"
           "      --normalized       values are already normalised\n"
           "      --min-genes N      fewer detected genes: not a reference cell [200]\n"
           "      --min-umis N       fewer UMIs: not a reference cell [0 = off]\n"
           "      --max-mito PCT     more %% mitochondrial UMIs: not a reference cell [20]\n"
           "      --chunk-cells N    cells per chunk [64]\n"
           "  -@, --threads N        threads to read with [1]\n"
           "  -v, --verbose          report the populations on stderr\n"
           "  -q, --quiet            only errors on stderr\n"
           "  -h, --help             show this help\n\n"
           "Exit status: 0 success, 1 data or runtime error, 2 usage error.\n"
           "See dormscan-reference(1).\n", cli_reader_help);
}

int cmd_reference(int argc, char **argv)
{
    cli_run_t r;
    int status = cli_run_parse("reference", help, argc, argv, &r);
    if (status >= 0) {
        cli_run_free(&r);
        return status;
    }
    dorm_err_t err;
    dorm_err_clear(&err);
    int rc = dorm_run_reference(&r.o, r.o.outdir, &err);
    cli_run_finish(&r);
    cli_run_free(&r);
    return cli_status("reference", rc, &err);
}
