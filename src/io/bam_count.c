/* bam_count.c -- UMI counts per cell and gene from Cell Ranger or STARsolo
 * alignments (BAM, CRAM or SAM through htslib): dorm_count_bam, which both
 * `dormscan count` and the BAM reader backend (bam.c) use.
 *
 * One pass over the records.  The first record that carries an xf tag
 * switches the file to the Cell Ranger 3+ rule (records with xf & 8, one UMI
 * each, keyed by CB and GX); records before it carried no xf and so count for
 * nothing under that rule either.  Until then the UB rule collects the
 * distinct (CB, GX, UB) triples of primary MAPQ-255 records in a hash set.
 * Every gene ID of every GX tag is remembered with its GN name, so the
 * feature list holds the genes seen even where nothing was counted.
 *
 * Memory: a hash table of 16-byte slots kept at most 70% full (about 32 bytes
 * per distinct triple or pair on average, briefly three times the table while
 * it doubles), plus each distinct barcode and gene name twice (map and
 * list).  UMIs of A, C, G and T only, up to 31 bases, are packed into the slot;
 * others are interned as strings.  At the end the table is compacted and
 * sorted in place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <htslib/hts.h>
#include <htslib/kstring.h>
#include <htslib/sam.h>

#include "core/strmap.h"
#include "core/strvec.h"
#include "dormscan/count.h"
#include "dormscan/log.h"
#include "features_internal.h"
#include "instream_internal.h"
#include "lines.h"

#define GENE_EXPRESSION "Gene Expression"
#define EMPTY_SLOT UINT32_MAX
#define MAX_INDEX (INT32_MAX - 1)
#define UNPACKED_UMI (UINT64_C(1) << 63)

/* ---- the (cell, gene[, UMI]) table ---- */

typedef struct slot_t {
    uint32_t cell, gene; /* cell == EMPTY_SLOT: free */
    uint64_t x;          /* UMI code (set of triples) or count (pairs) */
} slot_t;

typedef struct entry_t {
    uint64_t key;        /* output cell << 32 | output gene */
    uint64_t n;          /* UMIs */
} entry_t;

/* Slots are compacted into entries in place at the end. */
typedef union cell16_t {
    slot_t s;
    entry_t e;
} cell16_t;

_Static_assert(sizeof(cell16_t) == sizeof(entry_t) && sizeof(slot_t) == sizeof(entry_t),
               "slots compact into entries in place");

typedef struct table_t {
    cell16_t *v;
    uint64_t cap, n;
    int with_x; /* 1: a set of triples; 0: pair -> count */
} table_t;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t slot_hash(const table_t *t, uint32_t cell, uint32_t gene, uint64_t x)
{
    uint64_t h = mix64((uint64_t)cell << 32 | gene);
    return t->with_x ? mix64(h ^ x) : h;
}

static int table_grow(table_t *t)
{
    uint64_t cap = t->cap ? t->cap * 2 : 1024, mask = cap - 1;
    cell16_t *v = malloc((size_t)cap * sizeof *v);
    if (!v)
        return -1;
    for (uint64_t i = 0; i < cap; i++)
        v[i].s.cell = EMPTY_SLOT;
    for (uint64_t i = 0; i < t->cap; i++) {
        const slot_t *s = &t->v[i].s;
        if (s->cell == EMPTY_SLOT)
            continue;
        uint64_t j = slot_hash(t, s->cell, s->gene, s->x) & mask;
        while (v[j].s.cell != EMPTY_SLOT)
            j = (j + 1) & mask;
        v[j].s = *s;
    }
    free(t->v);
    t->v = v;
    t->cap = cap;
    return 0;
}

/* Add a triple (with_x) or count one UMI of a pair.  -1 when out of memory. */
static int table_add(table_t *t, uint32_t cell, uint32_t gene, uint64_t x)
{
    if ((t->n + 1) * 10 > t->cap * 7 && table_grow(t) < 0)
        return -1;
    uint64_t mask = t->cap - 1, i = slot_hash(t, cell, gene, x) & mask;
    for (;; i = (i + 1) & mask) {
        slot_t *s = &t->v[i].s;
        if (s->cell == EMPTY_SLOT) {
            *s = (slot_t){cell, gene, t->with_x ? x : 1};
            t->n++;
            return 0;
        }
        if (s->cell == cell && s->gene == gene && (!t->with_x || s->x == x)) {
            if (!t->with_x)
                s->x++;
            return 0;
        }
    }
}

