/* cli_util.c -- option parsing helpers shared by the subcommands. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "dormscan %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see dormscan %s --help)\n", cmd);
    va_end(ap);
    return 2;
}

int cli_parse_output(const char *cmd, const char *s)
{
    if (*s)
        return 0;
    cli_usage_error(cmd, "-o needs a path, not an empty string");
    return -1;
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, int64_t lo, int64_t hi,
                  int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) {
        if (hi == INT64_MAX) /* (a range a person can read) */
            cli_usage_error(cmd, "%s expects an integer of %lld or more, not '%s'", opt,
                            (long long)lo, s);
        else
            cli_usage_error(cmd, "%s expects an integer in %lld..%lld, not '%s'", opt,
                            (long long)lo, (long long)hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi,
                     double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi) {
        cli_usage_error(cmd, "%s expects a number in %g..%g, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

char *cli_command_line(int argc, char **argv)
{
    size_t n = sizeof "dormscan ";
    for (int i = 0; i < argc; i++)
        n += 3 + 4 * strlen(argv[i]);
    char *s = malloc(n), *p = s;
    if (!s)
        return NULL;
    p += sprintf(p, "dormscan");
    for (int i = 0; i < argc; i++) {
        *p++ = ' ';
        const char *a = argv[i];
        int plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789-_./=:,+@%") == strlen(a);
        if (plain) {
            p += sprintf(p, "%s", a);
            continue;
        }
        *p++ = '\'';
        for (; *a; a++) {
            if (*a == '\'')
                p += sprintf(p, "'\\''");
            else
                *p++ = *a;
        }
        *p++ = '\'';
    }
    *p = '\0';
    return s;
}

int cli_close_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "dormscan: error writing to standard output\n");
        return 1;
    }
    return 0;
}

int cli_status(const char *cmd, int rc, const dorm_err_t *err)
{
    if (rc >= 0)
        return 0;
    fprintf(stderr, "dormscan %s: %s\n", cmd, err->msg);
    return dorm_err_exit_status(rc);
}
