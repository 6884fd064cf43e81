/* reference_file.c -- the text format of a reference (dormscan-reference(1)).
 *
 *   dormscan-reference<TAB>1
 *   species<TAB>human                 key<TAB>value lines: species, panel,
 *   panel<TAB>SHA-256                 nbin, normalized, scale_factor,
 *   ...                               celltype (optional), built_from
 *   population<TAB>NAME<TAB>CELLS     one per population, "all" first
 *   component<TAB>POP<TAB>NAME/PROGRAMME<TAB>N<TAB>CENTRE<TAB>TAU2
 *   baseline<TAB>POP<TAB>PROGRAMME<TAB>N<TAB>CENTRE<TAB>SPREAD
 *   genes<TAB>N
 *   gene_id<TAB>gene_name<TAB>POP...  a header, then N lines of means
 *
 * Numbers are written with 17 significant digits, so they read back as the
 * same doubles and a run against the file equals the run that made it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "dormscan/reference.h"
#include "dormscan/reference_file.h"
#include "dormscan/outfile.h"

static void put_num(dorm_outfile_t *o, double v)
{
    if (isnan(v))
        dorm_outfile_write(o, "NA", 2);
    else
        dorm_outfile_printf(o, "%.17g", v);
}

/* "-": standard output; a name ending in .gz: gzip (BGZF). */
static int open_output(dorm_outfile_t *o, const char *path, dorm_err_t *err)
{
    if (strcmp(path, "-") == 0) {
        dorm_outfile_open_stdout(o);
        return 0;
    }
    char *dir = strdup(path);
    if (!dir)
        return dorm_err_nomem(err);
    char *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : path;
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    size_t n = strlen(name);
    int rc = *name ? 0 : dorm_err_set(err, DORM_E_USAGE, "%s: a reference file name is needed", path);
    if (rc == 0)
        rc = dorm_outfile_open(o, dir, name, n > 3 && strcmp(name + n - 3, ".gz") == 0, err);
    free(dir);
    return rc;
}

int dorm_reference_write(const dorm_reference_t *r, const char *path, dorm_err_t *err)
{
    dorm_outfile_t o;
    int rc = open_output(&o, path, err);
    if (rc < 0)
        return rc;
    dorm_outfile_printf(&o, "dormscan-reference\t%d\n", DORM_REFERENCE_VERSION);
    dorm_outfile_printf(&o, "species\t%s\n", dorm_species_name(r->species));
    dorm_outfile_printf(&o, "panel\t%s\n", r->panel);
    dorm_outfile_printf(&o, "nbin\t%d\n", r->n_bins);
    dorm_outfile_printf(&o, "normalized\t%s\n", r->normalized ? "true" : "false");
    dorm_outfile_printf(&o, "scale_factor\t");
    put_num(&o, r->scale_factor);
    dorm_outfile_write(&o, "\n", 1);
    if (r->celltype)
        dorm_outfile_printf(&o, "celltype\t%s\n", r->celltype);
    dorm_outfile_printf(&o, "built_from\t%s\n", r->built_from ? r->built_from : "");
    for (int p = 0; p < r->n_pops; p++)
        dorm_outfile_printf(&o, "population\t%s\t%lld\n", r->pop_names[p],
                            (long long)r->pop_cells[p]);
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    for (int p = 0; p < r->n_pops; p++)
        for (int k = 0; k < n_comp; k++) {
            const dorm_comp_baseline_t *b = &r->component[p * n_comp + k];
            dorm_outfile_printf(&o, "component\t%s\t%s/%s\t%lld\t", r->pop_names[p], comp[k].name,
                                dorm_evidence_name(comp[k].evidence), (long long)b->n);
            put_num(&o, b->centre);
            dorm_outfile_write(&o, "\t", 1);
            put_num(&o, b->tau2);
            dorm_outfile_write(&o, "\n", 1);
        }
    for (int p = 0; p < r->n_pops; p++)
        for (int e = 0; e < DORM_N_EVIDENCE; e++) {
            const dorm_baseline_t *b = &r->baseline[p * DORM_N_EVIDENCE + e];
            dorm_outfile_printf(&o, "baseline\t%s\t%s\t%lld\t", r->pop_names[p],
                                dorm_evidence_name((dorm_evidence_t)e), (long long)b->n);
            put_num(&o, b->centre);
            dorm_outfile_write(&o, "\t", 1);
            put_num(&o, b->spread);
            dorm_outfile_write(&o, "\n", 1);
        }
    dorm_outfile_printf(&o, "genes\t%lld\ngene_id\tgene_name", (long long)r->n_genes);
    for (int p = 0; p < r->n_pops; p++)
        dorm_outfile_printf(&o, "\t%s", r->pop_names[p]);
    dorm_outfile_write(&o, "\n", 1);
    for (int64_t g = 0; g < r->n_genes; g++) {
        dorm_outfile_printf(&o, "%s\t%s", r->gene_ids[g], r->gene_names[g]);
        for (int p = 0; p < r->n_pops; p++) {
            dorm_outfile_write(&o, "\t", 1);
            put_num(&o, r->means[(size_t)p * (size_t)r->n_genes + (size_t)g]);
        }
        dorm_outfile_write(&o, "\n", 1);
    }
    rc = dorm_outfile_commit(&o, err);
    dorm_outfile_abort(&o);
    return rc;
}