static void table_free(table_t *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* ---- counting ---- */

typedef struct count_ctx_t {
    const char *path;
    const dorm_count_opts_t *o;
    dorm_strmap_t cell_map;  /* barcode -> index into cells */
    dorm_strvec_t cells;
    int cells_fixed;         /* --barcodes: only the listed ones */
    dorm_strmap_t gene_map;  /* GX id -> index into gene_ids */
    dorm_strvec_t gene_ids, gene_names;
    dorm_strmap_t feat_map;  /* --features id -> row */
    dorm_strvec_t feat_ids, feat_names, feat_types;
    dorm_strmap_t umi_map;   /* UMIs that do not pack into 62 bits */
    table_t tab;
    int xf_mode;
    char *last_gx;           /* the previous GX value and its single gene */
    size_t last_gx_cap;
    int64_t last_gene;
    kstring_t id, name;      /* scratch */
    int64_t n_records, n_gx, n_qualified;
    int64_t n_other_cells;  /* would count, but CB is not in --barcodes */
} count_ctx_t;

void dorm_count_opts_default(dorm_count_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->threads = 1;
}

/* A Z tag's value when present and not "-" or empty, else NULL. */
static const char *tag_value(const bam1_t *b, const char tag[2])
{
    uint8_t *p = bam_aux_get(b, tag);
    const char *s = p && *p == 'Z' ? (const char *)(p + 1) : NULL;
    return s && *s && strcmp(s, "-") != 0 ? s : NULL;
}

/* Pack a UMI of A/C/G/T (up to 31 bases) as a length bit plus two bits a
 * base; intern anything else.  <0 when out of memory. */
static int umi_code(count_ctx_t *c, const char *u, uint64_t *code)
{
    uint64_t x = 1;
    size_t i = 0;
    for (; u[i] && i < 31; i++) {
        static const signed char base[256] = {['A'] = 1, ['C'] = 2, ['G'] = 3, ['T'] = 4};
        int v = base[(unsigned char)u[i]];
        if (!v)
            break;
        x = x << 2 | (uint64_t)(v - 1);
    }
    if (!u[i]) {
        *code = x;
        return 0;
    }
    int64_t k = dorm_strmap_get(&c->umi_map, u);
    if (k < 0) {
        k = c->umi_map.n;
        if (dorm_strmap_put(&c->umi_map, u, k) < 0)
            return -1;
    }
    *code = UNPACKED_UMI | (uint64_t)k;
    return 0;
}

/* Index of a gene ID, added (with its name) on first sight; -2 when out of
 * memory, -3 when there are too many genes. */
static int64_t intern_gene(count_ctx_t *c, const char *id, const char *name)
{
    int64_t g = dorm_strmap_get(&c->gene_map, id);
    if (g >= 0)
        return g;
    if (c->gene_ids.n >= MAX_INDEX)
        return -3;
    g = c->gene_ids.n;
    if (dorm_strmap_put(&c->gene_map, id, g) < 0 || dorm_strvec_push(&c->gene_ids, id) < 0 ||
        dorm_strvec_push(&c->gene_names, name && *name && strcmp(name, "-") != 0 ? name : id) < 0)
        return -2;
    return g;
}

/* Remember every gene of a GX value (';'-separated, names from GN in the
 * same order); the single gene's index, -1 for several, -2 when out of
 * memory, -3 when there are too many genes. */
static int64_t genes_of(count_ctx_t *c, const char *gx, const char *gn)
{
    if (c->last_gx && strcmp(gx, c->last_gx) == 0)
        return c->last_gene;
    int64_t single = -1, n = 0;
    for (const char *p = gx, *q = gn;;) {
        size_t len = strcspn(p, ";"), qlen = q ? strcspn(q, ";") : 0;
        c->id.l = c->name.l = 0;
        if (kputsn(p, len, &c->id) < 0 || kputsn(q ? q : "", qlen, &c->name) < 0)
            return -2;
        if (len > 0) {
            int64_t g = intern_gene(c, c->id.s, c->name.s);
            if (g < 0)
                return g;
            single = n++ == 0 ? g : -1;
        }
        if (!p[len])
            break;
        p += len + 1;
        q = q && q[qlen] ? q + qlen + 1 : NULL;
    }
    size_t need = strlen(gx) + 1;
    if (need > c->last_gx_cap) {
        char *s = realloc(c->last_gx, need);
        if (!s)
            return -2;
        c->last_gx = s;
        c->last_gx_cap = need;
    }
    memcpy(c->last_gx, gx, need);
    c->last_gene = single;
    return single;
}

/* Index of a cell barcode: added on first sight unless the list is fixed;
 * -1 when not listed, <-1 on error. */
static int64_t cell_of(count_ctx_t *c, const char *cb)
{
    int64_t k = dorm_strmap_get(&c->cell_map, cb);
    if (k >= 0 || c->cells_fixed)
        return k;
    if (c->cells.n >= MAX_INDEX)
        return -3;
    k = c->cells.n;
    if (dorm_strmap_put(&c->cell_map, cb, k) < 0 || dorm_strvec_push(&c->cells, cb) < 0)
        return -2;
    return k;
}

static int too_many(count_ctx_t *c, const char *what, dorm_err_t *err)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s: more than %d distinct %s", c->path, MAX_INDEX, what);
}

