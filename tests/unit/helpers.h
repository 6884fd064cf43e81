/* helpers.h -- small helpers for the unit suites. */
#ifndef DORM_TEST_HELPERS_H
#define DORM_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh temporary directory (caller frees the string). */
static inline char *tmpdir_new(void)
{
    char *d = strdup("/tmp/dormscan-unit-XXXXXX");
    if (!d || !mkdtemp(d)) {
        free(d);
        return NULL;
    }
    return d;
}

/* Write text to dir/name. */
static inline void write_text(const char *dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

static inline void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
