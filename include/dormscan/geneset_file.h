/* geneset_file.h -- reading gene-set files (the bytes are io's; the parsing
 * is dormscan/geneset.h's). */
#ifndef DORMSCAN_GENESET_FILE_H
#define DORMSCAN_GENESET_FILE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include "dormscan/error.h"
#include "dormscan/geneset.h"

/* Read a GMT file (plain or gzip, local or remote, through htslib) and
 * append its sets to l (dorm_gmt_parse).  An empty file is DORM_E_FORMAT. */
int dorm_gmt_read(dorm_geneset_list_t *l, const char *path, dorm_err_t *err) DORM_WUR;

#pragma GCC visibility pop
#endif
