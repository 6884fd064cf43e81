/* shard.h -- shard.bin: the per-cell records of a `score --shard K/N` run,
 * finished by `merge`; part of the store (written and read by the pipeline).
 *
 * Text header lines, then per sample a line "sample NAME N", N binary records
 * (native doubles, the pipeline's record length for n_out sets each) and N barcode lines, and a last line
 * "end".  Written and read on the same kind of machine (the bytes are
 * native-endian doubles). */
#ifndef DORM_STORE_SHARD_H
#define DORM_STORE_SHARD_H

#include <stdint.h>
#include <stdio.h>

#include "dormscan/outfile.h"
#include "spill.h"

typedef struct shard_header_t {
    int k, n;              /* this is shard k of n */
    char method[16];       /* the scoring method's name */
    double fdr;
    int sample_column, gzip;
    int n_out;
    char **set_names;      /* n_out */
    char reference[65];    /* the digest of the reference the cells were scored against */
    char groups_sha256[65]; /* the --groups file's (cellmeta_t), "" without */
    const char *groups_path; /* as given to score, or NULL (dorm_shard_open: s->groups_path) */
} shard_header_t;

int dorm_shard_write_header(dorm_outfile_t *o, const shard_header_t *h);
/* Append the records and barcodes of a finished scoring pass. */
int dorm_shard_write_sample(dorm_outfile_t *o, const char *name, spill_t *sp, int rec_len,
                       dorm_err_t *err);
void dorm_shard_write_end(dorm_outfile_t *o);

typedef struct shard_sample_t {
    char *name;
    int64_t n;
    off_t records, barcodes; /* file offsets */
} shard_sample_t;

typedef struct shard_file_t {
    char *path;
    FILE *fp;
    shard_header_t h;
    shard_sample_t *samples;
    int n_samples;
    char *groups_path;     /* owned; h.groups_path points here */
} shard_file_t;

/* Open and index a shard.bin whose records hold record_len(n_out) doubles;
 * free with dorm_shard_close. */
int dorm_shard_open(shard_file_t *s, const char *path, int (*record_len)(int n_out), dorm_err_t *err);
/* Copy sample i's records and barcodes into sp (opened with the records'
 * length). */
int dorm_shard_copy_sample(shard_file_t *s, int i, spill_t *sp, dorm_err_t *err);
void dorm_shard_close(shard_file_t *s);

#endif
