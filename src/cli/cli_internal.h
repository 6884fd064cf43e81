/* cli_internal.h -- shared pieces of the dormscan command line, private to src/cli. */
#ifndef DORM_CLI_H
#define DORM_CLI_H

#include <getopt.h>
#include <stdint.h>

#include <time.h>

#include "dormscan/pipeline.h"
#include "dormscan/reader.h"

/* Each subcommand: parse -> options struct -> run -> cleanup; returns the
 * process exit status (0 ok, 1 data/runtime error, 2 usage error). */
int cmd_score(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_count(int argc, char **argv);
int cmd_signatures(int argc, char **argv);
int cmd_reference(int argc, char **argv);
int cmd_compare(int argc, char **argv);

/* The progress line on a terminal. */
typedef struct cli_progress_t {
    struct timespec start, last;
    const char *sample;
} cli_progress_t;

/* A parsed command line of score or reference: the options and what they
 * point into (owned). */
typedef struct cli_run_t {
    dorm_run_opts_t o;
    const char **gmt;
    char **names, **paths;
    int n;
    dorm_sample_t *samples;
    char *command_line;
    cli_progress_t progress;
} cli_run_t;

/* Parse cmd's ("score" or "reference") options and inputs into r; help
 * prints its usage.  Returns -1 to go on, or the exit status (usage
 * error, --help).  Free r with cli_run_free in either case. */
int cli_run_parse(const char *cmd, void (*help)(void), int argc, char **argv, cli_run_t *r);
/* End the progress line, if one was shown. */
void cli_run_finish(cli_run_t *r);
void cli_run_free(cli_run_t *r);

/* The exit status of a library call's rc: 0, or (after printing "dormscan
 * CMD: ERR" on stderr) 1 or 2 as dorm_err_exit_status says. */
int cli_status(const char *cmd, int rc, const dorm_err_t *err);
/* Print "dormscan CMD: MSG" on stderr and return 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The value of -o: 0 when usable, else a usage message and -1 (an empty
 * string names no file or directory). */
int cli_parse_output(const char *cmd, const char *s);
/* Parse numbers for option opt; 0 on success, else a usage message and -1. */
int cli_parse_int(const char *cmd, const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out);
int cli_parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
/* "dormscan" and a subcommand's argv (argv[0] the subcommand), joined with spaces and
 * shell-quoted where needed: the recorded command line; caller frees. */
char *cli_command_line(int argc, char **argv);
/* Flush and close stdout; 1 if that failed (e.g. a full disk or closed pipe). */
int cli_close_stdout(void);

/* Input-format options shared by score and inspect: the long options (append
 * them to a command's table), their help lines, and a handler that returns 1
 * when it consumed option c. */
enum {
    CLI_OPT_FORMAT = 1000, CLI_OPT_GENOME, CLI_OPT_LAYER, CLI_OPT_RAW, CLI_OPT_VAR_COLUMN,
    CLI_OPT_CELLS_AS_ROWS, CLI_OPT_GENES_AS_ROWS
};
extern const struct option cli_reader_longopts[];
extern const int cli_reader_n_longopts;
extern const char cli_reader_help[];
int cli_reader_option(int c, const char *arg, dorm_reader_opts_t *o);

#endif