static int on_record(count_ctx_t *c, const bam1_t *b, dorm_err_t *err)
{
    c->n_records++;
    uint8_t *xf = bam_aux_get(b, "xf");
    if (xf && !c->xf_mode) { /* Cell Ranger 3+: nothing counted so far had xf */
        c->xf_mode = 1;
        table_free(&c->tab);
        dorm_strmap_destroy(&c->umi_map);
        c->n_qualified = c->n_other_cells = 0;
    }
    uint8_t *gxp = bam_aux_get(b, "GX");
    if (!gxp)
        return 0;
    c->n_gx++;
    const char *gx = *gxp == 'Z' ? (const char *)(gxp + 1) : NULL;
    if (!gx || !*gx || strcmp(gx, "-") == 0)
        return 0;
    int64_t gene = genes_of(c, gx, tag_value(b, "GN"));
    if (gene < -1)
        return gene == -3 ? too_many(c, "genes", err) : dorm_err_nomem(err);
    if (gene < 0)
        return 0;
    const char *cb = tag_value(b, "CB");
    if (!cb)
        return 0;
    uint64_t umi = 0;
    if (c->xf_mode) {
        if (!xf || !(bam_aux2i(xf) & 8))
            return 0;
    } else {
        const char *ub;
        if ((b->core.flag & (BAM_FUNMAP | BAM_FSECONDARY | BAM_FSUPPLEMENTARY)) ||
            b->core.qual != 255 || !(ub = tag_value(b, "UB")))
            return 0;
        if (umi_code(c, ub, &umi) < 0)
            return dorm_err_nomem(err);
    }
    int64_t cell = cell_of(c, cb);
    if (cell < -1)
        return cell == -3 ? too_many(c, "barcodes", err) : dorm_err_nomem(err);
    if (cell < 0) {
        c->n_other_cells++;
        return 0;
    }
    c->n_qualified++;
    c->tab.with_x = !c->xf_mode;
    if (table_add(&c->tab, (uint32_t)cell, (uint32_t)gene, umi) < 0)
        return dorm_err_nomem(err);
    return 0;
}

/* ---- the --barcodes and --features lists ---- */