/* ---- reading ---- */

typedef struct parser_t {
    const char *path;
    gzFile gz;
    char *line;
    size_t cap;
    int64_t line_no;
    char *field[8];
    int n_field;
    dorm_err_t *err;
} parser_t;

static int bad(parser_t *ps, const char *what)
{
    return dorm_err_set(ps->err, DORM_E_FORMAT, "%s line %lld: %s", ps->path,
                        (long long)ps->line_no, what);
}

/* The next line, without its newline: 1, 0 at the end, <0 on error. */
static int next_line(parser_t *ps)
{
    size_t len = 0;
    for (;;) {
        if (ps->cap - len < 2) {
            size_t cap = ps->cap ? 2 * ps->cap : 4096;
            char *l = realloc(ps->line, cap);
            if (!l)
                return dorm_err_nomem(ps->err);
            ps->line = l;
            ps->cap = cap;
        }
        if (!gzgets(ps->gz, ps->line + len, (int)(ps->cap - len))) {
            int code;
            const char *msg = gzerror(ps->gz, &code);
            if (code != Z_OK && code != Z_BUF_ERROR)
                return dorm_err_set(ps->err, DORM_E_IO, "%s: read failed: %s", ps->path, msg);
            if (len == 0)
                return 0;
            break;
        }
        len += strlen(ps->line + len);
        if (len > 0 && ps->line[len - 1] == '\n')
            break;
        if (gzeof(ps->gz))
            break;
    }
    ps->line_no++;
    if (len > 0 && ps->line[len - 1] == '\n')
        ps->line[--len] = '\0';
    if (len > 0 && ps->line[len - 1] == '\r')
        ps->line[--len] = '\0';
    return 1;
}

/* Split the line at tabs into at most max fields; the last keeps the rest. */
static void split(parser_t *ps, int max)
{
    ps->n_field = 0;
    char *s = ps->line;
    while (ps->n_field < max) {
        ps->field[ps->n_field++] = s;
        char *tab = strchr(s, '\t');
        if (!tab || ps->n_field == max)
            break;
        *tab = '\0';
        s = tab + 1;
    }
}

static int parse_num(const char *s, double *v)
{
    if (strcmp(s, "NA") == 0) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return *s && !*end && errno != ERANGE && isfinite(*v) ? 0 : -1;
}

static int parse_int(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    *v = x;
    return *s && !*end && errno == 0 && x >= 0 ? 0 : -1;
}

typedef struct header_t {
    char species[16], panel[65], celltype[256], *built_from;
    int n_bins, normalized, has_celltype;
    double scale_factor;
    char **pop;
    int64_t *pop_cells;
    int n_pops;
    dorm_baseline_t *baseline; /* grown with the populations */
    dorm_comp_baseline_t *component;
    int seen_baseline;
} header_t;

static void header_free(header_t *h)
{
    for (int p = 0; p < h->n_pops; p++)
        free(h->pop[p]);
    free(h->pop);
    free(h->pop_cells);
    free(h->baseline);
    free(h->component);
    free(h->built_from);
}

/* The index of population name among the header's, or n_pops. */
static int pop_index(const header_t *h, const char *name)
{
    int p = 0;
    while (p < h->n_pops && strcmp(h->pop[p], name) != 0)
        p++;
    return p;
}

