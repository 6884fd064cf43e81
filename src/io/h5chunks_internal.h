/* h5chunks_internal.h -- ranges of a 1-D HDF5 dataset, with its chunks inflated in
 * parallel, private to libdormscan.
 *
 * For the usual layout of 10x and AnnData matrices (chunked, deflate with or
 * without shuffle, little-endian integers or floats) chunks are fetched raw
 * with H5Dread_chunk, serially, and decoded here (ISA-L inflate, unshuffle,
 * conversion) by up to `threads` threads that make no HDF5 call.  Decoded
 * chunks at the end of a range are kept for the next one, so reading a
 * dataset range by range decodes each chunk once.  Anything else (contiguous
 * or compact storage, other filters, big-endian, unallocated chunks) is read
 * with H5Dread, with the same results. */
#ifndef DORM_IO_H5CHUNKS_H
#define DORM_IO_H5CHUNKS_H

#include <stdint.h>
#include <hdf5.h>
#include "dormscan/error.h"

typedef struct h5chunks_t h5chunks_t;

/* Open dataset `name` under loc (file names `file` in messages). */
int dorm_h5chunks_open(h5chunks_t **out, hid_t loc, const char *name, int threads, const char *file,
                  dorm_err_t *err);
/* Elements [start, start + count) converted to int64 or double. */
int dorm_h5chunks_read_i64(h5chunks_t *c, int64_t start, int64_t count, int64_t *out, dorm_err_t *err);
int dorm_h5chunks_read_f64(h5chunks_t *c, int64_t start, int64_t count, double *out, dorm_err_t *err);
/* 1 if the fast path is in use (for the tests). */
int dorm_h5chunks_is_direct(const h5chunks_t *c);
void dorm_h5chunks_close(h5chunks_t *c);

#endif
