/* method.c -- the scoring methods, one row each: what they are called,
 * what they need, and the functions that do them.  A new method is a file
 * with its init and chunk functions, and a row here. */
#include <string.h>

#include "score_internal.h"

static const dorm_method_ops_t methods[DORM_N_METHODS] = {
    [DORM_METHOD_UCELL] = {{"ucell", "within-cell random gene sets (hypergeometric mixture)", 0, 1,
                            0, 1},
                           dorm_ucell_init, dorm_ucell_chunk},
    [DORM_METHOD_MODULE] = {{"module", "expression-matched random sets (normal moments)", 1, 0, 1, 0},
                            dorm_module_weights, dorm_module_chunk},
};

const dorm_method_ops_t *dorm_method_ops(dorm_method_t m)
{
    return m >= 0 && m < DORM_N_METHODS ? &methods[m] : NULL;
}

const dorm_method_info_t *dorm_method_info(dorm_method_t m)
{
    const dorm_method_ops_t *ops = dorm_method_ops(m);
    return ops ? &ops->info : NULL;
}

int dorm_method_by_name(const char *name, dorm_method_t *m)
{
    for (int i = 0; i < DORM_N_METHODS; i++)
        if (strcmp(methods[i].info.name, name) == 0) {
            *m = (dorm_method_t)i;
            return 0;
        }
    return -1;
}