static int read_list(count_ctx_t *c, const char *path, int features, dorm_err_t *err)
{
    dorm_lines_t *lr;
    int rc = dorm_lines_open(&lr, path, err);
    if (rc < 0)
        return rc;
    char *line;
    size_t len;
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        if (len == 0)
            continue;
        char *f[3] = {line, NULL, NULL};
        for (int k = 1; k < 3 && f[k - 1]; k++) {
            char *t = strchr(f[k - 1], '\t');
            if (t) {
                *t = '\0';
                f[k] = t + 1;
            }
        }
        if (f[2] && strchr(f[2], '\t'))
            *strchr(f[2], '\t') = '\0';
        long ln = (long)dorm_lines_number(lr);
        if (!*f[0]) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: empty first column", path, ln);
            break;
        }
        dorm_strmap_t *map = features ? &c->feat_map : &c->cell_map;
        dorm_strvec_t *ids = features ? &c->feat_ids : &c->cells;
        if (ids->n >= MAX_INDEX) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: more than %d lines", path, MAX_INDEX);
            break;
        }
        int put = dorm_strmap_put(map, f[0], ids->n);
        if (put == 0) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: '%s' is listed twice", path, ln, f[0]);
            break;
        }
        if (put < 0 || dorm_strvec_push(ids, f[0]) < 0 ||
            (features && (dorm_strvec_push(&c->feat_names, f[1] && *f[1] ? f[1] : NULL) < 0 ||
                          dorm_strvec_push(&c->feat_types, f[2] && *f[2] ? f[2] : NULL) < 0))) {
            rc = dorm_err_nomem(err);
            break;
        }
    }
    dorm_lines_close(lr);
    return rc < 0 ? rc : 0;
}

/* ---- opening ---- */

typedef struct bam_in_t {
    samFile *fp;
    sam_hdr_t *hdr;
    hts_idx_t *idx;
    hts_itr_t *itr;
} bam_in_t;

static void bam_in_close(bam_in_t *in)
{
    hts_itr_destroy(in->itr);
    if (in->idx)
        hts_idx_destroy(in->idx);
    sam_hdr_destroy(in->hdr);
    if (in->fp)
        hts_close(in->fp);
    memset(in, 0, sizeof *in);
}

static int bam_in_open(bam_in_t *in, const char *path, const dorm_count_opts_t *o, dorm_err_t *err)
{
    memset(in, 0, sizeof *in);
    errno = 0;
    in->fp = hts_open(path, "r");
    if (!in->fp && errno == ENOEXEC) /* htslib recognised no format */
        return dorm_err_set(err, DORM_E_FORMAT, "%s: not a BAM, CRAM or SAM file", path);
    if (!in->fp)
        return dorm_err_set(err, DORM_E_IO, "%s: cannot open: %s", path,
                            errno ? strerror(errno) : "unknown error");
    const htsFormat *f = hts_get_format(in->fp);
    if (f->format == empty_format && f->compression != no_compression)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: truncated or corrupt compressed data (no readable first block)", path);
    if (f->format != bam && f->format != cram && f->format != sam)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: not a BAM, CRAM or SAM file", path);
    if (hts_check_EOF(in->fp) == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no end-of-file marker: the %s is truncated",
                            path, f->format == cram ? "CRAM" : "BAM");
    if (f->format == cram) {
        if (o->reference && hts_set_fai_filename(in->fp, o->reference) != 0)
            return dorm_err_set(err, DORM_E_IO, "%s: cannot use the reference FASTA", o->reference);
        /* Flags, MAPQ, position and tags are all the rule reads: without the
         * sequence, most CRAMs decode without their reference. */
        hts_set_opt(in->fp, CRAM_OPT_REQUIRED_FIELDS,
                    SAM_FLAG | SAM_RNAME | SAM_POS | SAM_MAPQ | SAM_CIGAR | SAM_AUX);
    }
    if (o->threads > 1 && hts_set_threads(in->fp, o->threads) != 0)
        return dorm_err_set(err, DORM_E_NOMEM, "cannot start %d decompression threads", o->threads);
    if (!(in->hdr = sam_hdr_read(in->fp)))
        return dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read the header (truncated or corrupt)", path);
    if (o->n_regions <= 0)
        return 0;
    if (!(in->idx = sam_index_load(in->fp, path)))
        return dorm_err_set(err, DORM_E_IO,
                            "%s: no index (.bai, .csi or .crai) beside it: a region needs one "
                            "(samtools index)", path);
    for (int i = 0; i < o->n_regions; i++) {
        int tid;
        hts_pos_t beg, end;
        if (!sam_parse_region(in->hdr, o->regions[i], &tid, &beg, &end, 0))
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: region '%s': unknown reference or malformed region", path,
                                o->regions[i]);
    }
    if (!(in->itr = sam_itr_regarray(in->idx, in->hdr, (char **)o->regions, (unsigned)o->n_regions)))
        return dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read the regions", path);
    return 0;
}

