/* lines.h -- line-oriented reading of plain, gzip or BGZF text (and htslib
 * remote URLs) through instream_internal.h (ISA-L inflation): io's interface to the
 * library (not exported).
 *
 * Lines are returned NUL-terminated with "\n" or "\r\n" removed, in a buffer
 * owned by the reader, valid until the next call.  A UTF-8 byte-order mark at
 * the start of the file is skipped. */
#ifndef DORM_IO_LINES_H
#define DORM_IO_LINES_H

#include <stddef.h>
#include <stdint.h>
#include "core/text.h"
#include "dormscan/error.h"


typedef struct dorm_lines_t dorm_lines_t;

/* Open path; "-" is standard input.  *out is NULL on error. */
int dorm_lines_open(dorm_lines_t **out, const char *path, dorm_err_t *err);
/* The same, inflating in a read-ahead thread (for large inputs). */
int dorm_lines_open_ahead(dorm_lines_t **out, const char *path, dorm_err_t *err);
/* The same, inflating by blocks that another thread may fill with
 * dorm_lines_help (dorm_instream_open_shared). */
int dorm_lines_open_shared(dorm_lines_t **out, const char *path, dorm_err_t *err);
/* From another thread: inflate ahead if there is room; 1 if it did. */
int dorm_lines_help(dorm_lines_t *lr);
/* 1 and a line, 0 at end of file, <0 on error (err names file and line). */
int dorm_lines_next(dorm_lines_t *lr, char **line, size_t *len, dorm_err_t *err);
/* Bulk access for parsers without a call per line: [*start, *end) are the
 * buffered unread bytes up to and including the last complete line's "\n"
 * (lines are not NUL-terminated; "\r" is left in place).  Returns 1, 0 when
 * no complete line is left (a last line without "\n" stays for
 * dorm_lines_next), <0 on error.  Then dorm_lines_consume() the bytes and
 * lines actually parsed (whole lines only); the block is valid until then.
 * DORM_LINES_PAD bytes past *end are readable (their values are not
 * defined), so parsers may load whole words near the end. */
#define DORM_LINES_PAD 32
int dorm_lines_block(dorm_lines_t *lr, char **start, char **end, dorm_err_t *err);
void dorm_lines_consume(dorm_lines_t *lr, size_t bytes, int64_t lines);
/* Number of the line last returned (1-based). */
int64_t dorm_lines_number(const dorm_lines_t *lr);
/* 1 when the line last returned by dorm_lines_next ended the file without
 * "\n": a file cut short often ends so (messages then say "truncated?"). */
int dorm_lines_unterminated(const dorm_lines_t *lr);
const char *dorm_lines_path(const dorm_lines_t *lr);
void dorm_lines_close(dorm_lines_t *lr);

/* Read a whole (small) file into a NUL-terminated buffer the caller frees.
 * Refuses files larger than max_len bytes after decompression. */
int dorm_read_file(const char *path, size_t max_len, char **text, size_t *len,
                   dorm_err_t *err);

/* Last path component, for messages. */
const char *dorm_basename(const char *path);

#endif
