/* cmd_score.c -- `dormscan score INPUT -o OUTDIR`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan score [options] INPUT... -o OUTDIR\n"
           "       dormscan score [options] --samples SHEET -o OUTDIR\n\n"
           "Score every cell of each INPUT (a Cell Ranger v2/v3, STARsolo or\n"
           "kallisto|bustools matrix directory or matrix.mtx[.gz], a 10x HDF5,\n"
           "h5ad, loom, dense table or BAM), test every gene set against a per-cell\n"
           "null, call each cell's state against a fixed reference and write\n"
           "OUTDIR/cells.tsv, summary.tsv, run.json, report.html and MultiQC files.\n\n"
           "Inputs and cells:\n"
           "  -o, --outdir DIR       output directory (created if missing) [required]\n"
           "      --sample NAME      name the single INPUT; adds a sample column\n"
           "      --samples FILE     sample<TAB>path lines: score each sample\n"
           "      --groups FILE      barcode<TAB>group columns (header line): adds\n"
           "                         per-group rows to summary.tsv\n"
           "      --cells FILE       keep only these barcodes (one per line)\n"
           "      --keep COL=VALUE   keep only cells whose --groups column COL is VALUE\n"
           "      --groupby COLUMN   h5ad inputs: summarise by this obs column too\n"
           "      --species NAME     human, mouse or auto (from gene names) [auto]\n"
           "      --shard K/N        score the K-th of N equal cell ranges of each input\n"
           "                         into OUTDIR/shard.bin; finish with dormscan merge\n"
           "                         (without --reference each shard first builds the\n"
           "                         run's reference: two more reads of the input)\n\n"
           "Frame of reference (see dormscan-reference(1)):\n"
           "      --reference FILE   judge every cell against this reference (made by\n"
           "                         dormscan reference) [default: the run's own cells,\n"
           "                         all inputs pooled]\n"
           "      --baseline COL=VALUE  the run's own reference from the baseline cells\n"
           "                         only: those whose --groups column COL is VALUE, or\n"
           "                         sample=NAME, the cells of one input (untreated,\n"
           "                         proliferating); give it whenever one is known\n"
           "      --celltype COL     a --groups column (or h5ad obs column) of cell\n"
           "                         types: each cell is judged against its own type\n"
           "      --min-reference-cells N  cells of a type the reference needs, else\n"
           "                         the cell is unscored [2]\n\n"
           "Input formats:\n%s\n"
           "Gene sets and scoring:\n"
           "      --gmt FILE         score the gene sets of FILE (GMT; repeatable) instead\n"
           "                         of the shipped dormancy panel\n"
           "      --method NAME      ucell (default) or module (Seurat AddModuleScore)\n"
           "      --max-rank N       ucell rank cap [1500]\n"
           "      --nbin N           expression bins of the module method and the\n"
           "                         classifier's null [24]\n"
           "      --ctrl N           module: control genes per set gene [100]\n"
           "      --normalized       values are already normalised (module: skip\n"
           "                         LogNormalize)\n"
           "      --min-coverage F   fraction of a set's genes that must be found\n"
           "                         [default: max(5 genes, 20%%)]\n\n"
           "Calls:\n"
           "      --fdr ALPHA        BH false discovery rate for calls [0.05]\n"
           "      --min-genes N      fewer detected genes is low_quality [200; 0 = off]\n"
           "      --min-umis N       fewer UMIs is low_quality [0 = off]\n"
           "      --max-mito PCT     more %% mitochondrial UMIs is low_quality [20]\n\n"
           "Output and logging:\n"
           "      --gzip             write cells.tsv.gz\n"
           "      --chunk-cells N    cells per chunk [64]\n"
           "  -@, --threads N        threads to read and score with [1]; results do not\n"
           "                         depend on it\n"
           "  -v, --verbose          report gene coverage and pass times on stderr\n"
           "  -q, --quiet            only errors on stderr (warnings still go to\n"
           "                         run.json and report.html)\n"
           "  -h, --help             show this help\n\n"
           "Exit status: 0 success, 1 data or runtime error, 2 usage error.\n"
           "See dormscan-score(1).\n", cli_reader_help);
}

/* One line on stderr after a run (not with -q): what was scored, the calls,
 * where the outputs are. */
static void closing_line(const dorm_run_opts_t *o, const dorm_run_result_t *res)
{
    fprintf(stderr, "dormscan score: %lld cells of %d sample%s", (long long)res->n_cells,
            o->n_samples, o->n_samples == 1 ? "" : "s");
    if (o->shard_n > 0) {
        fprintf(stderr, " (shard %d of %d) in %s/shard.bin; finish with dormscan merge\n",
                o->shard_k, o->shard_n, o->outdir);
        return;
    }
    const char *sep = ": ";
    for (int t = 0; t < DORM_N_STATES; t++) {
        if (res->state[t] == 0 && (t == DORM_STATE_LOW_QUALITY || t == DORM_STATE_UNSCORED))
            continue;
        fprintf(stderr, "%s%lld %s", sep, (long long)res->state[t],
                dorm_state_name((dorm_state_t)t));
        sep = ", ";
    }
    fprintf(stderr, "; %lld with the SASP flag; in %s\n", (long long)res->sasp, o->outdir);
}

int cmd_score(int argc, char **argv)
{
    cli_run_t r;
    int status = cli_run_parse("score", help, argc, argv, &r);
    if (status >= 0) {
        cli_run_free(&r);
        return status;
    }
    dorm_err_t err;
    dorm_err_clear(&err);
    dorm_run_result_t res;
    r.o.result = &res;
    int rc = dorm_run_score(&r.o, &err);
    cli_run_finish(&r);
    if (rc < 0)
        fprintf(stderr, "dormscan score: %s\n", err.msg);
    else if (dorm_log_get_level() > DORM_LOG_ERROR)
        closing_line(&r.o, &res);
    cli_run_free(&r);
    return rc < 0 ? dorm_err_exit_status(rc) : 0;
}
