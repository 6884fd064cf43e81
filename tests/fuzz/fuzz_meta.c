/* fuzz_meta.c -- the sample sheet, --groups and --cells readers. */
#include "dormscan/pipeline.h"
#include "fuzz_common.h"
#include "io/cellmeta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, "meta.tsv", data, size);
    char **names, **paths;
    int n;
    dorm_err_t err;
    if (dorm_samples_read(path, &names, &paths, &n, &err) == 0)
        dorm_samples_free(names, paths, n);
    cellmeta_t cm;
    if (dorm_cellmeta_load(&cm, path, path, "a=b", "sample=b", &err) == 0) {
        for (int c = 0; c < cm.n_cols; c++)
            (void)dorm_cellmeta_group(&cm, "AAAC-1", c);
        (void)dorm_cellmeta_keep(&cm, "AAAC-1");
        (void)dorm_cellmeta_baseline(&cm, "AAAC-1", "b");
        dorm_cellmeta_free(&cm);
    }
    return 0;
}