/* ---- the result ---- */

static int cmp_key(const void *a, const void *b)
{
    uint64_t x = ((const entry_t *)a)->key, y = ((const entry_t *)b)->key;
    return (x > y) - (x < y);
}

typedef struct named_t {
    const char *s;
    int64_t i;
} named_t;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named_t *)a)->s, ((const named_t *)b)->s);
}

/* rank[i]: position of strs[i] in bytewise order. */
static int sorted_ranks(char *const *strs, int64_t n, int64_t *rank)
{
    named_t *t = malloc((size_t)(n ? n : 1) * sizeof *t);
    if (!t)
        return -1;
    for (int64_t i = 0; i < n; i++)
        t[i] = (named_t){strs[i], i};
    qsort(t, (size_t)n, sizeof *t, cmp_named);
    for (int64_t i = 0; i < n; i++)
        rank[t[i].i] = i;
    free(t);
    return 0;
}

/* The string at *from, which no longer owns it (no copy). */
static char *take(char **from)
{
    char *s = *from;
    *from = NULL;
    return s;
}

/* Build out from the table: order genes and cells, merge, filter. */
static int finish(count_ctx_t *c, dorm_counts_t *out, dorm_err_t *err)
{
    int rc = 0;
    int have_features = c->o->features_path != NULL;
    int64_t n_seen = c->gene_ids.n, n_genes = have_features ? c->feat_ids.n : n_seen;
    int64_t n_all = c->cells.n;
    int64_t *gene_out = malloc((size_t)(n_seen ? n_seen : 1) * sizeof *gene_out);
    int64_t *cell_rank = malloc((size_t)(n_all ? n_all : 1) * sizeof *cell_rank);
    int64_t *total = calloc((size_t)(n_all ? n_all : 1), sizeof *total);
    int64_t *cell_new = malloc((size_t)(n_all ? n_all : 1) * sizeof *cell_new);
    int64_t *by_rank = malloc((size_t)(n_all ? n_all : 1) * sizeof *by_rank);
    if (!gene_out || !cell_rank || !total || !cell_new || !by_rank) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    /* genes: the --features rows, or every gene seen sorted by ID */
    if (have_features) {
        for (int64_t g = 0; g < n_seen; g++)
            gene_out[g] = dorm_strmap_get(&c->feat_map, c->gene_ids.s[g]);
    } else if (sorted_ranks(c->gene_ids.s, n_seen, gene_out) < 0) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    /* cells: the --barcodes order, or sorted */
    if (c->cells_fixed) {
        for (int64_t i = 0; i < n_all; i++)
            cell_rank[i] = i;
    } else if (sorted_ranks(c->cells.s, n_all, cell_rank) < 0) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (int64_t i = 0; i < n_all; i++)
        by_rank[cell_rank[i]] = i;
    /* compact the table into (output key, UMIs) entries, in place */
    uint64_t n = 0;
    for (uint64_t i = 0; i < c->tab.cap; i++) {
        slot_t s = c->tab.v[i].s;
        if (s.cell == EMPTY_SLOT)
            continue;
        uint64_t umis = c->tab.with_x ? 1 : s.x;
        if (gene_out[s.gene] < 0) {
            out->n_umis_unlisted += (int64_t)umis;
            continue;
        }
        c->tab.v[n++].e = (entry_t){(uint64_t)cell_rank[s.cell] << 32 | (uint64_t)gene_out[s.gene], umis};
    }
    entry_t *e = n ? &c->tab.v[0].e : NULL;
    if (n)
        qsort(e, (size_t)n, sizeof *e, cmp_key);
    uint64_t m = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (m > 0 && e[m - 1].key == e[i].key)
            e[m - 1].n += e[i].n;
        else
            e[m++] = e[i];
    }
    for (uint64_t i = 0; i < m; i++) {
        if (e[i].n > UINT32_MAX) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: more than %u UMIs of one gene in one cell",
                              c->path, UINT32_MAX);
            goto done;
        }
        total[e[i].key >> 32] += (int64_t)e[i].n;
    }
    /* keep: listed cells with >= min_umis, or seen cells with >= max(1, min_umis) */
    int64_t floor_umis = c->o->min_umis;
    if (!c->cells_fixed && floor_umis < 1)
        floor_umis = 1;
    int64_t n_keep = 0;
    for (int64_t r = 0; r < n_all; r++) {
        cell_new[r] = total[r] >= floor_umis ? n_keep++ : -1;
        if (cell_new[r] < 0 && total[r] > 0)
            out->n_barcodes_below++;
    }
    uint64_t nnz = 0;
    for (uint64_t i = 0; i < m; i++)
        nnz += cell_new[e[i].key >> 32] >= 0;
    out->barcodes = calloc((size_t)(n_keep ? n_keep : 1), sizeof *out->barcodes);
    out->gene_ids = calloc((size_t)(n_genes ? n_genes : 1), sizeof *out->gene_ids);
    out->gene_names = calloc((size_t)(n_genes ? n_genes : 1), sizeof *out->gene_names);
    out->gene_types = calloc((size_t)(n_genes ? n_genes : 1), sizeof *out->gene_types);
    out->col_ptr = calloc((size_t)n_keep + 1, sizeof *out->col_ptr);
    out->gene = malloc((size_t)(nnz ? nnz : 1) * sizeof *out->gene);
    out->umis = malloc((size_t)(nnz ? nnz : 1) * sizeof *out->umis);
    if (!out->barcodes || !out->gene_ids || !out->gene_names || !out->gene_types ||
        !out->col_ptr || !out->gene || !out->umis) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    out->n_cells = n_keep;
    out->n_genes = n_genes;
    for (int64_t r = 0; r < n_all; r++)
        if (cell_new[r] >= 0)
            out->barcodes[cell_new[r]] = take(&c->cells.s[by_rank[r]]);
    if (have_features) {
        for (int64_t g = 0; g < n_genes; g++) {
            out->gene_ids[g] = take(&c->feat_ids.s[g]);
            out->gene_names[g] = take(&c->feat_names.s[g]);
            out->gene_types[g] = take(&c->feat_types.s[g]);
        }
        for (int64_t g = 0; g < n_seen; g++) /* a name from GN where the list has none */
            if (gene_out[g] >= 0 && !out->gene_names[gene_out[g]])
                out->gene_names[gene_out[g]] = take(&c->gene_names.s[g]);
    } else {
        for (int64_t g = 0; g < n_seen; g++) {
            out->gene_ids[gene_out[g]] = take(&c->gene_ids.s[g]);
            out->gene_names[gene_out[g]] = take(&c->gene_names.s[g]);
        }
    }
    for (int64_t g = 0; g < n_genes; g++) {
        if (!out->gene_names[g])
            out->gene_names[g] = strdup(out->gene_ids[g]);
        if (!out->gene_types[g])
            out->gene_types[g] = strdup(GENE_EXPRESSION);
        if (!out->gene_names[g] || !out->gene_types[g]) {
            rc = dorm_err_nomem(err);
            goto done;
        }
    }
    uint64_t k = 0;
    for (uint64_t i = 0; i < m; i++) {
        int64_t cell = cell_new[e[i].key >> 32];
        if (cell < 0)
            continue;
        out->gene[k] = (int32_t)(e[i].key & UINT32_MAX);
        out->umis[k++] = (uint32_t)e[i].n;
        out->col_ptr[cell + 1]++;
        out->n_umis += (int64_t)e[i].n;
    }
    for (int64_t i = 0; i < n_keep; i++)
        out->col_ptr[i + 1] += out->col_ptr[i];
    out->nnz = (int64_t)nnz;
