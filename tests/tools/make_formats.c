/* make_formats.c -- write one count matrix in every input format dormscan reads.
 *
 * Usage: make_formats INPUT OUT_DIR
 *
 * Reads INPUT (any input libdormscan opens; the tests use the bundled example,
 * a Cell Ranger v3 MatrixMarket directory) with the public reader API and
 * writes into OUT_DIR, which must exist:
 *
 *   example_v3.h5          10x HDF5 v3 (/matrix, /matrix/features)
 *   example_v2.h5          10x HDF5 v2 (/GRCh38)
 *   example.h5ad           AnnData, X as csr_matrix (rows are cells)
 *   example_csc.h5ad       AnnData, X as csc_matrix (columns are genes)
 *   example_dense.h5ad     AnnData, X as a dense float64 cells x genes array
 *   example.loom           loom, /matrix dense float64 genes x cells
 *   example_genes_rows.tsv.gz  dense table, one gene per line, R write.table
 *                          style (header of cell names, no corner cell)
 *   example_cells_rows.csv dense table, one cell per line, R write.csv style
 *                          (quoted names, an empty quoted corner)
 *
 * Values must be integer counts (they are written as int32 in the 10x files).
 * Every HDF5 call is checked; on any failure the tool prints one line naming
 * the file and the call and exits 1.  A test tool, not part of libdormscan. */
#include <errno.h>
#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dormscan/reader.h"

/* The whole matrix in compressed-sparse-column form, one column per cell. */
typedef struct matrix_t {
    int64_t n_genes, n_cells, nnz;
    char **ids;        /* n_genes feature ids */
    char **names;      /* n_genes gene symbols */
    char *type;        /* the kept feature type ("Gene Expression") */
    char **barcodes;   /* n_cells */
    int64_t *col_ptr;  /* n_cells + 1 */
    int64_t *gene;     /* nnz, ascending within a cell */
    int32_t *count;    /* nnz */
} matrix_t;

static void die(const char *fmt, ...) DORM_PRINTF(1, 2);

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("make_formats: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        die("out of memory");
    return p;
}

/* HDF5 error stack walker: keep the most specific description. */
static herr_t first_desc(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc)
        snprintf(data, 256, "%s", e->desc);
    return 0;
}

/* Every HDF5 call goes through here: a negative id or status is fatal, with
 * one line naming the file, the call and HDF5's innermost reason. */
static int64_t chk(int64_t rc, const char *path, const char *what)
{
    if (rc < 0) {
        char why[256] = "";
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_desc, why);
        die("%s: %s failed%s%s", path, what, *why ? ": " : "", why);
    }
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

