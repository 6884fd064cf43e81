/* fuzz_dense.c -- the dense TSV/CSV reader on arbitrary text. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_all(fuzz_file(0, "table.tsv", data, size), "dense");
    return 0;
}
