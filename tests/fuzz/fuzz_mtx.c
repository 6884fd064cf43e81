/* fuzz_mtx.c -- a MatrixMarket directory: matrix, features and barcodes
 * separated by lines "===" (missing parts become empty files). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t a = fuzz_split(data, size, "\n===\n");
    const uint8_t *rest = a < size ? data + a + 5 : data + size;
    size_t n = a < size ? size - a - 5 : 0, b = fuzz_split(rest, n, "\n===\n");
    fuzz_file(0, "matrix.mtx", data, a);
    fuzz_file(1, "features.tsv", rest, b);
    fuzz_file(2, "barcodes.tsv", b < n ? rest + b + 5 : rest, b < n ? n - b - 5 : 0);
    fuzz_read_all(fuzz_dir(), NULL);
    return 0;
}
