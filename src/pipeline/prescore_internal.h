/* prescore_internal.h -- column-set scores computed while the input is still being
 * read, private to the pipeline.
 *
 * UCell scores need nothing from the rest of the dataset, so with two or
 * more threads they are computed during the read pass: the reading thread
 * moves each chunk out of the reader into the queue, without copying it (the
 * queue holds one chunk per scoring thread plus one, so memory stays
 * bounded) and scoring threads write each chunk's
 * score, z and p to a temporary file in input order.  When the queue is
 * full the reading thread scores the next queued chunk itself rather than
 * wait, so neither side idles while the other is the slower.  The scoring
 * pass then
 * reads them back instead of scoring the column sets again.  The module
 * method needs the gene means of the whole input and does not prescore. */
#ifndef DORM_PIPELINE_PRESCORE_H
#define DORM_PIPELINE_PRESCORE_H

#include <stdint.h>
#include "dormscan/error.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"

typedef struct prescore_t prescore_t;

/* Called once per chunk, in input order, on a scoring thread (one call at a
 * time): work taken off the reading thread that must see chunks in order.
 * scored is dorm_prescore_put's score flag. */
typedef int (*prescore_in_order_fn)(void *ctx, const dorm_chunk_t *ch, int scored,
                                    dorm_err_t *err);

/* Called on a scoring thread that finds no chunk queued, outside the lock:
 * do a piece of the reading thread's work (dorm_reader_help); 1 if there
 * was some, 0 if not (the thread then waits for a chunk). */
typedef int (*prescore_idle_fn)(void *ctx);

/* Start n_threads scoring threads, thread i scoring with scorers[i] (not
 * owned; n_col column sets), calling in_order (may be NULL) on each chunk
 * and idle (may be NULL) when it has none, until dorm_prescore_finish.  With a
 * helper scorer (not owned, or NULL) the reading thread scores queued
 * chunks itself whenever dorm_prescore_put or dorm_prescore_finish would wait; with
 * idle the scoring threads take reading work when they would wait: so the
 * work balances between reading and scoring.  The file goes in dir. */
int dorm_prescore_start(prescore_t **out, dorm_scorer_t **scorers, int n_threads,
                   dorm_scorer_t *helper, int n_col, prescore_in_order_fn in_order,
                   prescore_idle_fn idle, void *ctx, const char *dir, dorm_err_t *err);
/* Queue the chunk last read from r, moved out of it (dorm_reader_take;
 * waits while the queue is full); when score is 0 it only goes to in_order
 * and has no results in the file.  Returns the first scoring error, if
 * any. */
int dorm_prescore_put(prescore_t *ps, dorm_reader_t *r, int score, dorm_err_t *err);
/* Wait until every queued chunk is scored and written and no thread is in
 * idle (none is called after this), then rewind the file. */
int dorm_prescore_finish(prescore_t *ps, dorm_err_t *err);
/* The next n_cells cells' results, each array n_cells x n_col. */
int dorm_prescore_read(prescore_t *ps, int64_t n_cells, double *score, double *z, double *p,
                  dorm_err_t *err);
/* Stop the threads (after an error too) and delete the file. */
void dorm_prescore_close(prescore_t *ps);

#endif
