/* score_bench.c -- time the scorers alone, on chunks held in memory.
 *
 *   build/bench/score_bench INPUT [ROUNDS] [--method ucell|module] [--cells N]
 *
 * Reads up to N cells of INPUT (any format dormscan reads; default 20000)
 * into memory as chunks of 256 cells, matches the shipped panel, then scores
 * every chunk ROUNDS times (default 3) with a ucell or module scorer and
 * prints the time per round and per cell, and a checksum of the scores, z
 * and p (identical between builds that give identical output).  Reading,
 * the cell store, the classifier and the output are left out, so two builds'
 * scorers can be compared on a noisy machine by their best round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dormscan/geneset.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"

typedef struct held_t {
    dorm_chunk_t view;
    int64_t *col_ptr;
    int32_t *gene;
    double *value;
    uint32_t *count;
} held_t;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int die(const char *what, const dorm_err_t *err)
{
    fprintf(stderr, "score_bench: %s: %s\n", what, err ? err->msg : "out of memory");
    return 1;
}

/* A copy of ch that outlives the reader's next read; 0 or -1. */
static int hold(held_t *h, const dorm_chunk_t *ch)
{
    int64_t n = ch->n_cells, a = ch->col_ptr[0], nnz = ch->col_ptr[n] - a;
    h->col_ptr = malloc((size_t)(n + 1) * sizeof *h->col_ptr);
    h->gene = malloc((size_t)(nnz ? nnz : 1) * sizeof *h->gene);
    h->value = malloc((size_t)(nnz ? nnz : 1) * sizeof *h->value);
    h->count = ch->count ? malloc((size_t)(nnz ? nnz : 1) * sizeof *h->count) : NULL;
    if (!h->col_ptr || !h->gene || !h->value || (ch->count && !h->count))
        return -1;
    for (int64_t c = 0; c <= n; c++)
        h->col_ptr[c] = ch->col_ptr[c] - a;
    memcpy(h->gene, ch->gene + a, (size_t)nnz * sizeof *h->gene);
    memcpy(h->value, ch->value + a, (size_t)nnz * sizeof *h->value);
    if (ch->count)
        memcpy(h->count, ch->count + a, (size_t)nnz * sizeof *h->count);
    h->view = (dorm_chunk_t){ch->first_cell, n, h->col_ptr, h->gene, h->value, NULL, h->count};
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    int rounds = 3;
    int64_t max_cells = 20000;
    dorm_score_opts_t opts;
    dorm_score_opts_default(&opts);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--method") && i + 1 < argc)
            opts.method = !strcmp(argv[++i], "module") ? DORM_METHOD_MODULE : DORM_METHOD_UCELL;
        else if (!strcmp(argv[i], "--cells") && i + 1 < argc)
            max_cells = atoll(argv[++i]);
        else if (!path)
            path = argv[i];
        else
            rounds = atoi(argv[i]);
    }
    if (!path || rounds < 1 || max_cells < 1) {
        fprintf(stderr, "usage: score_bench INPUT [ROUNDS] [--method ucell|module] [--cells N]\n");
        return 2;
    }
    dorm_err_t err;
    dorm_reader_opts_t ro = {0};
    ro.chunk_cells = 256;
    dorm_reader_t *r;
    if (dorm_reader_open(&r, path, &ro, &err) < 0)
        return die(path, &err);
    const dorm_features_t *f = dorm_reader_features(r);
    int64_t n_genes = f->n, n_cells = 0;
    held_t *held = NULL;
    int n_held = 0;
    dorm_gene_means_t means;
    if (dorm_gene_means_init(&means, n_genes, &err) < 0)
        return die("means", &err);
    const dorm_chunk_t *ch;
    int rc;
    while (n_cells < max_cells && (rc = dorm_reader_read(r, &ch, &err)) > 0) {
        held_t *h = realloc(held, (size_t)(n_held + 1) * sizeof *held);
        if (!h || hold(&h[n_held], ch) < 0)
            return die("holding chunks", NULL);
        held = h;
        if (dorm_gene_means_add(&means, &opts, &held[n_held].view, &err) < 0)
            return die("means", &err);
        n_held++;
        n_cells += ch->n_cells;
    }
    if (rc < 0)
        return die(path, &err);
    /* the shipped panel, matched as written (no aliases) */
    dorm_geneset_list_t panel;
    dorm_geneset_list_init(&panel);
    dorm_gene_index_t *ix;
    if (dorm_panel_load(&panel, "dormancy_panel", &err) < 0 || dorm_gene_index_build(&ix, f, 0, &err) < 0)
        return die("panel", &err);
    dorm_match_t *match = calloc((size_t)panel.n, sizeof *match);
    dorm_score_set_t *sets = calloc((size_t)panel.n, sizeof *sets);
    if (!match || !sets)
        return die("panel", NULL);
    for (int s = 0; s < panel.n; s++) {
        if (dorm_match_set(&match[s], &panel.sets[s], ix, NULL, DORM_SPECIES_HUMAN, &err) < 0)
            return die("matching", &err);
        sets[s] = (dorm_score_set_t){&match[s], 0};
    }
    dorm_scorer_t *sc;
    if (dorm_scorer_init(&sc, &opts, n_genes, 0, sets, panel.n, &means, &err) < 0)
        return die("scorer", &err);
    size_t per = (size_t)256 * (size_t)panel.n;
    double *out = malloc(3 * per * sizeof *out), best = 1e300, sum = 0;
    if (!out)
        return die("results", NULL);
    for (int round = 0; round < rounds; round++) {
        double t0 = now();
        sum = 0;
        for (int i = 0; i < n_held; i++) {
            if (dorm_scorer_score_chunk(sc, &held[i].view, out, out + per, out + 2 * per, &err) < 0)
                return die("scoring", &err);
            for (size_t k = 0; k < (size_t)held[i].view.n_cells * (size_t)panel.n * 3; k++)
                sum += out[k] == out[k] ? out[k] * (double)(k % 7 + 1) : 0; /* NaN left out */
        }
        double t = now() - t0;
        best = t < best ? t : best;
        printf("round %d: %.3f s, %.2f us per cell\n", round + 1, t, 1e6 * t / (double)n_cells);
    }
    printf("%s, %lld cells, %d sets: best %.3f s (%.2f us per cell); checksum %.17g\n",
           opts.method == DORM_METHOD_MODULE ? "module" : "ucell", (long long)n_cells, panel.n,
           best, 1e6 * best / (double)n_cells, sum);
    free(out);
    dorm_scorer_destroy(sc);
    for (int s = 0; s < panel.n; s++)
        dorm_match_destroy(&match[s]);
    free(match);
    free(sets);
    dorm_gene_index_destroy(ix);
    dorm_geneset_list_destroy(&panel);
    dorm_gene_means_destroy(&means);
    for (int i = 0; i < n_held; i++) {
        free(held[i].col_ptr);
        free(held[i].gene);
        free(held[i].value);
        free(held[i].count);
    }
    free(held);
    dorm_reader_close(r);
    return 0;
}
