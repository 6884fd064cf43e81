/* reference_use_internal.h -- making a reference from cells and scoring against one,
 * shared by `score` and `reference`; private to the pipeline.
 *
 * The reference cells are the cells a run keeps (--cells, --keep) that pass
 * the QC: dying cells and empty droplets are no baseline of anything. */
#ifndef DORM_PIPELINE_REFERENCE_USE_H
#define DORM_PIPELINE_REFERENCE_USE_H

#include <stdint.h>
#include "io/cellmeta.h"
#include "core/strmap.h"
#include "dormscan/reference.h"
#include "dormscan/score.h"
#include "run_sets_internal.h"

/* An obs column of an h5ad input by barcode. */
typedef struct obsmap_t {
    dorm_strmap_t map;           /* barcode -> index into values */
    char **values, **barcodes;
    int64_t n;
} obsmap_t;

/* Load column of the h5ad input at path (format: as the reader reports it;
 * another format is a usage error naming option, e.g. "--groupby"). */
int dorm_obsmap_load(obsmap_t *om, const char *path, const char *format, const char *column,
                const char *option, dorm_err_t *err);
void dorm_obsmap_free(obsmap_t *om);

/* Where a cell's type comes from: a --groups column or an h5ad obs column. */
typedef struct typesrc_t {
    const cellmeta_t *meta;
    int col;                     /* --groups column, or -1 */
    const dorm_strmap_t *obs;    /* barcode -> obs_values index, or NULL */
    char *const *obs_values;
} typesrc_t;

/* Point ts->col at the --groups column named col, if there is one. */
void dorm_typesrc_column(typesrc_t *ts, const char *col);

/* The cell's type, or NULL when it has none (counted as "NA"). */
const char *dorm_typesrc_get(const typesrc_t *ts, const char *barcode);

/* What decides whether a cell is a reference cell, and its type. */
typedef struct refcells_t {
    const cellmeta_t *meta;          /* --cells, --keep, --baseline */
    const char *sample;              /* the sample's name (--baseline sample=NAME) */
    const typesrc_t *types;          /* NULL: no cell types */
    const uint8_t *qc_flags;         /* dorm_qc_flags of the sample */
    int has_mito, has_ribo;
    const dorm_qc_limits_t *limits;
} refcells_t;

/* eligible[c]: whether cell c of ch is a reference cell (kept by the
 * filters, in the --baseline population, passing the QC); type[c]: its
 * type (NULL: none, or no types). */
void dorm_reference_cells(const refcells_t *rc, const dorm_chunk_t *ch, uint8_t *eligible,
                     const char **type);

/* With --baseline, a reference without a cell is an error (a value that
 * names no cell, or baseline cells that all fail the QC): DORM_E_FORMAT. */
int dorm_reference_check_baseline(const dorm_reference_t *ref, const char *baseline, dorm_err_t *err);

/* Gene sums of the reference cells per population, growing a population
 * per new cell type: population 0 is every reference cell. */
typedef struct popmeans_t {
    int with_types;
    int64_t n_genes;
    int n;
    char **names;                /* n */
    dorm_gene_means_t *m;        /* n */
    dorm_strmap_t index;         /* type -> population */
    uint8_t *use;                /* per chunk scratch */
    int32_t *pop;
    int64_t cap;
} popmeans_t;

int dorm_popmeans_init(popmeans_t *pm, int64_t n_genes, int with_types, dorm_err_t *err);
/* Add the chunk's cells with eligible[c] != 0, of types type[c] (NULL
 * entries: "NA"; type may be NULL without types); map as in
 * dorm_gene_means_add_cells. */
int dorm_popmeans_add(popmeans_t *pm, const dorm_score_opts_t *opts, const dorm_chunk_t *ch,
                 const uint8_t *eligible, const char *const *type, const int64_t *map,
                 dorm_err_t *err);
/* Widen every population's sums to n_genes genes (new ones zero). */
int dorm_popmeans_grow(popmeans_t *pm, int64_t n_genes, dorm_err_t *err);
/* A reference over genes ids/names (n_genes of them) with each population's
 * means and cell count; baselines are left unset. */
int dorm_popmeans_reference(const popmeans_t *pm, char *const *ids, char *const *names,
                       dorm_reference_t **out, dorm_err_t *err);
void dorm_popmeans_free(popmeans_t *pm);

/* The definition of the classifier a reference is tied to: its components
 * and their genes, and the centred null (SHA-256 hex). */
void dorm_reference_panel_hash(const run_sets_t *rs, char hex[65]);

/* Refuse a reference that does not fit a sample: another organism, another
 * panel, other normalisation, or too few of the sample's genes.  what
 * names the reference in messages. */
int dorm_reference_check(const dorm_reference_t *ref, const char *what, const run_sets_t *rs,
                    const dorm_features_t *f, const dorm_score_opts_t *opts, const char *sample,
                    dorm_err_t *err);

/* Population pop's means over features f as a dorm_gene_means_t (sums of
 * one cell), for dorm_scorer_init; free with dorm_gene_means_destroy. */
int dorm_reference_gene_means(const dorm_reference_t *ref, int pop, const dorm_features_t *f,
                         dorm_gene_means_t *out, dorm_err_t *err);

/* One centred classifier scorer per population of ref (*out, n_pops of
 * them), over the sample's classifier sets. */
int dorm_reference_scorers(const dorm_reference_t *ref, const dorm_features_t *f, const run_sets_t *rs,
                      const dorm_score_opts_t *opts, dorm_scorer_t ***out, dorm_err_t *err);

/* The classifier sets of every cell of ch, each by the scorer of its
 * population pop[c] (pop NULL: population 0 for all; -1: none, NaN
 * results): n_cells x n_sets values into out[0..5], cell-major: score, z,
 * p, deviation, its null variance and the within-cell z of the values
 * (dorm_scorer_score_chunk_dev). */
int dorm_reference_score_chunk(dorm_scorer_t **cls, int n_pops, const int32_t *pop,
                          const dorm_chunk_t *ch, int n_sets, double *const out[6],
                          dorm_err_t *err);

/* A record's component block (DORM_N_COMPONENTS deviations, their
 * variances, their within-cell z) from a cell's classifier results (dev,
 * var and zabs of its n_cls sets; rs->comp_score maps components to sets). */
void dorm_reference_components(const run_sets_t *rs, const double *dev, const double *var,
                          const double *zabs, double *block);

#endif
