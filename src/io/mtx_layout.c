/* mtx_layout.c -- Cell Ranger v2/v3, STARsolo and kallisto|bustools layouts.
 *
 * The orientation comes from the layout, never from the dimensions:
 *  - matrix.mtx[.gz] + features.tsv[.gz] | genes.tsv[.gz] + barcodes.tsv[.gz]:
 *    genes x cells (Cell Ranger; STARsolo when the path has Solo.out/);
 *  - NAME.mtx + NAME.genes.txt + NAME.barcodes.txt: cells x genes
 *    (kallisto|bustools, e.g. cells_x_genes.mtx).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <htslib/hfile.h>

#include "dormscan/log.h"
#include "lines.h"
#include "mtx_layout_internal.h"

void dorm_mtx_layout_free(dorm_mtx_layout_t *lay)
{
    free(lay->matrix);
    free(lay->features);
    free(lay->barcodes);
    memset(lay, 0, sizeof *lay);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A regular file, or a remote URL (http, s3, ...) that htslib can open. */
static int is_file(const char *p)
{
    if (hisremote(p)) {
        hFILE *f = hopen(p, "r");
        return f && hclose(f) == 0;
    }
    struct stat st;
    return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A path that exists: a file or directory, or a remote file. */
static int exists(const char *p)
{
    struct stat st;
    return hisremote(p) ? is_file(p) : stat(p, &st) == 0;
}

/* dir/name or dir/name.gz, whichever exists (malloc'd), else NULL.  A
 * directory of that name is returned too, so that opening it says so. */
static char *find_companion(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    char *p = malloc(n);
    if (!p)
        return NULL;
    snprintf(p, n, "%s/%s", dir, name);
    if (exists(p))
        return p;
    snprintf(p, n, "%s/%s.gz", dir, name);
    if (exists(p))
        return p;
    free(p);
    return NULL;
}

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s)
        return strdup(".");
    if (s == path)
        return strdup("/");
    char *d = strndup(path, (size_t)(s - path));
    return d;
}

/* Fill lay from a matrix file path; 0, or <0 with err set. */
static int from_matrix(const char *matrix, dorm_mtx_layout_t *lay, dorm_err_t *err)
{
    char *dir = dir_of(matrix);
    if (!dir)
        return dorm_err_nomem(err);
    const char *base = dorm_basename(matrix);
    int rc = 0;
    lay->matrix = strdup(matrix);
    if (strcmp(base, "matrix.mtx") == 0 || strcmp(base, "matrix.mtx.gz") == 0) {
        lay->barcodes = find_companion(dir, "barcodes.tsv");
        if ((lay->features = find_companion(dir, "features.tsv")))
            lay->format = strstr(matrix, "Solo.out/") ? "starsolo-mtx" : "10x-mtx-v3";
        else if ((lay->features = find_companion(dir, "genes.tsv")))
            lay->format = "10x-mtx-v2";
        if (!lay->features)
            rc = dorm_err_set(err, DORM_E_FORMAT,
                              "%s: no features.tsv[.gz] or genes.tsv[.gz] beside the matrix", matrix);
        else if (!lay->barcodes)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no barcodes.tsv[.gz] beside the matrix",
                              matrix);
    } else if (ends_with(base, ".mtx") || ends_with(base, ".mtx.gz")) {
        size_t stem = strlen(base) - (ends_with(base, ".gz") ? 7 : 4);
        char name[4096];
        snprintf(name, sizeof name, "%.*s.genes.txt", (int)stem, base);
        lay->features = find_companion(dir, name);
        snprintf(name, sizeof name, "%.*s.barcodes.txt", (int)stem, base);
        lay->barcodes = find_companion(dir, name);
        lay->format = "kallisto-mtx";
        lay->cells_are_rows = 1;
        snprintf(name, sizeof name, "%.*s.ec.txt", (int)stem, base);
        char *ec = find_companion(dir, name);
        if (!lay->features && ec)
            rc = dorm_err_set(err, DORM_E_FORMAT,
                              "%s: a transcript-compatibility (TCC) matrix, not gene counts",
                              matrix);
        else if (!lay->features)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no %.*s.genes.txt beside the matrix",
                              matrix, (int)stem, base);
        else if (!lay->barcodes)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no %.*s.barcodes.txt beside the matrix",
                              matrix, (int)stem, base);
        free(ec);
    } else {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: not a MatrixMarket file name (*.mtx[.gz])",
                          matrix);
    }
    free(dir);
    if (!lay->matrix && rc == 0)
        rc = dorm_err_nomem(err);
    return rc;
}

/* The single *.mtx[.gz] in dir that has a NAME.genes.txt companion. */
static int find_kallisto(const char *dir, char **matrix, dorm_err_t *err)
{
    *matrix = NULL;
    DIR *d = opendir(dir);
    if (!d)
        return dorm_err_set(err, DORM_E_IO, "%s: cannot list directory: %s", dir, strerror(errno));
    struct dirent *e;
    int n = 0, rc = 0;
    char first[1024] = "", second[1024] = "";
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".mtx") && !ends_with(e->d_name, ".mtx.gz"))
            continue;
        n++;
        snprintf(n == 1 ? first : second, sizeof first, "%s", e->d_name);
    }
    closedir(d);
    if (n == 0)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: no matrix.mtx[.gz] or other *.mtx file in this directory", dir);
    if (n > 1)
        return dorm_err_set(err, DORM_E_USAGE,
                            "%s: several matrices (%s, %s%s): give the .mtx file itself", dir,
                            first, second, n > 2 ? ", ..." : "");
    size_t len = strlen(dir) + strlen(first) + 2;
    if (!(*matrix = malloc(len)))
        return dorm_err_nomem(err);
    snprintf(*matrix, len, "%s/%s", dir, first);
    return rc;
}

int dorm_mtx_layout_resolve(const char *path, dorm_mtx_layout_t *lay, dorm_err_t *err)
{
    memset(lay, 0, sizeof *lay);
    if (!is_dir(path)) {
        if (!is_file(path))
            return dorm_err_set(err, DORM_E_IO, "%s: no such file or directory", path);
        int rc = from_matrix(path, lay, err);
        if (rc < 0)
            dorm_mtx_layout_free(lay);
        return rc;
    }
    /* Directories that hold the matrix further down: Cell Ranger outs/, STARsolo
     * Solo.out/ and Solo.out/Gene/, filtered before raw. */
    static const char *const nested[] = {"filtered_feature_bc_matrix", "filtered", "Gene/filtered",
                                         "raw_feature_bc_matrix", "raw", "Gene/raw", NULL};
    for (int i = 0; nested[i]; i++) {
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, nested[i]);
        char *m = is_dir(sub) ? find_companion(sub, "matrix.mtx") : NULL;
        if (m) {
            if (strstr(nested[i], "raw"))
                dorm_log(DORM_LOG_WARN, "%s: no filtered matrix; using the raw one in %s", path, sub);
            int rc = from_matrix(m, lay, err);
            free(m);
            if (rc < 0)
                dorm_mtx_layout_free(lay);
            return rc;
        }
    }
    char *m = find_companion(path, "matrix.mtx");
    int rc = 0;
    if (!m)
        rc = find_kallisto(path, &m, err);
    if (rc == 0)
        rc = from_matrix(m, lay, err);
    free(m);
    if (rc < 0)
        dorm_mtx_layout_free(lay);
    return rc;
}
