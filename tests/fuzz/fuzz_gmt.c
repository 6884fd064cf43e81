/* fuzz_gmt.c -- the GMT parser on arbitrary text. */
#include "dormscan/geneset.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dorm_geneset_list_t l;
    dorm_geneset_list_init(&l);
    dorm_err_t err;
    if (dorm_gmt_parse(&l, (const char *)data, size, "fuzz.gmt", &err) == 0) {
        for (int i = 0; i < l.n; i++) /* every set must be well formed */
            if (l.sets[i].n_genes <= 0 || !l.sets[i].name[0])
                abort();
    }
    dorm_geneset_list_destroy(&l);
    return 0;
}