static int add_population(parser_t *ps, header_t *h)
{
    int64_t cells;
    if (ps->n_field != 3 || parse_int(ps->field[2], &cells) < 0)
        return bad(ps, "expected population<TAB>NAME<TAB>CELLS");
    if (h->seen_baseline)
        return bad(ps, "a population after the baselines");
    if ((h->n_pops == 0) != (strcmp(ps->field[1], "all") == 0))
        return bad(ps, "the first population must be \"all\", and only the first");
    if (pop_index(h, ps->field[1]) < h->n_pops)
        return bad(ps, "a population named twice");
    char **pop = realloc(h->pop, (size_t)(h->n_pops + 1) * sizeof *pop);
    if (pop)
        h->pop = pop;
    int64_t *pc = pop ? realloc(h->pop_cells, (size_t)(h->n_pops + 1) * sizeof *pc) : NULL;
    if (pc)
        h->pop_cells = pc;
    dorm_baseline_t *b = pc ? realloc(h->baseline, (size_t)(h->n_pops + 1) * DORM_N_EVIDENCE *
                                                       sizeof *b)
                            : NULL;
    if (b)
        h->baseline = b;
    int n_comp;
    dorm_components(&n_comp);
    dorm_comp_baseline_t *cb = b ? realloc(h->component, (size_t)(h->n_pops + 1) *
                                                             (size_t)n_comp * sizeof *cb)
                                 : NULL;
    if (cb)
        h->component = cb;
    char *name = cb ? strdup(ps->field[1]) : NULL;
    if (!name)
        return dorm_err_nomem(ps->err);
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        h->baseline[h->n_pops * DORM_N_EVIDENCE + e] = (dorm_baseline_t){-1, NAN, NAN};
    for (int k = 0; k < n_comp; k++)
        h->component[h->n_pops * n_comp + k] = (dorm_comp_baseline_t){-1, NAN, NAN};
    h->pop[h->n_pops] = name;
    h->pop_cells[h->n_pops++] = cells;
    return 0;
}

static int add_component(parser_t *ps, header_t *h)
{
    h->seen_baseline = 1;
    if (ps->n_field != 6)
        return bad(ps, "expected component<TAB>POPULATION<TAB>NAME/PROGRAMME<TAB>N<TAB>CENTRE<TAB>TAU2");
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    int p = pop_index(h, ps->field[1]), k = 0;
    for (; k < n_comp; k++) {
        char key[128];
        snprintf(key, sizeof key, "%s/%s", comp[k].name, dorm_evidence_name(comp[k].evidence));
        if (strcmp(key, ps->field[2]) == 0)
            break;
    }
    if (p == h->n_pops)
        return bad(ps, "a component baseline of an unknown population");
    if (k == n_comp)
        return bad(ps, "an unknown classifier component");
    dorm_comp_baseline_t *b = &h->component[p * n_comp + k];
    if (b->n >= 0)
        return bad(ps, "a component baseline given twice");
    if (parse_int(ps->field[3], &b->n) < 0 || parse_num(ps->field[4], &b->centre) < 0 ||
        parse_num(ps->field[5], &b->tau2) < 0 || (b->n > 0 && (isnan(b->centre) || !(b->tau2 >= 0))))
        return bad(ps, "a component baseline needs a cell count, a centre and a variance");
    return 0;
}

static int add_baseline(parser_t *ps, header_t *h)
{
    h->seen_baseline = 1;
    if (ps->n_field != 6)
        return bad(ps, "expected baseline<TAB>POPULATION<TAB>PROGRAMME<TAB>N<TAB>CENTRE<TAB>SPREAD");
    int p = pop_index(h, ps->field[1]), e = 0;
    while (e < DORM_N_EVIDENCE && strcmp(dorm_evidence_name((dorm_evidence_t)e), ps->field[2]) != 0)
        e++;
    if (p == h->n_pops)
        return bad(ps, "a baseline of an unknown population");
    if (e == DORM_N_EVIDENCE)
        return bad(ps, "a baseline of an unknown programme");
    dorm_baseline_t *b = &h->baseline[p * DORM_N_EVIDENCE + e];
    if (b->n >= 0)
        return bad(ps, "a baseline given twice");
    if (parse_int(ps->field[3], &b->n) < 0 || parse_num(ps->field[4], &b->centre) < 0 ||
        parse_num(ps->field[5], &b->spread) < 0 || (b->n > 0 && (isnan(b->centre) || isnan(b->spread))))
        return bad(ps, "a baseline needs a cell count, a centre and a spread");
    return 0;
}

