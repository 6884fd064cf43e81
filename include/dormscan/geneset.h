/* geneset.h -- gene sets: GMT parsing, the shipped panel, matching to features.
 *
 * A gene set has a name and a list of members, each with a sign (+1 up,
 * -1 down).  Signed sets come from UCell-style "GENE+"/"GENE-" suffixes, or
 * from an MSigDB NAME_UP / NAME_DN pair, which adds a signed set NAME beside
 * the two originals.  Lists own all their strings; free with
 * dorm_geneset_list_destroy().
 */
#ifndef DORMSCAN_GENESET_H
#define DORMSCAN_GENESET_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stddef.h>
#include <stdint.h>
#include "dormscan/error.h"
#include "dormscan/matrix.h"

typedef struct dorm_geneset_t {
    char *name;
    char *description;
    char **genes;     /* n_genes gene tokens (suffix stripped) */
    int8_t *sign;     /* n_genes of +1 / -1 */
    int n_genes;
    int source;       /* index into dorm_geneset_list_t.sources */
    int internal;     /* 1: scored for phase only, not written as a column */
} dorm_geneset_t;

typedef struct dorm_geneset_source_t {
    char *path;       /* file path, or "builtin:NAME" for shipped files */
    char sha256[65];  /* hex digest of the file's bytes */
} dorm_geneset_source_t;

typedef struct dorm_geneset_list_t {
    dorm_geneset_t *sets;
    int n, cap;
    dorm_geneset_source_t *sources;
    int n_sources;
} dorm_geneset_list_t;

void dorm_geneset_list_init(dorm_geneset_list_t *l);
void dorm_geneset_list_destroy(dorm_geneset_list_t *l);

/* Parse GMT text (len bytes) and append its sets; label names the source in
 * messages and run.json.  A duplicate set name is DORM_E_USAGE. */
int dorm_gmt_parse(dorm_geneset_list_t *l, const char *text, size_t len,
                   const char *label, dorm_err_t *err) DORM_WUR;

/* Append the shipped dormancy panel (builtin "dormancy_panel") or QC sets
 * ("qc").  Unknown names are DORM_E_USAGE. */
int dorm_panel_load(dorm_geneset_list_t *l, const char *builtin,
                    dorm_err_t *err) DORM_WUR;

/* Names of the shipped GMT files, NULL-terminated; the text of any shipped
 * file ("dormancy_panel", "qc", "gene_ids"). */
const char *const *dorm_panel_builtin_names(void);
const char *dorm_panel_builtin_text(const char *builtin, size_t *len);

/* Find a set by name; NULL when absent. */
const dorm_geneset_t *dorm_geneset_find(const dorm_geneset_list_t *l, const char *name);

/* A set matched against an input's features. */
typedef struct dorm_match_t {
    int n_total;        /* distinct members of the set */
    int n_found;
    int32_t *gene;      /* n_found feature indices */
    int8_t *sign;       /* n_found signs */
    char **missing;     /* n_total - n_found member tokens (borrowed from the set) */
    int n_missing_up, n_missing_down;
    int n_repeated;        /* found members whose feature symbol repeats in the input */
    const char *repeated;  /* the first of them (borrowed from the set), or NULL */
} dorm_match_t;

/* Lookup table from symbols and IDs to feature indices.  Symbols match
 * exactly; IDs match exactly and with Ensembl version suffixes stripped.
 * The first feature with a given key wins (a match counts the members that
 * named a repeated symbol). */
typedef struct dorm_gene_index_t dorm_gene_index_t;

int dorm_gene_index_build(dorm_gene_index_t **out, const dorm_features_t *f,
                          int case_insensitive, dorm_err_t *err) DORM_WUR;
/* Feature index of a gene token, or -1. */
int64_t dorm_gene_index_lookup(const dorm_gene_index_t *ix, const char *token);
void dorm_gene_index_destroy(dorm_gene_index_t *ix);

/* ---- species and aliases ---- */

typedef enum { DORM_SPECIES_HUMAN = 0, DORM_SPECIES_MOUSE = 1 } dorm_species_t;

const char *dorm_species_name(dorm_species_t s);
/* Guess the organism from feature IDs (ENSG / ENSMUSG) and symbol case
 * (ACTB / Actb); human when undecided. */
dorm_species_t dorm_species_guess(const dorm_features_t *f);

/* Alternative tokens of the shipped genes (signatures/gene_ids.tsv):
 * current symbols of renamed genes, Ensembl IDs, mouse orthologs and their
 * Ensembl IDs.  Free with dorm_aliases_destroy. */
typedef struct dorm_aliases_t dorm_aliases_t;
int dorm_aliases_load(dorm_aliases_t **out, dorm_err_t *err) DORM_WUR;
void dorm_aliases_destroy(dorm_aliases_t *a);
/* 1 if token is one of the shipped genes or one of their aliases. */
int dorm_aliases_known(const dorm_aliases_t *a, const char *token);

/* Match one set; members are deduplicated.  A member is looked up as
 * written; if absent and aliases is given, through its aliases for species
 * (human: current symbol, then Ensembl ID; mouse: ortholog symbols, then
 * their Ensembl IDs), first hit wins.  Free with dorm_match_destroy. */
int dorm_match_set(dorm_match_t *m, const dorm_geneset_t *s, const dorm_gene_index_t *ix,
                   const dorm_aliases_t *aliases, dorm_species_t species,
                   dorm_err_t *err) DORM_WUR;
void dorm_match_destroy(dorm_match_t *m);

#pragma GCC visibility pop
#endif
