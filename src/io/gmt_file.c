/* gmt_file.c -- a GMT file's bytes, read for the gene-set parser. */
#include <stdlib.h>

#include "dormscan/geneset_file.h"
#include "lines.h"

#define GMT_MAX_BYTES ((size_t)256 << 20)

int dorm_gmt_read(dorm_geneset_list_t *l, const char *path, dorm_err_t *err)
{
    char *text;
    size_t len;
    int rc = dorm_read_file(path, GMT_MAX_BYTES, &text, &len, err);
    if (rc < 0)
        return rc;
    if (len == 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", path);
    else
        rc = dorm_gmt_parse(l, text, len, path, err);
    free(text);
    return rc;
}