done:
    free(gene_out);
    free(cell_rank);
    free(total);
    free(cell_new);
    free(by_rank);
    return rc;
}

static void ctx_free(count_ctx_t *c)
{
    dorm_strmap_destroy(&c->cell_map);
    dorm_strmap_destroy(&c->gene_map);
    dorm_strmap_destroy(&c->feat_map);
    dorm_strmap_destroy(&c->umi_map);
    dorm_strvec_free(&c->cells);
    dorm_strvec_free(&c->gene_ids);
    dorm_strvec_free(&c->gene_names);
    dorm_strvec_free(&c->feat_ids);
    dorm_strvec_free(&c->feat_names);
    dorm_strvec_free(&c->feat_types);
    table_free(&c->tab);
    free(c->last_gx);
    free(c->id.s);
    free(c->name.s);
}

int dorm_count_bam(const char *path, const dorm_count_opts_t *opts, dorm_counts_t *out,
                   dorm_err_t *err)
{
    memset(out, 0, sizeof *out);
    dorm_hts_follow_log_level();
    dorm_count_opts_t defaults;
    if (!opts) {
        dorm_count_opts_default(&defaults);
        opts = &defaults;
    }
    count_ctx_t c = {.path = path, .o = opts};
    bam_in_t in = {0};
    bam1_t *b = bam_init1();
    int rc = b ? 0 : dorm_err_nomem(err);
    if (rc == 0 && opts->barcodes_path) {
        c.cells_fixed = 1;
        rc = read_list(&c, opts->barcodes_path, 0, err);
    }
    if (rc == 0 && opts->features_path)
        rc = read_list(&c, opts->features_path, 1, err);
    if (rc == 0)
        rc = bam_in_open(&in, path, opts, err);
    if (rc < 0)
        goto done;
    int r;
    while ((r = in.itr ? sam_itr_next(in.fp, in.itr, b) : sam_read1(in.fp, in.hdr, b)) >= 0)
        if ((rc = on_record(&c, b, err)) < 0)
            goto done;
    if (r < -1) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: read error after %lld records (truncated or corrupt)",
                          path, (long long)c.n_records);
        goto done;
    }
    if (c.n_records > 0 && c.n_qualified == 0 && c.n_gx == 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no GX gene tags: not a gene-expression BAM", path);
        goto done;
    }
    if (c.n_qualified == 0 && c.n_other_cells > 0)
        dorm_log(DORM_LOG_WARN, "%s: none of the %lld barcodes of %s occurs as the CB of a "
                 "counted record", path, (long long)c.cells.n, dorm_basename(opts->barcodes_path));
    else if (c.n_records > 0 && c.n_qualified == 0)
        dorm_log(DORM_LOG_WARN, "%s: no record qualified for counting (%s)", path,
                 c.xf_mode ? "none has xf & 8 with CB and one gene in GX"
                           : "none is a primary MAPQ-255 alignment with CB, UB and one gene in GX");
    rc = finish(&c, out, err);
    out->rule = c.xf_mode ? "xf" : "umi";
    out->n_records = c.n_records;
    out->n_gx_records = c.n_gx;
    out->n_qualified = c.n_qualified;
    if (rc == 0 && opts->features_path && out->n_umis_unlisted > 0)
        dorm_log(DORM_LOG_WARN, "%s: %lld UMIs of genes not in %s were not counted", path,
                 (long long)out->n_umis_unlisted, dorm_basename(opts->features_path));
done:
    if (rc < 0)
        dorm_counts_destroy(out);
    bam_destroy1(b);
    bam_in_close(&in);
    ctx_free(&c);
    return rc;
}

static void free_strs(char **s, int64_t n)
{
    if (!s)
        return;
    for (int64_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void dorm_counts_destroy(dorm_counts_t *c)
{
    if (!c)
        return;
    free_strs(c->barcodes, c->n_cells);
    free_strs(c->gene_ids, c->n_genes);
    free_strs(c->gene_names, c->n_genes);
    free_strs(c->gene_types, c->n_genes);
    free(c->col_ptr);
    free(c->gene);
    free(c->umis);
    memset(c, 0, sizeof *c);
}