static void load(const char *input, matrix_t *m)
{
    dorm_reader_opts_t ro;
    memset(&ro, 0, sizeof ro);
    dorm_err_t err;
    dorm_err_clear(&err);
    dorm_reader_t *r = NULL;
    if (dorm_reader_open(&r, input, &ro, &err) < 0)
        die("%s", err.msg);
    const dorm_features_t *f = dorm_reader_features(r);
    memset(m, 0, sizeof *m);
    m->n_genes = f->n;
    m->ids = xcalloc((size_t)f->n, sizeof *m->ids);
    m->names = xcalloc((size_t)f->n, sizeof *m->names);
    for (int64_t g = 0; g < f->n; g++) {
        m->ids[g] = xstrdup(f->ids[g]);
        m->names[g] = xstrdup(f->names[g]);
    }
    m->type = xstrdup(f->n_kept_types > 0 ? f->kept_types[0] : "Gene Expression");

    int64_t cap_cells = 1024, cap_nnz = 1 << 16;
    m->barcodes = xmalloc((size_t)cap_cells * sizeof *m->barcodes);
    m->col_ptr = xmalloc((size_t)(cap_cells + 1) * sizeof *m->col_ptr);
    m->gene = xmalloc((size_t)cap_nnz * sizeof *m->gene);
    m->count = xmalloc((size_t)cap_nnz * sizeof *m->count);
    m->col_ptr[0] = 0;
    const dorm_chunk_t *ch;
    int rc;
    while ((rc = dorm_reader_read(r, &ch, &err)) > 0) {
        int64_t add = ch->col_ptr[ch->n_cells] - ch->col_ptr[0];
        while (m->n_cells + ch->n_cells > cap_cells) {
            cap_cells *= 2;
            m->barcodes = realloc(m->barcodes, (size_t)cap_cells * sizeof *m->barcodes);
            m->col_ptr = realloc(m->col_ptr, (size_t)(cap_cells + 1) * sizeof *m->col_ptr);
            if (!m->barcodes || !m->col_ptr)
                die("out of memory");
        }
        while (m->nnz + add > cap_nnz) {
            cap_nnz *= 2;
            m->gene = realloc(m->gene, (size_t)cap_nnz * sizeof *m->gene);
            m->count = realloc(m->count, (size_t)cap_nnz * sizeof *m->count);
            if (!m->gene || !m->count)
                die("out of memory");
        }
        for (int64_t c = 0; c < ch->n_cells; c++) {
            for (int64_t k = ch->col_ptr[c]; k < ch->col_ptr[c + 1]; k++) {
                double v = ch->value[k];
                if (v != floor(v) || v < 0 || v > INT32_MAX)
                    die("%s: cell %s has the value %g, not an integer count", input,
                        ch->barcodes[c], v);
                m->gene[m->nnz] = ch->gene[k];
                m->count[m->nnz++] = (int32_t)v;
            }
            m->barcodes[m->n_cells] = xstrdup(ch->barcodes[c]);
            m->col_ptr[++m->n_cells] = m->nnz;
        }
    }
    if (rc < 0)
        die("%s", err.msg);
    dorm_reader_close(r);
}

static void unload(matrix_t *m)
{
    for (int64_t g = 0; g < m->n_genes; g++) {
        free(m->ids[g]);
        free(m->names[g]);
    }
    for (int64_t c = 0; c < m->n_cells; c++)
        free(m->barcodes[c]);
    free(m->ids);
    free(m->names);
    free(m->type);
    free(m->barcodes);
    free(m->col_ptr);
    free(m->gene);
    free(m->count);
}

/* Dense values; cells_rows: out[c * n_genes + g], else out[g * n_cells + c]. */
static double *densify(const matrix_t *m, int cells_rows)
{
    double *d = xcalloc((size_t)(m->n_genes * m->n_cells), sizeof *d);
    for (int64_t c = 0; c < m->n_cells; c++)
        for (int64_t k = m->col_ptr[c]; k < m->col_ptr[c + 1]; k++) {
            int64_t g = m->gene[k];
            d[cells_rows ? c * m->n_genes + g : g * m->n_cells + c] = m->count[k];
        }
    return d;
}

/* ---- HDF5 writing ------------------------------------------------------- */

/* An output HDF5 file; every helper names it in its error message. */
typedef struct h5out_t {
    hid_t file;
    const char *path;
} h5out_t;

static h5out_t h5_create(const char *path)
{
    h5out_t o = {chk(H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path, "H5Fcreate"),
                 path};
    return o;
}

static void h5_close(h5out_t *o)
{
    chk(H5Fclose(o->file), o->path, "H5Fclose");
}

static void h5_group(const h5out_t *o, const char *name)
{
    hid_t g = chk(H5Gcreate2(o->file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), o->path,
                  "H5Gcreate2");
    chk(H5Gclose(g), o->path, "H5Gclose");
}

/* A dataset of rank 1 or 2 written in one piece from buf (memory type mt). */
static void h5_write(const h5out_t *o, const char *name, hid_t file_type, hid_t mem_type, int rank,
                     const hsize_t *dims, const void *buf)
{
    hid_t sp = chk(H5Screate_simple(rank, dims, NULL), o->path, "H5Screate_simple");
    hid_t d = chk(H5Dcreate2(o->file, name, file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  o->path, "H5Dcreate2");
    chk(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), o->path, "H5Dwrite");
    chk(H5Dclose(d), o->path, "H5Dclose");
    chk(H5Sclose(sp), o->path, "H5Sclose");
}

