/* fuzz_h5.c -- the HDF5-based readers (10x HDF5, h5ad, loom) on arbitrary
 * bytes, detected by content like any input. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_all(fuzz_file(0, "input.h5", data, size), NULL);
    return 0;
}