/* Everything before the genes; stops after the "genes N" line. */
static int read_header(parser_t *ps, header_t *h, int64_t *n_genes)
{
    int rc = next_line(ps);
    if (rc <= 0)
        return rc < 0 ? rc : dorm_err_set(ps->err, DORM_E_FORMAT, "%s: empty file", ps->path);
    split(ps, 2);
    if (ps->n_field != 2 || strcmp(ps->field[0], "dormscan-reference") != 0)
        return bad(ps, "not a dormscan reference (it starts with dormscan-reference<TAB>VERSION)");
    if (strcmp(ps->field[1], "1") != 0)
        return dorm_err_set(ps->err, DORM_E_FORMAT,
                            "%s: reference format version %s; this dormscan reads version %d "
                            "(build the reference again with this version)",
                            ps->path, ps->field[1], DORM_REFERENCE_VERSION);
    int seen = 0; /* bits: species, panel, nbin, normalized, scale_factor */
    while ((rc = next_line(ps)) > 0) {
        split(ps, 6);
        const char *k = ps->field[0], *v = ps->n_field > 1 ? ps->field[1] : NULL;
        int64_t x;
        if (strcmp(k, "population") == 0) {
            rc = add_population(ps, h);
        } else if (strcmp(k, "baseline") == 0) {
            rc = add_baseline(ps, h);
        } else if (strcmp(k, "component") == 0) {
            rc = add_component(ps, h);
        } else if (ps->n_field != 2) {
            rc = bad(ps, "expected KEY<TAB>VALUE");
        } else if (strcmp(k, "species") == 0) {
            seen |= 1;
            rc = snprintf(h->species, sizeof h->species, "%s", v) < (int)sizeof h->species
                     ? 0 : bad(ps, "unknown species");
        } else if (strcmp(k, "panel") == 0) {
            seen |= 2;
            rc = strlen(v) == 64 ? (memcpy(h->panel, v, 65), 0) : bad(ps, "panel must be a SHA-256");
        } else if (strcmp(k, "nbin") == 0) {
            seen |= 4;
            rc = parse_int(v, &x) == 0 && x >= 1 && x <= 10000 ? (h->n_bins = (int)x, 0)
                                                                 : bad(ps, "nbin must be 1 to 10000");
        } else if (strcmp(k, "normalized") == 0) {
            seen |= 8;
            h->normalized = strcmp(v, "true") == 0;
            rc = h->normalized || strcmp(v, "false") == 0 ? 0 : bad(ps, "normalized must be true or false");
        } else if (strcmp(k, "scale_factor") == 0) {
            seen |= 16;
            rc = parse_num(v, &h->scale_factor) == 0 && h->scale_factor > 0
                     ? 0 : bad(ps, "scale_factor must be a positive number");
        } else if (strcmp(k, "celltype") == 0) {
            h->has_celltype = 1;
            rc = snprintf(h->celltype, sizeof h->celltype, "%s", v) < (int)sizeof h->celltype
                     ? 0 : bad(ps, "cell-type column name too long");
        } else if (strcmp(k, "built_from") == 0) {
            free(h->built_from);
            rc = (h->built_from = strdup(v)) ? 0 : dorm_err_nomem(ps->err);
        } else if (strcmp(k, "genes") == 0) {
            if (parse_int(v, n_genes) < 0 || *n_genes < 1)
                return bad(ps, "genes must be a positive count");
            if (seen != 31)
                return bad(ps, "species, panel, nbin, normalized and scale_factor must come first");
            if (h->n_pops == 0)
                return bad(ps, "no population");
            for (int i = 0; i < h->n_pops * DORM_N_EVIDENCE; i++)
                if (h->baseline[i].n < 0)
                    return bad(ps, "a baseline is missing");
            int n_comp;
            dorm_components(&n_comp);
            for (int i = 0; i < h->n_pops * n_comp; i++)
                if (h->component[i].n < 0)
                    return bad(ps, "a component baseline is missing");
            if (h->has_celltype != (h->n_pops > 1))
                return bad(ps, "cell-type populations need a celltype line, and it needs them");
            return 0;
        } else {
            rc = bad(ps, "unknown key");
        }
        if (rc < 0)
            return rc;
    }
    return rc < 0 ? rc : dorm_err_set(ps->err, DORM_E_FORMAT, "%s: truncated: no genes", ps->path);
}