static void h5_write_1d(const h5out_t *o, const char *name, hid_t file_type, hid_t mem_type,
                        int64_t n, const void *buf)
{
    hsize_t dims[1] = {(hsize_t)n};
    h5_write(o, name, file_type, mem_type, 1, dims, buf);
}

/* Fixed-length, null-padded strings as Cell Ranger (numpy 'S') writes them. */
static void h5_write_fixed_strings(const h5out_t *o, const char *name, char *const *s, int64_t n)
{
    size_t width = 1;
    for (int64_t i = 0; i < n; i++)
        if (strlen(s[i]) > width)
            width = strlen(s[i]);
    char *buf = xcalloc((size_t)n, width);
    for (int64_t i = 0; i < n; i++)
        memcpy(buf + (size_t)i * width, s[i], strlen(s[i]));
    hid_t t = chk(H5Tcopy(H5T_C_S1), o->path, "H5Tcopy");
    chk(H5Tset_size(t, width), o->path, "H5Tset_size");
    chk(H5Tset_strpad(t, H5T_STR_NULLPAD), o->path, "H5Tset_strpad");
    h5_write_1d(o, name, t, t, n, buf);
    chk(H5Tclose(t), o->path, "H5Tclose");
    free(buf);
}

/* Variable-length UTF-8 strings, as h5py writes Python str. */
static hid_t vlen_utf8(const h5out_t *o)
{
    hid_t t = chk(H5Tcopy(H5T_C_S1), o->path, "H5Tcopy");
    chk(H5Tset_size(t, H5T_VARIABLE), o->path, "H5Tset_size(H5T_VARIABLE)");
    chk(H5Tset_cset(t, H5T_CSET_UTF8), o->path, "H5Tset_cset");
    return t;
}

static void h5_write_vlen_strings(const h5out_t *o, const char *name, char *const *s, int64_t n)
{
    hid_t t = vlen_utf8(o);
    h5_write_1d(o, name, t, t, n, s);
    chk(H5Tclose(t), o->path, "H5Tclose");
}

/* A string attribute: scalar when n < 0, else a 1-d array of n strings (n may be 0). */
static void h5_attr_strings(const h5out_t *o, const char *obj, const char *attr,
                            const char *const *s, int n)
{
    hsize_t dims[1] = {(hsize_t)(n < 0 ? 0 : n)};
    hid_t sp = n < 0 ? chk(H5Screate(H5S_SCALAR), o->path, "H5Screate")
                     : chk(H5Screate_simple(1, dims, NULL), o->path, "H5Screate_simple");
    hid_t t = vlen_utf8(o);
    hid_t ob = chk(H5Oopen(o->file, obj, H5P_DEFAULT), o->path, "H5Oopen");
    hid_t a = chk(H5Acreate2(ob, attr, t, sp, H5P_DEFAULT, H5P_DEFAULT), o->path, "H5Acreate2");
    const char *none[1] = {""};
    chk(H5Awrite(a, t, n == 0 ? (const void *)none : (const void *)s), o->path, "H5Awrite");
    chk(H5Aclose(a), o->path, "H5Aclose");
    chk(H5Oclose(ob), o->path, "H5Oclose");
    chk(H5Tclose(t), o->path, "H5Tclose");
    chk(H5Sclose(sp), o->path, "H5Sclose");
}

static void h5_attr_string(const h5out_t *o, const char *obj, const char *attr, const char *value)
{
    h5_attr_strings(o, obj, attr, &value, -1);
}

