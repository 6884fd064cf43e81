/* Unit tests of h5chunks: raw chunks decoded here give what H5Dread gives. */
#include <criterion/criterion.h>
#include <hdf5.h>

#include "helpers.h"
#include "io/h5chunks_internal.h"

static char *dir;
static char path[4200];

static void setup(void)
{
    dir = tmpdir_new();
    snprintf(path, sizeof path, "%s/t.h5", dir);
}
static void teardown(void) { rm_rf(dir); free(dir); }

TestSuite(h5chunks, .init = setup, .fini = teardown);

#define N 100003 /* not a multiple of the chunk: the last chunk is partial */

static hsize_t chunk_dim = 4096; /* elements per chunk of the next write_set */

/* Write value(i) for i < N as dataset `name` of file type ft. */
static void write_set(hid_t f, const char *name, hid_t ft, int chunked, int shuffle, int deflate,
                      int fletcher)
{
    hsize_t dim = N, cdim = chunk_dim;
    hid_t sp = H5Screate_simple(1, &dim, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (chunked) {
        H5Pset_chunk(dcpl, 1, &cdim);
        if (shuffle)
            H5Pset_shuffle(dcpl);
        if (deflate)
            H5Pset_deflate(dcpl, 4);
        if (fletcher)
            H5Pset_fletcher32(dcpl);
    }
    int64_t *v = malloc(N * sizeof *v);
    for (int64_t i = 0; i < N; i++)
        v[i] = (i * 7919) % 60000 - (H5Tget_sign(ft) == H5T_SGN_2 ? 500 : 0);
    hid_t d = H5Dcreate2(f, name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    cr_assert(d >= 0);
    cr_assert(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    free(v);
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(sp);
}

static int64_t expect(int64_t i, int is_signed) { return (i * 7919) % 60000 - (is_signed ? 500 : 0); }

/* Read the dataset in uneven ranges with 1 and 3 threads, as int64 and double. */
static void check_set(hid_t f, const char *name, int is_signed, int direct)
{
    for (int threads = 1; threads <= 3; threads += 2) {
        h5chunks_t *c;
        dorm_err_t err;
        cr_assert_eq(dorm_h5chunks_open(&c, f, name, threads, "t.h5", &err), 0, "%s", err.msg);
        cr_assert_eq(dorm_h5chunks_is_direct(c), direct, "%s", name);
        int64_t *iv = malloc(30000 * sizeof *iv);
        double *dv = malloc(30000 * sizeof *dv);
        int64_t start = 0;
        for (int64_t len = 1; start < N; len = len * 3 + 1) {
            int64_t n = start + len > N ? N - start : len;
            if (n > 30000)
                n = 30000;
            cr_assert_eq(dorm_h5chunks_read_i64(c, start, n, iv, &err), 0, "%s", err.msg);
            cr_assert_eq(dorm_h5chunks_read_f64(c, start, n, dv, &err), 0, "%s", err.msg);
            for (int64_t i = 0; i < n; i++) {
                cr_assert_eq(iv[i], expect(start + i, is_signed), "%s[%lld]", name,
                             (long long)(start + i));
                cr_assert_eq(dv[i], (double)expect(start + i, is_signed));
            }
            start += n;
        }
        /* Backwards and out of range. */
        cr_assert_eq(dorm_h5chunks_read_i64(c, 5, 3, iv, &err), 0);
        cr_assert_eq(iv[0], expect(5, is_signed));
        cr_assert_lt(dorm_h5chunks_read_i64(c, N - 2, 5, iv, &err), 0);
        cr_assert(strstr(err.msg, "t.h5: cannot read") != NULL, "%s", err.msg);
        free(iv);
        free(dv);
        dorm_h5chunks_close(c);
    }
}

Test(h5chunks, decodes_every_layout_like_hdf5)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert(f >= 0);
    write_set(f, "i32_shuffle_deflate", H5T_STD_I32LE, 1, 1, 1, 0); /* Cell Ranger's data */
    write_set(f, "i64_shuffle_deflate", H5T_STD_I64LE, 1, 1, 1, 0); /* and indices */
    write_set(f, "u32_deflate", H5T_STD_U32LE, 1, 0, 1, 0);
    write_set(f, "f32_deflate", H5T_IEEE_F32LE, 1, 0, 1, 0);
    write_set(f, "f64_shuffle", H5T_IEEE_F64LE, 1, 1, 0, 0);
    write_set(f, "u16_plain_chunks", H5T_STD_U16LE, 1, 0, 0, 0);
    write_set(f, "i32_big_endian", H5T_STD_I32BE, 1, 0, 1, 0);
    write_set(f, "i32_fletcher", H5T_STD_I32LE, 1, 0, 1, 1);
    write_set(f, "i32_contiguous", H5T_STD_I32LE, 0, 0, 0, 0);
    chunk_dim = 1001; /* shuffled chunks whose length is not a multiple of 16 */
    write_set(f, "i32_shuffle_odd", H5T_STD_I32LE, 1, 1, 1, 0);
    write_set(f, "i64_shuffle_odd", H5T_STD_I64LE, 1, 1, 0, 0);
    chunk_dim = 4096;
    check_set(f, "i32_shuffle_deflate", 1, 1);
    check_set(f, "i64_shuffle_deflate", 1, 1);
    check_set(f, "u32_deflate", 0, 1);
    check_set(f, "f32_deflate", 0, 1);
    check_set(f, "f64_shuffle", 0, 1);
    check_set(f, "u16_plain_chunks", 0, 1);
    check_set(f, "i32_big_endian", 1, 0); /* HDF5 reads these */
    check_set(f, "i32_fletcher", 1, 0);
    check_set(f, "i32_contiguous", 1, 0);
    check_set(f, "i32_shuffle_odd", 1, 1);
    check_set(f, "i64_shuffle_odd", 1, 1);
    H5Fclose(f);
}

Test(h5chunks, corrupt_chunk_is_an_error)
{
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    write_set(f, "x", H5T_STD_I32LE, 1, 1, 1, 0);
    hid_t d = H5Dopen2(f, "x", H5P_DEFAULT);
    hsize_t off = 4096, size = 0;
    /* Overwrite the second chunk's stored bytes with garbage in place. */
    cr_assert(H5Dget_chunk_storage_size(d, &off, &size) >= 0 && size > 16);
    uint8_t *junk = malloc(size);
    memset(junk, 0x5a, size);
    cr_assert(H5Dwrite_chunk(d, H5P_DEFAULT, 0, &off, size, junk) >= 0);
    free(junk);
    H5Dclose(d);
    h5chunks_t *c;
    dorm_err_t err;
    cr_assert_eq(dorm_h5chunks_open(&c, f, "x", 2, "t.h5", &err), 0);
    int64_t v[5000];
    cr_assert_eq(dorm_h5chunks_read_i64(c, 0, 4096, v, &err), 0);
    cr_assert_lt(dorm_h5chunks_read_i64(c, 4000, 200, v, &err), 0);
    cr_assert_str_eq(err.msg, "t.h5: cannot read x[4000..4200) (truncated or corrupt?)");
    dorm_h5chunks_close(c);
    H5Fclose(f);
}