static int read_genes(parser_t *ps, dorm_reference_t *r)
{
    int rc = next_line(ps);
    if (rc <= 0)
        return rc < 0 ? rc : dorm_err_set(ps->err, DORM_E_FORMAT, "%s: truncated: no gene header",
                                          ps->path);
    /* header: gene_id gene_name POP... */
    char *s = ps->line;
    int k = 0, ok = 1;
    for (char *tok = s;; k++) {
        char *tab = strchr(tok, '\t');
        if (tab)
            *tab = '\0';
        const char *want = k == 0 ? "gene_id" : k == 1 ? "gene_name"
                           : k - 2 < r->n_pops ? r->pop_names[k - 2] : NULL;
        ok = ok && want && strcmp(tok, want) == 0;
        if (!tab)
            break;
        tok = tab + 1;
    }
    if (!ok || k + 1 != r->n_pops + 2)
        return bad(ps, "expected the header gene_id<TAB>gene_name and one column per population");
    for (int64_t g = 0; g < r->n_genes; g++) {
        if ((rc = next_line(ps)) <= 0)
            return rc < 0 ? rc : dorm_err_set(ps->err, DORM_E_FORMAT,
                                              "%s: truncated: %lld of %lld genes", ps->path,
                                              (long long)g, (long long)r->n_genes);
        char *tok = ps->line;
        for (int c = 0; c < r->n_pops + 2; c++) {
            char *tab = strchr(tok, '\t');
            if ((tab == NULL) != (c == r->n_pops + 1))
                return bad(ps, "expected a gene id, a name and one mean per population");
            if (tab)
                *tab = '\0';
            if (c < 2) {
                if (!*tok)
                    return bad(ps, "an empty gene id or name");
                char **slot = c == 0 ? &r->gene_ids[g] : &r->gene_names[g];
                if (!(*slot = strdup(tok)))
                    return dorm_err_nomem(ps->err);
            } else {
                double v;
                if (parse_num(tok, &v) < 0 || isnan(v) || v < 0)
                    return bad(ps, "a gene mean must be a number, 0 or more");
                r->means[(size_t)(c - 2) * (size_t)r->n_genes + (size_t)g] = v;
            }
            tok = tab ? tab + 1 : tok;
        }
    }
    if ((rc = next_line(ps)) != 0)
        return rc < 0 ? rc : bad(ps, "more genes than the genes line says");
    return 0;
}

int dorm_reference_read(dorm_reference_t **out, const char *path, dorm_err_t *err)
{
    *out = NULL;
    parser_t ps = {.path = path, .err = err};
    header_t h;
    memset(&h, 0, sizeof h);
    errno = 0;
    ps.gz = strcmp(path, "-") == 0 ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb");
    if (!ps.gz)
        return dorm_err_set(err, DORM_E_IO, "%s: cannot open: %s", path,
                            errno ? strerror(errno) : "out of memory");
    int64_t n_genes = 0;
    dorm_reference_t *r = NULL;
    int rc = read_header(&ps, &h, &n_genes);
    if (rc == 0) {
        /* the gene strings are filled in by read_genes */
        r = calloc(1, sizeof *r);
        if (!r || !(r->gene_ids = calloc((size_t)n_genes, sizeof *r->gene_ids)) ||
            !(r->gene_names = calloc((size_t)n_genes, sizeof *r->gene_names)) ||
            !(r->means = calloc((size_t)n_genes * (size_t)h.n_pops, sizeof *r->means))) {
            rc = dorm_err_nomem(err);
        } else {
            r->n_genes = n_genes;
            r->n_pops = h.n_pops;
            r->pop_names = h.pop;
            r->pop_cells = h.pop_cells;
            r->baseline = h.baseline;
            r->component = h.component;
            dorm_components(&r->n_comp);
            r->built_from = h.built_from;
            h.pop = NULL;
            h.pop_cells = NULL;
            h.baseline = NULL;
            h.component = NULL;
            h.built_from = NULL;
            h.n_pops = 0;
            r->species = strcmp(h.species, "mouse") == 0 ? DORM_SPECIES_MOUSE : DORM_SPECIES_HUMAN;
            if (strcmp(h.species, "mouse") != 0 && strcmp(h.species, "human") != 0)
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s: unknown species %s", path, h.species);
            memcpy(r->panel, h.panel, sizeof r->panel);
            r->n_bins = h.n_bins;
            r->normalized = h.normalized;
            r->scale_factor = h.scale_factor;
            if (rc == 0 && h.has_celltype && !(r->celltype = strdup(h.celltype)))
                rc = dorm_err_nomem(err);
        }
    }
    if (rc == 0)
        rc = read_genes(&ps, r);
    gzclose(ps.gz);
    free(ps.line);
    header_free(&h);
    if (rc < 0) {
        dorm_reference_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}
