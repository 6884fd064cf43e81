/* instream_internal.h -- a byte stream over a local file, standard input or an htslib
 * URL, inflated on the fly when it is gzip (one member or several: BGZF and
 * concatenated gzip), private to libdormscan.
 *
 * Inflation uses ISA-L's igzip, several times faster than zlib.  With
 * dorm_instream_open_ahead() a second thread reads and inflates ahead of the
 * consumer through a bounded queue of blocks (two blocks in flight), so
 * inflation overlaps the caller's parsing; with dorm_instream_open_shared()
 * the same blocks are filled by the consumer or by helping threads. */
#ifndef DORM_IO_INSTREAM_H
#define DORM_IO_INSTREAM_H

#include <stddef.h>
#include <sys/types.h>
#include "dormscan/error.h"

typedef struct dorm_instream_t dorm_instream_t;

/* Open path ("-" is standard input).  *out is NULL on error. */
int dorm_instream_open(dorm_instream_t **out, const char *path, dorm_err_t *err);

/* The same, inflating in a background thread (falls back to inline
 * inflation if the thread cannot start). */
int dorm_instream_open_ahead(dorm_instream_t **out, const char *path, dorm_err_t *err);

/* The same, inflating ahead by blocks that dorm_instream_read fills when
 * it finds none ready and that another thread may fill meanwhile with
 * dorm_instream_help: inflation moves to whichever thread has time. */
int dorm_instream_open_shared(dorm_instream_t **out, const char *path, dorm_err_t *err);
/* From any thread, while the stream is open: inflate the next block ahead if
 * there is room (a stream from dorm_instream_open_shared).  1 if it did, 0
 * if there was nothing to do. */
int dorm_instream_help(dorm_instream_t *s);

/* Up to n bytes into buf.  Returns bytes read (>0), 0 at end of stream, <0 on
 * error (err names the file: truncated or corrupt compressed data, I/O). */
ssize_t dorm_instream_read(dorm_instream_t *s, void *buf, size_t n, dorm_err_t *err);

/* 1 if the input is gzip-compressed. */
int dorm_instream_is_gzip(const dorm_instream_t *s);

void dorm_instream_close(dorm_instream_t *s);

/* htslib reports through dormscan's errors: its own stderr lines only at
 * DORM_LOG_DEBUG.  Called before io opens anything through htslib (a
 * process-wide htslib setting, following dorm_log_get_level). */
void dorm_hts_follow_log_level(void);

#endif
