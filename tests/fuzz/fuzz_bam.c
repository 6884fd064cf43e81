/* fuzz_bam.c -- BAM record and tag handling: the input is read as a BAM
 * (BGZF) and counted with both counting rules. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_all(fuzz_file(0, "input.bam", data, size), "bam");
    return 0;
}