static void h5_attr_i64(const h5out_t *o, const char *obj, const char *attr, const int64_t *v, int n)
{
    hsize_t dims[1] = {(hsize_t)n};
    hid_t sp = chk(H5Screate_simple(1, dims, NULL), o->path, "H5Screate_simple");
    hid_t ob = chk(H5Oopen(o->file, obj, H5P_DEFAULT), o->path, "H5Oopen");
    hid_t a = chk(H5Acreate2(ob, attr, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT), o->path,
                  "H5Acreate2");
    chk(H5Awrite(a, H5T_NATIVE_INT64, v), o->path, "H5Awrite");
    chk(H5Aclose(a), o->path, "H5Aclose");
    chk(H5Oclose(ob), o->path, "H5Oclose");
    chk(H5Sclose(sp), o->path, "H5Sclose");
}

static void encoding(const h5out_t *o, const char *obj, const char *type, const char *version)
{
    h5_attr_string(o, obj, "encoding-type", type);
    h5_attr_string(o, obj, "encoding-version", version);
}

/* ---- 10x HDF5 ----------------------------------------------------------- */

/* data, indices, indptr, shape and barcodes under group (CSC, one column per cell). */
static void tenx_matrix(const h5out_t *o, const char *group, const matrix_t *m)
{
    char p[256];
    int32_t shape[2] = {(int32_t)m->n_genes, (int32_t)m->n_cells};
    h5_group(o, group);
    snprintf(p, sizeof p, "%s/data", group);
    h5_write_1d(o, p, H5T_STD_I32LE, H5T_NATIVE_INT32, m->nnz, m->count);
    snprintf(p, sizeof p, "%s/indices", group);
    h5_write_1d(o, p, H5T_STD_I64LE, H5T_NATIVE_INT64, m->nnz, m->gene);
    snprintf(p, sizeof p, "%s/indptr", group);
    h5_write_1d(o, p, H5T_STD_I64LE, H5T_NATIVE_INT64, m->n_cells + 1, m->col_ptr);
    snprintf(p, sizeof p, "%s/shape", group);
    h5_write_1d(o, p, H5T_STD_I32LE, H5T_NATIVE_INT32, 2, shape);
    snprintf(p, sizeof p, "%s/barcodes", group);
    h5_write_fixed_strings(o, p, m->barcodes, m->n_cells);
}

static void write_tenx_v3(const char *path, const matrix_t *m)
{
    h5out_t o = h5_create(path);
    tenx_matrix(&o, "matrix", m);
    h5_group(&o, "matrix/features");
    char **type = xmalloc((size_t)m->n_genes * sizeof *type);
    char **genome = xmalloc((size_t)m->n_genes * sizeof *genome);
    for (int64_t g = 0; g < m->n_genes; g++) {
        type[g] = m->type;
        genome[g] = "GRCh38";
    }
    h5_write_fixed_strings(&o, "matrix/features/id", m->ids, m->n_genes);
    h5_write_fixed_strings(&o, "matrix/features/name", m->names, m->n_genes);
    h5_write_fixed_strings(&o, "matrix/features/feature_type", type, m->n_genes);
    h5_write_fixed_strings(&o, "matrix/features/genome", genome, m->n_genes);
    free(type);
    free(genome);
    h5_close(&o);
}

static void write_tenx_v2(const char *path, const matrix_t *m)
{
    h5out_t o = h5_create(path);
    tenx_matrix(&o, "GRCh38", m);
    h5_write_fixed_strings(&o, "GRCh38/genes", m->ids, m->n_genes);
    h5_write_fixed_strings(&o, "GRCh38/gene_names", m->names, m->n_genes);
    h5_close(&o);
}

/* ---- AnnData ------------------------------------------------------------ */

typedef enum { X_CSR, X_CSC, X_DENSE } x_layout_t;

