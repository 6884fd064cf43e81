/* probe.c -- which backend reads a path: by content, not by name.
 *
 * A directory is MatrixMarket.  A file starting with the HDF5 signature is
 * 10x HDF5 (a "matrix" group, or a genome group, holding indptr), AnnData
 * (X with obs and var) or loom ("matrix" dataset with row_attrs).  A gzip file
 * whose content is HDF5 is refused with a hint, and so is a file shorter than
 * the HDF5 signature that starts like it; other text starting with
 * "%%MatrixMarket" (after a UTF-8 byte-order mark, if any) is MatrixMarket,
 * and anything else a dense table.  A BGZF file holding "BAM\1", or a file
 * starting with "CRAM", is aligned reads. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <htslib/bgzf.h>
#include <htslib/hfile.h>

#include "h5util_internal.h"
#include "reader_internal.h"

static const char HDF5_MAGIC[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};

static int classify_hdf5(const char *path, dorm_format_t *fmt, dorm_err_t *err)
{
    hid_t f;
    int rc = dorm_h5u_open(path, &f, err);
    if (rc < 0)
        return rc;
    if (dorm_h5u_exists(f, "X") && (dorm_h5u_exists(f, "obs") || dorm_h5u_exists(f, "var")))
        *fmt = DORM_FMT_H5AD;
    else if (dorm_h5u_exists(f, "matrix") && !dorm_h5u_is_group(f, "matrix") && dorm_h5u_exists(f, "row_attrs"))
        *fmt = DORM_FMT_LOOM;
    else if (dorm_h5u_exists(f, "matrix/indptr"))
        *fmt = DORM_FMT_10X_H5;
    else {
        char **names = NULL;
        int n = 0;
        rc = dorm_h5u_members(f, "/", &names, &n, path, err);
        *fmt = DORM_FMT_UNKNOWN;
        for (int i = 0; rc == 0 && i < n; i++) {
            char p[1024];
            snprintf(p, sizeof p, "%s/indptr", names[i]);
            if (dorm_h5u_exists(f, p))
                *fmt = DORM_FMT_10X_H5;
        }
        dorm_h5u_free_strings(names, n);
        if (rc == 0 && *fmt == DORM_FMT_UNKNOWN)
            rc = dorm_err_set(err, DORM_E_FORMAT,
                              "%s: an HDF5 file that is neither 10x HDF5, AnnData nor loom", path);
    }
    H5Fclose(f);
    return rc;
}

int dorm_probe(const char *path, const char *forced, dorm_format_t *fmt, dorm_err_t *err)
{
    static const struct {
        const char *name;
        dorm_format_t fmt;
    } names[] = {{"mtx", DORM_FMT_MTX}, {"10x-h5", DORM_FMT_10X_H5}, {"h5ad", DORM_FMT_H5AD},
                 {"loom", DORM_FMT_LOOM}, {"dense", DORM_FMT_DENSE}, {"bam", DORM_FMT_BAM}};
    struct stat st;
    int found = !strstr(path, "://") && stat(path, &st) == 0;
    int is_dir = found && S_ISDIR(st.st_mode);
    /* A pipe, a terminal or standard input cannot be read twice, and every
     * format is (content detection, the reference's pass, the scoring pass):
     * refuse it before reading a byte, rather than hang or misparse. */
    if (strcmp(path, "-") == 0 || (found && !is_dir && !S_ISREG(st.st_mode)))
        return dorm_err_set(err, DORM_E_USAGE, "%s: not a regular file (a pipe, a device or "
                            "standard input): inputs are read more than once; write it to a file "
                            "first", path);
    if (forced) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcmp(forced, names[i].name) == 0) {
                *fmt = names[i].fmt;
                if (is_dir && *fmt != DORM_FMT_MTX) /* only MatrixMarket inputs are folders */
                    return dorm_err_set(err, DORM_E_USAGE, "%s: a directory, read as MatrixMarket "
                                        "only (--format %s takes a file)", path, forced);
                return 0;
            }
        return dorm_err_set(err, DORM_E_USAGE,
                            "unknown format '%s' (mtx, 10x-h5, h5ad, loom, dense or bam)", forced);
    }
    if (is_dir) {
        *fmt = DORM_FMT_MTX;
        return 0;
    }
    char head[32] = {0};
    errno = 0;
    hFILE *h = hopen(path, "r");
    if (!h && errno && errno != ENOENT)
        return dorm_err_set(err, DORM_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (!h) /* let the MatrixMarket backend report a missing path */
        return (*fmt = DORM_FMT_MTX), 0;
    ssize_t n = hread(h, head, sizeof head);
    if (hclose(h) != 0 || n < 0)
        return dorm_err_set(err, DORM_E_IO, "%s: cannot read", path);
    if (n == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", path);
    if (n >= 8 && memcmp(head, HDF5_MAGIC, 8) == 0)
        return classify_hdf5(path, fmt, err);
    if (n < 8 && memcmp(head, HDF5_MAGIC, (size_t)n) == 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: a truncated HDF5 file (%zd bytes)", path, n);
    if (n >= 4 && memcmp(head, "CRAM", 4) == 0)
        return (*fmt = DORM_FMT_BAM), 0;
    if (n >= 2 && (unsigned char)head[0] == 0x1f && (unsigned char)head[1] == 0x8b) {
        BGZF *z = bgzf_open(path, "r");
        ssize_t m = z ? bgzf_read(z, head, sizeof head) : -1;
        if (z)
            bgzf_close(z);
        if (m >= 8 && memcmp(head, HDF5_MAGIC, 8) == 0)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: a gzip-compressed HDF5 file; decompress it first (gunzip)", path);
        if (m >= 4 && memcmp(head, "BAM\1", 4) == 0)
            return (*fmt = DORM_FMT_BAM), 0;
        n = m;
    }
    const char *text = head;
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte-order mark */
        text += 3, n -= 3;
    *fmt = n >= 14 && memcmp(text, "%%MatrixMarket", 14) == 0 ? DORM_FMT_MTX : DORM_FMT_DENSE;
    return 0;
}
