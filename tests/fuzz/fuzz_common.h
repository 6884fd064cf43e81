/* fuzz_common.h -- helpers for the fuzz harnesses: inputs become temporary
 * files, because the readers read files (through htslib and HDF5). */
#ifndef DORM_FUZZ_COMMON_H
#define DORM_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dormscan/log.h"
#include "dormscan/reader.h"

/* A private temporary directory for this process, made once. */
static inline const char *fuzz_dir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/dormscan-fuzz-%ld", (long)getpid());
        char cmd[128];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd) != 0)
            abort();
        dorm_log_set_level(DORM_LOG_ERROR);
    }
    return dir;
}

/* Write len bytes to DIR/name; returns the path (static buffer per slot). */
static inline const char *fuzz_file(int slot, const char *name, const uint8_t *data, size_t len)
{
    static char path[4][256];
    snprintf(path[slot], sizeof path[slot], "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path[slot], "wb");
    if (!f)
        abort();
    if (len && fwrite(data, 1, len, f) != len)
        abort();
    fclose(f);
    return path[slot];
}

/* Split data at the first occurrence of sep: [data, cut) and the rest. */
static inline size_t fuzz_split(const uint8_t *data, size_t len, const char *sep)
{
    size_t n = strlen(sep);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, sep, n) == 0)
            return i;
    return len;
}

/* Open path (format NULL: detect) and read every chunk, again in memory when
 * the entries are not grouped by cell. */
static inline void fuzz_read_all(const char *path, const char *format)
{
    dorm_reader_t *r;
    dorm_err_t err;
    dorm_reader_opts_t o = {0};
    o.chunk_cells = 3;
    o.format = format;
    for (int pass = 0; pass < 2; pass++) {
        o.in_memory = pass;
        if (dorm_reader_open(&r, path, &o, &err) < 0)
            return;
        const dorm_chunk_t *ch;
        int rc;
        while ((rc = dorm_reader_read(r, &ch, &err)) > 0)
            ;
        if (rc == 0 && dorm_reader_rewind(r, &err) == 0) /* a second pass, as score does */
            while (dorm_reader_read(r, &ch, &err) > 0)
                ;
        dorm_reader_close(r);
        if (rc != DORM_E_UNSORTED)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
