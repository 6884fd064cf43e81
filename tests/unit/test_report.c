/* Unit tests of the writers: atomic files, the cells table, JSON, SHA-256. */
#include <criterion/criterion.h>
#include <math.h>
#include <sys/stat.h>

#include "core/sha256.h"
#include "dormscan/json.h"
#include "dormscan/outfile.h"
#include "dormscan/summary.h"
#include "dormscan/tables.h"
#include "helpers.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(report, outfile_commit_and_abort)
{
    char *dir = tmpdir_new();
    dorm_outfile_t o;
    dorm_err_t err;
    cr_assert_eq(dorm_outfile_open(&o, dir, "a.tsv", 0, &err), 0);
    dorm_outfile_printf(&o, "x\t%d\n", 1);
    char final[4200];
    snprintf(final, sizeof final, "%s/a.tsv", dir);
    struct stat st;
    cr_assert_neq(stat(final, &st), 0, "nothing under the final name before commit");
    cr_assert_eq(dorm_outfile_commit(&o, &err), 0, "%s", err.msg);
    cr_assert_str_eq(read_all(final), "x\t1\n");
    cr_assert_eq(dorm_outfile_open(&o, dir, "b.tsv", 0, &err), 0);
    dorm_outfile_printf(&o, "partial");
    dorm_outfile_abort(&o);
    snprintf(final, sizeof final, "%s/b.tsv", dir);
    cr_assert_neq(stat(final, &st), 0);
    cr_assert_eq(dorm_outfile_open(&o, "/nonexistent-dir", "c.tsv", 0, &err), DORM_E_IO);
    rm_rf(dir);
    free(dir);
}

