/* Unit tests of the GMT parser, the shipped panel and gene matching. */
#include <criterion/criterion.h>
#include <string.h>

#include "dormscan/geneset.h"

static dorm_geneset_list_t l;
static dorm_err_t err;

static void setup(void) { dorm_geneset_list_init(&l); dorm_err_clear(&err); }
static void teardown(void) { dorm_geneset_list_destroy(&l); }

TestSuite(gmt, .init = setup, .fini = teardown);

static int parse(const char *text) { return dorm_gmt_parse(&l, text, strlen(text), "t.gmt", &err); }

Test(gmt, signed_suffixes_and_duplicates)
{
    cr_assert_eq(parse("\xEF\xBB\xBFSIG\tdesc\tA+\tB-\tC\t\tA+\r\n# comment\n\nOTHER\td\tX\n"), 0, "%s", err.msg);
    cr_assert_eq(l.n, 2);
    const dorm_geneset_t *s = dorm_geneset_find(&l, "SIG");
    cr_assert_not_null(s);
    cr_assert_eq(s->n_genes, 3);
    cr_assert_str_eq(s->genes[1], "B");
    cr_assert_eq(s->sign[0], 1);
    cr_assert_eq(s->sign[1], -1);
    cr_assert_eq(s->sign[2], 1);
    cr_assert_eq(l.n_sources, 1);
    cr_assert_eq(strlen(l.sources[0].sha256), 64);
}

Test(gmt, up_dn_pair_adds_signed_set)
{
    cr_assert_eq(parse("FOO_UP\td\tA\tB\nFOO_DN\td\tC\n"), 0, "%s", err.msg);
    cr_assert_eq(l.n, 3);
    const dorm_geneset_t *s = dorm_geneset_find(&l, "FOO");
    cr_assert_not_null(s);
    cr_assert_eq(s->n_genes, 3);
    cr_assert_str_eq(s->genes[2], "C");
    cr_assert_eq(s->sign[2], -1);
}

Test(gmt, errors)
{
    cr_assert_eq(parse("A\td\tX\nA\td\tY\n"), DORM_E_USAGE);
    cr_assert(strstr(err.msg, "t.gmt line 2: gene set A is defined twice"), "%s", err.msg);
    dorm_geneset_list_destroy(&l);
    dorm_geneset_list_init(&l);
    cr_assert_eq(parse("A\tonly description\n"), DORM_E_FORMAT);
    cr_assert(strstr(err.msg, "line 1"), "%s", err.msg);
    dorm_geneset_list_destroy(&l);
    dorm_geneset_list_init(&l);
    cr_assert_eq(parse("A\td\t\t\n"), DORM_E_FORMAT);
    cr_assert(strstr(err.msg, "has no genes"), "%s", err.msg);
}

Test(gmt, shipped_panel_loads)
{
    cr_assert_eq(dorm_panel_load(&l, "dormancy_panel", &err), 0, "%s", err.msg);
    const dorm_geneset_t *s = dorm_geneset_find(&l, "cc_s");
    cr_assert_not_null(s);
    cr_assert_eq(s->n_genes, 43);
    cr_assert_not_null(dorm_geneset_find(&l, "quiescence_up"));
    cr_assert_eq(dorm_panel_load(&l, "nope", &err), DORM_E_USAGE);
}

Test(gmt, matching_symbols_ids_and_versions)
{
    char *ids[] = {"ENSG0001.5", "ENSG0002", "X3", "ENSG0004"};
    char *names[] = {"TP53", "CDKN1A", "MYC", "TP53"};
    dorm_features_t f = {.n = 4, .ids = ids, .names = names};
    dorm_gene_index_t *ix;
    cr_assert_eq(dorm_gene_index_build(&ix, &f, 0, &err), 0);
    cr_assert_eq(dorm_gene_index_lookup(ix, "TP53"), 0); /* first duplicate wins */
    cr_assert_eq(dorm_gene_index_lookup(ix, "ENSG0002"), 1);
    cr_assert_eq(dorm_gene_index_lookup(ix, "ENSG0001"), 0);
    cr_assert_eq(dorm_gene_index_lookup(ix, "ENSG0002.9"), 1);
    cr_assert_eq(dorm_gene_index_lookup(ix, "myc"), -1);
    cr_assert_eq(parse("S\td\tMYC\tENSG0001\tTP53\tNOPE\tGONE-\n"), 0);
    dorm_match_t m;
    cr_assert_eq(dorm_match_set(&m, &l.sets[0], ix, NULL, DORM_SPECIES_HUMAN, &err), 0);
    cr_assert_eq(m.n_total, 4); /* ENSG0001 and TP53 are one feature */
    cr_assert_eq(m.n_found, 2);
    cr_assert_str_eq(m.missing[0], "NOPE");
    cr_assert_eq(m.n_missing_up, 1);
    cr_assert_eq(m.n_missing_down, 1);
    dorm_match_destroy(&m);
    dorm_gene_index_destroy(ix);
    dorm_gene_index_t *ci;
    cr_assert_eq(dorm_gene_index_build(&ci, &f, 1, &err), 0);
    cr_assert_eq(dorm_gene_index_lookup(ci, "myc"), 2);
    dorm_gene_index_destroy(ci);
}
