/* thread_plan_internal.h -- the one place --threads is divided among the
 * stages of a run.  Results never depend on the division (every cell is
 * scored alone, outputs are written in input order). */
#ifndef DORM_PIPELINE_THREAD_PLAN_INTERNAL_H
#define DORM_PIPELINE_THREAD_PLAN_INTERNAL_H

typedef enum {
    DORM_PASS_ONE_READ,   /* a pass that only reads (building a reference) */
    DORM_PASS_TWO,        /* the run's own reference: a read pass, then scoring from the store */
    DORM_PASS_DIRECT      /* a fixed reference: every thread reads and scores in turn */
} dorm_pass_kind_t;

typedef struct dorm_thread_plan_t {
    int workers;   /* scoring workers, one scorer pair each */
    int prescore;  /* threads scoring column sets during the read pass (0: none) */
    int reader;    /* threads the reader may add (inflation, HDF5 decoding) */
    int finish;    /* threads for the FDR columns and for formatting rows */
} dorm_thread_plan_t;

/* The division of threads (--threads; < 1 counts as 1) for a pass of this
 * kind.  can_prescore: the method scores cells alone, so the read pass can
 * score the column sets while it stores the cells (half the threads then
 * prescore and the reader keeps the rest). */
dorm_thread_plan_t dorm_thread_plan(int threads, dorm_pass_kind_t kind, int can_prescore);

#endif