/* A dataframe group whose index is _index, with optional extra string columns. */
static void h5ad_frame(const h5out_t *o, const char *group, char *const *index, int64_t n,
                       const char *col, char *const *col_values)
{
    char p[256];
    h5_group(o, group);
    encoding(o, group, "dataframe", "0.2.0");
    h5_attr_string(o, group, "_index", "_index");
    const char *order[1] = {col};
    h5_attr_strings(o, group, "column-order", order, col ? 1 : 0);
    snprintf(p, sizeof p, "%s/_index", group);
    h5_write_vlen_strings(o, p, index, n);
    encoding(o, p, "string-array", "0.2.0");
    if (col) {
        snprintf(p, sizeof p, "%s/%s", group, col);
        h5_write_vlen_strings(o, p, col_values, n);
        encoding(o, p, "string-array", "0.2.0");
    }
}

static void write_h5ad(const char *path, const matrix_t *m, x_layout_t layout)
{
    h5out_t o = h5_create(path);
    encoding(&o, "/", "anndata", "0.1.0");
    if (layout == X_DENSE) {
        double *d = densify(m, 1);
        hsize_t dims[2] = {(hsize_t)m->n_cells, (hsize_t)m->n_genes};
        h5_write(&o, "X", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, d);
        encoding(&o, "X", "array", "0.2.0");
        free(d);
    } else {
        /* CSR over cells is the reader's CSC per cell; CSC over genes is its transpose. */
        int64_t n_ptr = layout == X_CSR ? m->n_cells : m->n_genes;
        int64_t *ptr = xcalloc((size_t)n_ptr + 1, sizeof *ptr);
        int32_t *idx = xmalloc((size_t)m->nnz * sizeof *idx);
        float *val = xmalloc((size_t)m->nnz * sizeof *val);
        if (layout == X_CSR) {
            memcpy(ptr, m->col_ptr, (size_t)(m->n_cells + 1) * sizeof *ptr);
            for (int64_t k = 0; k < m->nnz; k++) {
                idx[k] = (int32_t)m->gene[k];
                val[k] = (float)m->count[k];
            }
        } else {
            for (int64_t k = 0; k < m->nnz; k++)
                ptr[m->gene[k] + 1]++;
            for (int64_t g = 0; g < m->n_genes; g++)
                ptr[g + 1] += ptr[g];
            int64_t *fill = xmalloc((size_t)m->n_genes * sizeof *fill);
            memcpy(fill, ptr, (size_t)m->n_genes * sizeof *fill);
            for (int64_t c = 0; c < m->n_cells; c++) /* cells ascend within each gene */
                for (int64_t k = m->col_ptr[c]; k < m->col_ptr[c + 1]; k++) {
                    int64_t at = fill[m->gene[k]]++;
                    idx[at] = (int32_t)c;
                    val[at] = (float)m->count[k];
                }
            free(fill);
        }
        h5_group(&o, "X");
        encoding(&o, "X", layout == X_CSR ? "csr_matrix" : "csc_matrix", "0.1.0");
        int64_t shape[2] = {m->n_cells, m->n_genes};
        h5_attr_i64(&o, "X", "shape", shape, 2);
        h5_write_1d(&o, "X/data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, m->nnz, val);
        h5_write_1d(&o, "X/indices", H5T_STD_I32LE, H5T_NATIVE_INT32, m->nnz, idx);
        h5_write_1d(&o, "X/indptr", H5T_STD_I64LE, H5T_NATIVE_INT64, n_ptr + 1, ptr);
        free(ptr);
        free(idx);
        free(val);
    }
    h5ad_frame(&o, "obs", m->barcodes, m->n_cells, NULL, NULL);
    h5ad_frame(&o, "var", m->names, m->n_genes, "gene_ids", m->ids);
    h5_close(&o);
}

/* ---- loom --------------------------------------------------------------- */

static void write_loom(const char *path, const matrix_t *m)
{
    h5out_t o = h5_create(path);
    h5_attr_string(&o, "/", "LOOM_SPEC_VERSION", "3.0.0");
    double *d = densify(m, 0);
    hsize_t dims[2] = {(hsize_t)m->n_genes, (hsize_t)m->n_cells};
    h5_write(&o, "matrix", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2, dims, d);
    free(d);
    h5_group(&o, "row_attrs");
    h5_write_vlen_strings(&o, "row_attrs/Gene", m->names, m->n_genes);
    h5_write_vlen_strings(&o, "row_attrs/Accession", m->ids, m->n_genes);
    h5_group(&o, "col_attrs");
    h5_write_vlen_strings(&o, "col_attrs/CellID", m->barcodes, m->n_cells);
    h5_group(&o, "layers");
    h5_group(&o, "row_graphs");
    h5_group(&o, "col_graphs");
    h5_close(&o);
}

/* ---- dense tables ------------------------------------------------------- */

static void gz_check(gzFile z, int rc, const char *path)
{
    int zerr = 0;
    if (rc <= 0)
        die("%s: cannot write (%s)", path, gzerror(z, &zerr));
}

/* Genes as rows, tab-separated, gzip: a header of cell names without the corner cell. */
static void write_genes_rows(const char *path, const matrix_t *m)
{
    gzFile z = gzopen(path, "wb");
    if (!z)
        die("%s: cannot create (%s)", path, strerror(errno));
    for (int64_t c = 0; c < m->n_cells; c++)
        gz_check(z, gzprintf(z, "%s%s", c ? "\t" : "", m->barcodes[c]), path);
    gz_check(z, gzputs(z, "\n"), path);
    double *d = densify(m, 0);
    for (int64_t g = 0; g < m->n_genes; g++) {
        gz_check(z, gzputs(z, m->names[g]), path);
        for (int64_t c = 0; c < m->n_cells; c++)
            gz_check(z, gzprintf(z, "\t%.0f", d[g * m->n_cells + c]), path);
        gz_check(z, gzputs(z, "\n"), path);
    }
    free(d);
    if (gzclose(z) != Z_OK)
        die("%s: cannot close", path);
}

/* Cells as rows, comma-separated: "" then the quoted gene symbols, then one
 * line per cell. */
static void write_cells_rows(const char *path, const matrix_t *m)
{
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: cannot create (%s)", path, strerror(errno));
    fputs("\"\"", f);
    for (int64_t g = 0; g < m->n_genes; g++)
        fprintf(f, ",\"%s\"", m->names[g]);
    fputc('\n', f);
    double *d = densify(m, 1);
    for (int64_t c = 0; c < m->n_cells; c++) {
        fprintf(f, "\"%s\"", m->barcodes[c]);
        for (int64_t g = 0; g < m->n_genes; g++)
            fprintf(f, ",%.0f", d[c * m->n_genes + g]);
        fputc('\n', f);
    }
    free(d);
    if (ferror(f) | fclose(f))
        die("%s: cannot write", path);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "Usage: make_formats INPUT OUT_DIR\n");
        return 2;
    }
    if (H5Eset_auto2(H5E_DEFAULT, NULL, NULL) < 0) /* our one-line messages instead */
        die("H5Eset_auto2 failed");
    matrix_t m;
    load(argv[1], &m);
    if (m.n_genes > INT32_MAX || m.n_cells > INT32_MAX)
        die("%s: too large for int32 indices", argv[1]);
    static const struct {
        const char *name;
        void (*write)(const char *, const matrix_t *);
        int layout;
    } outs[] = {
        {"example_v3.h5", write_tenx_v3, -1},
        {"example_v2.h5", write_tenx_v2, -1},
        {"example.h5ad", NULL, X_CSR},
        {"example_csc.h5ad", NULL, X_CSC},
        {"example_dense.h5ad", NULL, X_DENSE},
        {"example.loom", write_loom, -1},
        {"example_genes_rows.tsv.gz", write_genes_rows, -1},
        {"example_cells_rows.csv", write_cells_rows, -1},
    };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", argv[2], outs[i].name) >= (int)sizeof path)
            die("%s: path too long", argv[2]);
        if (outs[i].write)
            outs[i].write(path, &m);
        else
            write_h5ad(path, &m, (x_layout_t)outs[i].layout);
    }
    unload(&m);
    return 0;
}
