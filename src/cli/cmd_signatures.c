/* cmd_signatures.c -- `dormscan signatures list|show NAME`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "dormscan/dormscan.h"

static void help(void)
{
    printf("Usage: dormscan signatures list\n"
           "       dormscan signatures show NAME\n\n"
           "list: one line per shipped gene set: file, name, number of genes and\n"
           "      description (tab-separated, with a header).\n"
           "show: the set NAME as one GMT line (NAME, description, genes).\n"
           "Provenance of every set is in SOURCES.md (installed beside the GMT files).\n"
           "See dormscan-signatures(1).\n");
}

int cmd_signatures(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            help();
            return cli_close_stdout();
        }
    if (argc < 2 || (strcmp(argv[1], "list") != 0 && strcmp(argv[1], "show") != 0))
        return cli_usage_error("signatures", "expected 'list' or 'show NAME'");
    int show = strcmp(argv[1], "show") == 0;
    if (argc != (show ? 3 : 2))
        return cli_usage_error("signatures", show ? "show needs exactly one NAME" : "list takes no arguments");
    const char *const *files = dorm_panel_builtin_names();
    dorm_err_t err;
    dorm_err_clear(&err);
    int found = 0;
    if (!show)
        printf("file\tname\tn_genes\tdescription\n");
    for (int i = 0; files[i]; i++) {
        dorm_geneset_list_t l;
        dorm_geneset_list_init(&l);
        if (dorm_panel_load(&l, files[i], &err) < 0) {
            fprintf(stderr, "dormscan signatures: %s\n", err.msg);
            dorm_geneset_list_destroy(&l);
            return 1;
        }
        for (int s = 0; s < l.n; s++) {
            const dorm_geneset_t *g = &l.sets[s];
            if (!show) {
                printf("%s\t%s\t%d\t%s\n", files[i], g->name, g->n_genes, g->description);
                continue;
            }
            if (strcmp(g->name, argv[2]) != 0)
                continue;
            found = 1;
            printf("%s\t%s", g->name, g->description);
            for (int k = 0; k < g->n_genes; k++)
                printf("\t%s%s", g->genes[k], g->sign[k] < 0 ? "-" : "");
            printf("\n");
        }
        dorm_geneset_list_destroy(&l);
    }
    if (show && !found) {
        fprintf(stderr, "dormscan signatures: no shipped gene set named '%s' (see dormscan signatures list)\n", argv[2]);
        return 1;
    }
    return cli_close_stdout();
}
