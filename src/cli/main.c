/* main.c -- dormscan's entry point: dispatch to a subcommand. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__ /* defined by the headers above */
#include <malloc.h>
#endif

#include "cli_internal.h"
#include "dormscan/dormscan.h"
#include "dormscan/outfile.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"score", cmd_score, "score cells for the dormancy panel or your gene sets"},
    {"reference", cmd_reference, "make a fixed frame of reference from chosen cells"},
    {"count", cmd_count, "count UMIs per cell and gene from a BAM into a matrix"},
    {"merge", cmd_merge, "combine shards or samples scored in separate runs"},
    {"compare", cmd_compare, "test state proportions between conditions (propeller)"},
    {"inspect", cmd_inspect, "describe an input without scoring it"},
    {"signatures", cmd_signatures, "list or show the shipped gene sets"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* Descriptors 0-2 closed by the caller (2>&-) would be reused by the first
 * files opened, so that messages went into an output: hold each closed one
 * on /dev/null. */
static void hold_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0) {
            int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
            if (nfd >= 0 && nfd != fd) { /* (a lower one was free: it is held now too) */
                dup2(nfd, fd);
                close(nfd);
            }
        }
}

static void usage(FILE *fp)
{
    fprintf(fp,
            "dormscan %s -- per-cell dormancy states from single-cell RNA-seq\n\n"
            "Usage: dormscan <command> [options]\n\n"
            "Commands:\n",
            dorm_version());
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(fp, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp,
            "  %-12s %s\n\n"
            "Options:\n"
            "  -h, --help     show this help\n"
            "  --version      print the version and exit\n\n"
            "Run 'dormscan <command> --help' for a command's options; see dormscan(1).\n",
            "help CMD", "show the help of CMD");
}

int main(int argc, char **argv)
{
    hold_std_fds();
    dorm_outputs_guard_signals();
#ifdef __GLIBC__
    /* Fixed malloc thresholds: setting one stops glibc from raising its mmap
     * threshold each time a large buffer is freed, which otherwise puts later
     * chunk-sized buffers on the heap, where they fragment as the threads'
     * buffers grow (peak RSS with -@2: 137 -> 172 MB from 10k to 100k cells;
     * 125 -> 141 MB with this).  M_TRIM_THRESHOLD rather than
     * M_MMAP_THRESHOLD: the latter made malloc fail under valgrind's
     * callgrind. */
    mallopt(M_TRIM_THRESHOLD, 1 << 20);
#endif
    dorm_log_set_level(DORM_LOG_WARN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0) {
        printf("%s\n", dorm_version());
        return cli_close_stdout();
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        usage(stdout);
        return cli_close_stdout();
    }
    if (strcmp(cmd, "help") == 0) {
        char *help_argv[] = {argv[2], "--help", NULL};
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strcmp(argv[2], commands[i].name) == 0)
                return commands[i].run(2, help_argv);
        fprintf(stderr, "dormscan: unknown command '%s'\n", argv[2]);
        return 2;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dormscan: unknown command '%s' (see dormscan --help)\n", cmd);
    return 2;
}
