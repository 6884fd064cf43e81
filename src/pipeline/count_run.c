/* count_run.c -- `dormscan count`: UMI counts from a BAM written as a Cell
 * Ranger v3 MatrixMarket directory.
 *
 * The three files are written under temporary names in the output directory
 * and renamed into place only when all three are complete; if a rename fails
 * the ones already renamed are removed again. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dorm_config.h"
#include "dormscan/pipeline.h"
#include "dormscan/outfile.h"

enum { OUT_MATRIX, OUT_FEATURES, OUT_BARCODES, N_OUT };

static const char *const out_names[N_OUT] = {"matrix.mtx.gz", "features.tsv.gz", "barcodes.tsv.gz"};

/* Append v in decimal and then sep at buf[len]; the new length. */
static size_t put_uint(char *buf, size_t len, uint64_t v, char sep)
{
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (n > 0)
        buf[len++] = tmp[--n];
    buf[len++] = sep;
    return len;
}

static void write_matrix(dorm_outfile_t *o, const dorm_counts_t *c)
{
    dorm_outfile_printf(o, "%%%%MatrixMarket matrix coordinate integer general\n"
                           "%%metadata_json: {\"software_version\": \"dormscan-%s\", "
                           "\"format_version\": 2, \"counting_rule\": \"%s\"}\n"
                           "%lld %lld %lld\n",
                        DORM_VERSION, c->rule ? c->rule : "umi", (long long)c->n_genes,
                        (long long)c->n_cells, (long long)c->nnz);
    char buf[1 << 16];
    size_t len = 0;
    for (int64_t k = 0; k < c->n_cells; k++)
        for (int64_t j = c->col_ptr[k]; j < c->col_ptr[k + 1]; j++) {
            if (len > sizeof buf - 64) {
                dorm_outfile_write(o, buf, len);
                len = 0;
            }
            len = put_uint(buf, len, (uint64_t)c->gene[j] + 1, ' ');
            len = put_uint(buf, len, (uint64_t)k + 1, ' ');
            len = put_uint(buf, len, c->umis[j], '\n');
        }
    dorm_outfile_write(o, buf, len);
}

static void write_features(dorm_outfile_t *o, const dorm_counts_t *c)
{
    for (int64_t g = 0; g < c->n_genes; g++)
        dorm_outfile_printf(o, "%s\t%s\t%s\n", c->gene_ids[g], c->gene_names[g], c->gene_types[g]);
}

static void write_barcodes(dorm_outfile_t *o, const dorm_counts_t *c)
{
    for (int64_t k = 0; k < c->n_cells; k++)
        dorm_outfile_printf(o, "%s\n", c->barcodes[k]);
}

int dorm_run_count(const char *path, const dorm_count_opts_t *opts, const char *outdir,
                   dorm_counts_t *stats, dorm_err_t *err)
{
    dorm_counts_t c;
    dorm_outfile_t out[N_OUT];
    memset(out, 0, sizeof out);
    if (stats)
        memset(stats, 0, sizeof *stats);
    int rc = dorm_count_bam(path, opts, &c, err);
    if (rc < 0)
        return rc;
    int lock_fd = -1;
    rc = dorm_outdir_prepare(outdir, &lock_fd, err);
    for (int i = 0; rc == 0 && i < N_OUT; i++)
        rc = dorm_outfile_open(&out[i], outdir, out_names[i], 1, err);
    if (rc < 0)
        goto done;
    write_matrix(&out[OUT_MATRIX], &c);
    write_features(&out[OUT_FEATURES], &c);
    write_barcodes(&out[OUT_BARCODES], &c);
    rc = dorm_outfile_commit_all(out, N_OUT, err);
done:
    for (int i = 0; i < N_OUT; i++)
        dorm_outfile_abort(&out[i]);
    dorm_outdir_release(lock_fd);
    if (stats && rc == 0) {
        *stats = c;
        stats->barcodes = stats->gene_ids = stats->gene_names = stats->gene_types = NULL;
        stats->col_ptr = NULL;
        stats->gene = NULL;
        stats->umis = NULL;
    }
    dorm_counts_destroy(&c);
    return rc;
}
