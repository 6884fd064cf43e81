/* thread_plan.c -- dividing --threads among a run's stages. */
#include "thread_plan_internal.h"

dorm_thread_plan_t dorm_thread_plan(int threads, dorm_pass_kind_t kind, int can_prescore)
{
    if (threads < 1)
        threads = 1;
    dorm_thread_plan_t p = {.workers = threads, .finish = threads, .reader = threads};
    if (kind == DORM_PASS_TWO) {
        p.prescore = can_prescore && threads >= 2 ? threads / 2 : 0;
        p.reader = threads - p.prescore;
    } else if (kind == DORM_PASS_DIRECT) {
        p.reader = 1; /* the workers take turns at reading: the reader adds none */
    }
    return p;
}