Test(report, cells_table_rows_and_json)
{
    char *dir = tmpdir_new();
    dorm_outfile_t o;
    dorm_err_t err;
    cr_assert_eq(dorm_outfile_open(&o, dir, "cells.tsv", 0, &err), 0);
    char *names[] = {"setA"};
    dorm_cells_write_header(&o, names, 1, 1);
    dorm_qc_t qc = {1234, 321, 2.5, NAN};
    double set[] = {0.125, 1.5, 0.0668072013, NAN}, fdr[] = {0.25};
    double ev[DORM_N_EVIDENCE] = {-1, 2, NAN, 0.5, 3};
    dorm_cell_row_t row = {"AAAC-1", "s1", &qc, set, fdr, ev, "G1", "quiescent", 1, 0.75};
    dorm_cells_write_row(&o, &row, 1);
    cr_assert_eq(dorm_outfile_commit(&o, &err), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/cells.tsv", dir);
    cr_assert_str_eq(read_all(path),
                     "barcode\tsample\tdorm_n_umi\tdorm_n_genes\tdorm_pct_mito\tdorm_pct_ribo"
                     "\tsetA\tsetA_z\tsetA_p\tsetA_fdr\tscore_cycling\tscore_quiescent"
                     "\tscore_diapause_like\tscore_senescent\tscore_sasp\tphase\tstate\tsasp"
                     "\tconfidence\n"
                     "AAAC-1\ts1\t1234\t321\t2.5\tNA\t0.125\t1.5\t0.0668072013\t0.25\t-1\t2\tNA"
                     "\t0.5\t3\tG1\tquiescent\tTRUE\t0.75\n");
    cr_assert_eq(dorm_outfile_open(&o, dir, "r.json", 0, &err), 0);
    dorm_json_t j;
    dorm_json_init(&j, &o);
    dorm_json_open(&j, NULL, '{');
    dorm_json_str(&j, "s", "a\"b\\c\n");
    dorm_json_open(&j, "l", '[');
    dorm_json_int(&j, NULL, 3);
    dorm_json_num(&j, NULL, NAN);
    dorm_json_close(&j, ']');
    dorm_json_bool(&j, "t", 1);
    dorm_json_close(&j, '}');
    cr_assert_eq(dorm_outfile_commit(&o, &err), 0);
    snprintf(path, sizeof path, "%s/r.json", dir);
    cr_assert_str_eq(read_all(path),
                     "{\n  \"s\": \"a\\\"b\\\\c\\u000a\",\n  \"l\": [\n    3,\n    null\n  ],\n  \"t\": true\n}\n");
    rm_rf(dir);
    free(dir);
}

Test(report, sha256_known_vectors)
{
    dorm_sha256_t h;
    char hex[65];
    dorm_sha256_init(&h);
    dorm_sha256_final_hex(&h, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    dorm_sha256_init(&h);
    const char *s = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    dorm_sha256_update(&h, s, strlen(s));
    dorm_sha256_final_hex(&h, hex);
    cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(report, summary_counts_exactly)
{
    char *dir = tmpdir_new();
    dorm_summary_t s, all;
    dorm_err_t err;
    cr_assert_eq(dorm_summary_init(&s, &err), 0);
    cr_assert_eq(dorm_summary_init(&all, &err), 0);
    double ev[DORM_N_EVIDENCE] = {1.5, NAN, 0, -2, 0.25};
    cr_assert_eq(dorm_summary_add(&s, "s1", "all", "all", DORM_STATE_QUIESCENT, 1, DORM_PHASE_G1, ev, &err), 0);
    cr_assert_eq(dorm_summary_add(&s, "s1", "all", "all", DORM_STATE_CYCLING, 0, DORM_PHASE_S, ev, &err), 0);
    cr_assert_eq(dorm_summary_add(&s, "s1", "cluster", "3", DORM_STATE_LOW_QUALITY, 0, DORM_N_PHASES, ev, &err), 0);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.rows[0].n_cells, 2);
    cr_assert_eq(s.rows[0].state[DORM_STATE_QUIESCENT], 1);
    cr_assert_eq(s.rows[0].evidence_micro[0], 3000000);
    cr_assert_eq(s.rows[1].evidence_n[0], 0, "low-quality cells add no evidence");
    dorm_outfile_t o;
    cr_assert_eq(dorm_outfile_open(&o, dir, "summary.tsv", 0, &err), 0);
    const dorm_summary_t *parts[] = {&s, &all};
    dorm_summary_write(&o, parts, 2);
    cr_assert_eq(dorm_outfile_commit(&o, &err), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/summary.tsv", dir);
    const char *text = read_all(path);
    const char *head = "sample\tgrouping\tgroup\tn_cells\tn_cycling\tfrac_cycling";
    cr_assert(strncmp(text, head, strlen(head)) == 0, "%s", text);
    cr_assert(strstr(text, "\ns1\tall\tall\t2\t1\t0.5\t1\t0.5\t"), "%s", text);
    dorm_summary_destroy(&s);
    dorm_summary_destroy(&all);
    rm_rf(dir);
    free(dir);
}

/* dorm_fmt_double must print exactly what printf's "%.10g" prints. */
Test(report, fmt_double_equals_printf)
{
    static const double fixed[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-5, 1e-4, 0.0001234567891,
                                   9999999999.5, 9999999999.4, 999999999.95, 1e10, 1e-300,
                                   5e-324, 1.7976931348623157e308, 123456789012345.0, 0.1, 0.3,
                                   2.5, 1e15, 1e16, 12.5, 1.0 / 3.0, 2.0 / 3.0, 1e22, 1e-13,
                                   4.605353009504e-308, 1e-200, 9.999999999e-100, 1e300};
    char mine[32], ref[32];
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        snprintf(ref, sizeof ref, "%.10g", fixed[i]);
        cr_assert_str_eq(dorm_fmt_double(fixed[i], mine), ref, "value %.17g", fixed[i]);
    }
    cr_assert_str_eq(dorm_fmt_double(NAN, mine), "NA");
    cr_assert_str_eq(dorm_fmt_double(INFINITY, mine), "inf");
    /* Random doubles over every magnitude the tables hold, and round decimals. */
    uint64_t s = 88172645463325252u;
    for (int i = 0; i < 2000000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = (double)(s >> 11) * 0x1.0p-53, v;
        switch (i % 4) {
        case 0: v = (u - 0.5) * pow(10.0, (double)(int)(s % 40) - 15); break;
        case 1: v = round(u * 1e6) / pow(10.0, (double)(s % 8)); break; /* few digits */
        case 2: v = (double)(s % 100000); break;                          /* counts */
        default: v = u * 1e-3; break;                                     /* small p-values */
        }
        snprintf(ref, sizeof ref, "%.10g", v);
        cr_assert_str_eq(dorm_fmt_double(v, mine), ref, "value %.17g", v);
    }
    /* Any bit pattern: every exponent, subnormals included. */
    for (int i = 0; i < 1000000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double v;
        memcpy(&v, &s, sizeof v);
        if (!isfinite(v))
            continue;
        snprintf(ref, sizeof ref, "%.10g", v);
        cr_assert_str_eq(dorm_fmt_double(v, mine), ref, "value %.17g", v);
    }
}
