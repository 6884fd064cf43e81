/* count.h -- UMI counts per cell and gene from aligned reads (BAM, CRAM, SAM)
 * written by Cell Ranger or STARsolo.
 *
 * Counting rule (dormscan-count(1)):
 *   - A file in which a record carries an xf tag (Cell Ranger 3 and later):
 *     every record with xf & 8 (the record that represents a counted UMI) is
 *     one UMI of (CB, GX).
 *   - Any other file (Cell Ranger 1-2, STARsolo): records that are mapped,
 *     primary (not secondary, not supplementary) and have MAPQ 255, with CB and
 *     UB present and not "-", and exactly one gene in GX (no ';').  A (CB, GX)
 *     counts its distinct UB values.
 * Memory grows with the distinct (CB, GX, UB) triples of the second rule (about
 * 32 bytes each, twice that while the table grows) or the distinct (CB, GX)
 * pairs of the first; counts are computed in memory, then sorted. */
#ifndef DORMSCAN_COUNT_H
#define DORMSCAN_COUNT_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/error.h"

typedef struct dorm_count_opts_t {
    const char *barcodes_path;  /* keep only these CB values, in this order
                                   (first column, one per line; NULL: all) */
    const char *features_path;  /* features.tsv[.gz] or one gene ID per line:
                                   the genes and their order (NULL: every gene
                                   seen in a GX tag, sorted by ID) */
    int64_t min_umis;           /* drop barcodes with fewer counted UMIs */
    int threads;                /* BGZF decompression threads (<= 1: none) */
    const char *reference;      /* FASTA for CRAM (NULL: htslib's REF_PATH) */
    char *const *regions;       /* "chr:beg-end" regions (needs an index) */
    int n_regions;              /* 0: the whole file */
    char reserved[32];          /* room to grow; zero it */
} dorm_count_opts_t;

/* A cells x genes count matrix in compressed-sparse-column form. */
typedef struct dorm_counts_t {
    int64_t n_cells, n_genes, nnz;
    char **barcodes;            /* n_cells CB values as written */
    char **gene_ids;            /* n_genes GX IDs (or --features IDs) */
    char **gene_names;          /* n_genes GN names (the ID when unknown) */
    char **gene_types;          /* n_genes; "Gene Expression" unless --features
                                   says otherwise */
    int64_t *col_ptr;           /* n_cells + 1 offsets into gene/umis */
    int32_t *gene;              /* gene index, ascending within a cell */
    uint32_t *umis;             /* UMI count, > 0 */
    /* what was read */
    const char *rule;           /* "xf" (Cell Ranger 3+) or "umi" (distinct UB) */
    int64_t n_records;          /* alignment records read */
    int64_t n_gx_records;       /* records with a GX tag (any value) */
    int64_t n_qualified;        /* records that passed the rule */
    int64_t n_umis;             /* sum of the matrix */
    int64_t n_umis_unlisted;    /* UMIs of genes not in --features (not counted) */
    int64_t n_barcodes_below;   /* barcodes dropped by min_umis */
} dorm_counts_t;

void dorm_count_opts_default(dorm_count_opts_t *o);

/* Read the alignments of path ("-": standard input) and count UMIs per cell
 * and gene.  Cells are in the order of opts->barcodes_path, else sorted by
 * barcode (bytewise); without barcodes_path only barcodes with at least one
 * counted UMI (and at least min_umis) are listed.  Errors: an unreadable,
 * truncated or corrupt file; a file in which no record qualified and none
 * carries GX ("not a gene-expression BAM"); a region without an index.  out
 * is filled on success and owned by the caller (dorm_counts_destroy); on
 * error it is left empty. */
int dorm_count_bam(const char *path, const dorm_count_opts_t *opts, dorm_counts_t *out,
                   dorm_err_t *err) DORM_WUR;

void dorm_counts_destroy(dorm_counts_t *c);

#pragma GCC visibility pop
#endif
