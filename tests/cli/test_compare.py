"""dormscan compare: propeller's results on every shared reference case
(../shared/reference/propeller, made with speckle 0.99.7 and limma 3.54.1)
to 1e-6; score and merge folders as inputs, cell types, evidence; the
NA path; errors with their exit status, message and no output left."""
import os

from common import EXAMPLE, SHARED, expect, finish, read_table, run, tmpdir, write_text

REF = os.path.join(SHARED, 'reference', 'propeller')
TOL = 1e-6  # an exact reproduction of a peer (STYLE.md); the tables hold 10 digits
base = tmpdir()


def table(path):
    head, rows = read_table(path)
    return {r[0]: dict(zip(head, r)) for r in rows}, head


def relabel(src, dest, sample, state):
    """A cells table (barcode, sample, state) from a shared input's columns,
    and a sheet of its samples' group column."""
    head, rows = read_table(src)
    i_s, i_k, i_g = head.index(sample), head.index(state), head.index('group')
    write_text(dest, 'barcode\tsample\tstate\n' +
               ''.join('%s\t%s\t%s\n' % (r[0], r[i_s], r[i_k]) for r in rows))
    groups = {r[i_s]: r[i_g] for r in rows}
    write_text(dest + '.sheet', 'sample\tcondition\n' +
               ''.join('%s\t%s\n' % kv for kv in sorted(groups.items())))
    return dest, dest + '.sheet'


def check_case(name, args, ref, stat):
    out = os.path.join(base, name)
    code, _, err = run('compare', *args, '-o', out)
    if not expect(code == 0, '%s: exit %d: %s' % (name, code, err)):
        return
    mine, _ = table(os.path.join(out, 'compare.tsv'))
    theirs, head = table(os.path.join(REF, ref))
    expect(set(mine) == set(theirs), '%s: states %s, R has %s' % (name, sorted(mine), sorted(theirs)))
    pairs = [(stat, 'statistic'), ('P.Value', 'p_value'), ('FDR', 'fdr')]
    pairs += [('PropRatio', 'prop_ratio')] if 'PropRatio' in head else []
    pairs += [(k, 'prop_' + k[len('PropMean.'):].replace('condition', '', 1))
              for k in head if k.startswith('PropMean.')]
    worst = 0
    for state, row in theirs.items():
        for r_col, col in pairs:
            d = abs(float(row[r_col]) - float(mine.get(state, {}).get(col, 'nan')))
            worst = max(worst, d) if d == d else float('inf')
            expect(d <= TOL, '%s %s %s: %s, R %s' % (name, state, col, mine.get(state, {}).get(col),
                                                     row[r_col]))
        expect(mine[state]['test'] == ('moderated_F' if stat == 'Fstatistic' else 'moderated_t'),
               '%s: test column %s' % (name, mine[state]['test']))
    print('%s: %d states, max abs difference from R %.3g' % (name, len(theirs), worst))


if os.path.isdir(REF):
    cells, sheet = os.path.join(REF, 'cells.tsv'), os.path.join(REF, 'samples.tsv')
    b_cells, b_sheet = relabel(os.path.join(REF, 'example_cells.tsv'), os.path.join(base, 'b.tsv'),
                               'samples', 'clusters')
    c_cells, c_sheet = relabel(os.path.join(REF, 'caseC_cells.tsv'), os.path.join(base, 'c.tsv'),
                               'sample', 'cluster')
    for name, args, ref, stat in (
            ('A_logit', [cells, '--design', sheet], 'caseA_propeller_logit.tsv', 'Tstatistic'),
            ('A_asin', [cells, '--design', sheet, '--transform', 'asin'],
             'caseA_propeller_asin.tsv', 'Tstatistic'),
            ('A_paired', [cells, '--design', sheet, '--covariate', 'patient', '--contrast',
                          'post-pre'], 'caseA_paired_logit.tsv', 'Tstatistic'),
            ('A_3groups', [cells, '--design', os.path.join(REF, 'samples_3groups.tsv'),
                           '--condition', 'group3'], 'caseA_3groups_logit.tsv', 'Fstatistic'),
            ('B_logit', [b_cells, '--design', b_sheet], 'caseB_propeller_logit.tsv', 'Tstatistic'),
            ('B_asin', [b_cells, '--design', b_sheet, '--transform', 'asin'],
             'caseB_propeller_asin.tsv', 'Tstatistic'),
            ('C_logit_robust', [c_cells, '--design', c_sheet], 'caseC_propeller_logit.tsv',
             'Tstatistic')):
        check_case(name, args, ref, stat)
    # the reversed contrast flips the sign only
    out = os.path.join(base, 'reversed')
    run('compare', cells, '--design', sheet, '--contrast', 'pre-post', '-o', out, check=0)
    rev, _ = table(os.path.join(out, 'compare.tsv'))
    fwd, _ = table(os.path.join(base, 'A_logit', 'compare.tsv'))
    expect(all(abs(float(rev[s]['statistic']) + float(fwd[s]['statistic'])) < 1e-9 and
               rev[s]['p_value'] == fwd[s]['p_value'] for s in fwd), 'pre-post flips t only')

    # Fewer than two samples in a condition: proportions, p-values NA, exit 0.
    head, rows = read_table(cells)
    keep = {'P1_pre', 'P2_pre', 'P1_post'}
    few = os.path.join(base, 'few.tsv')
    write_text(few, '\t'.join(head) + '\n' + ''.join('\t'.join(r) + '\n' for r in rows
                                                     if r[1] in keep))
    write_text(few + '.sheet', 'sample\tcondition\nP1_pre\tpre\nP2_pre\tpre\nP1_post\tpost\n')
    out = os.path.join(base, 'few')
    code, _, err = run('compare', few, '--design', few + '.sheet', '-o', out)
    expect(code == 0, 'one sample in a condition: exit 0, not %d' % code)
    expect(err.count('\n') == 1 and "condition 'post' has 1 sample" in err,
           'one line naming the thin condition, not %r' % err)
    got, _ = table(os.path.join(out, 'compare.tsv'))
    expect(got and all(r['p_value'] == 'NA' and r['fdr'] == 'NA' and r['test'] == 'none' and
                       r['prop_post'] != 'NA' for r in got.values()), 'NA p-values, proportions kept')

    # Errors: exit status, one line naming the cause, nothing written.
    write_text(os.path.join(base, 'empty.tsv'), '')
    write_text(os.path.join(base, 'bad.tsv'), 'barcode\tsample\tstate\tscore_quiescent\n'
               'a\tP1_pre\tcycling\t0.5\nb\tP1_pre\tcycling\thigh\n')
    write_text(os.path.join(base, 'nostate.tsv'), 'barcode\tsample\nA\tP1_pre\n')
    write_text(os.path.join(base, 'dup.tsv'), 'sample\tcondition\nP1_pre\tpre\nP1_pre\tpost\n')
    write_text(os.path.join(base, 'short.tsv'), 'sample\tcondition\nP1_pre\tpre\nP1_post\tpost\n')
    for args, status, words in (
            ([os.path.join(base, 'empty.tsv'), '--design', sheet], 1, 'empty.tsv: empty file'),
            ([os.path.join(base, 'bad.tsv'), '--design', sheet], 1, "bad.tsv line 3: score_quiescent is 'high'"),
            ([os.path.join(base, 'nostate.tsv'), '--design', sheet], 1, "nostate.tsv line 1: no 'state' column"),
            ([cells, '--design', os.path.join(base, 'dup.tsv')], 1, "dup.tsv line 3: sample 'P1_pre' listed twice"),
            ([cells, cells, '--design', sheet], 1, 'duplicate sample'),
            ([cells, '--design', os.path.join(base, 'short.tsv')], 2, "is not in the design sheet short.tsv"),
            ([few, '--design', sheet], 2, "sample 'P2_post' of the design sheet samples.tsv has no run"),
            ([cells, '--design', sheet, '--contrast', 'post-relapse'], 2, "unknown condition level"),
            ([cells, '--design', sheet, '--condition', 'arm'], 2, "no column 'arm'"),
            ([cells, '--design', sheet, '--covariate', 'batch'], 2, "--covariate 'batch'"),
            ([cells, '--design', sheet, '--transform', 'log'], 2, 'logit or asin'),
            ([cells, '-o', os.path.join(base, 'x')], 2, '--design is required')):
        out = os.path.join(base, 'err_out')
        code, _, err = run('compare', *args, *(['-o', out] if '-o' not in args else []))
        expect(code == status and err.count('\n') == 1 and words in err,
               'compare %s: exit %d (expected %d), stderr %r' % (args[1:], code, status, err))
        expect(not os.path.exists(out) or not os.listdir(out), 'no output left after %r' % err)
else:
    print('SKIP the propeller reference cases: %s is absent' % REF)

# Score folders as inputs: four samples of the example, different cells in
# each, one reference; the SASP row, the evidence and per-type tables.
ref_file = os.path.join(base, 'example.ref')
run('reference', EXAMPLE, '-o', ref_file, '-q', check=0)
head, rows = read_table(os.path.join(EXAMPLE, 'labels.tsv'))
runs = []
for k in range(4):
    keep = os.path.join(base, 'keep%d.txt' % k)
    # (a different share of each group dropped in each sample)
    write_text(keep, ''.join(r[0] + '\n' for i, r in enumerate(rows) if (i * (k + 3)) % 11 >= k + 1))
    d = os.path.join(base, 'run%d' % k)
    run('score', EXAMPLE, '--sample', 's%d' % k, '--cells', keep, '--reference', ref_file,
        '--groups', os.path.join(EXAMPLE, 'labels.tsv'), '-o', d, '-q', check=0)
    runs.append(d)
design = os.path.join(base, 'design.tsv')
write_text(design, 'sample\tcondition\tpatient\ns0\tpre\tp1\ns1\tpost\tp1\ns2\tpre\tp2\ns3\tpost\tp2\n')
out = os.path.join(base, 'from_runs')
code, _, err = run('compare', *runs, '--design', design, '--covariate', 'patient', '--groupby',
                   'group', '-o', out)
expect(code == 0 and err == '', 'compare of score folders: exit %d, %r' % (code, err))
got, head = table(os.path.join(out, 'compare.tsv'))
expect(head == ['state', 'prop_post', 'prop_pre', 'prop_ratio', 'statistic', 'p_value', 'fdr', 'test'],
       'compare.tsv header %s' % head)
expect('sasp' in got and len(got) == 6, 'five states and the sasp row: %s' % sorted(got))
ev, _ = table(os.path.join(out, 'compare_evidence.tsv'))
expect(sorted(ev) == ['cycling', 'diapause_like', 'quiescent', 'sasp', 'senescent'],
       'one evidence row per programme: %s' % sorted(ev))
grp_head, grp = read_table(os.path.join(out, 'compare_groups.tsv'))
expect(grp_head[0] == 'group' and {r[0] for r in grp} == {'cycling', 'quiescent', 'diapause',
                                                          'senescent', 'background'},
       'per-type rows: %s' % sorted({r[0] for r in grp}))
for name in ('compare.html', 'dormscan_compare_mqc.tsv'):
    expect(os.path.exists(os.path.join(out, name)), name + ' written')
expect(not [f for f in os.listdir(out) if 'dormscan-tmp' in f], 'no temporaries left')
# The same cells as cells tables (each run's cells.tsv), their types from
# --groups: the per-type tables equal the score folders' (same counts).
labels = os.path.join(EXAMPLE, 'labels.tsv')
tables = [os.path.join(d, 'cells.tsv') for d in runs]
out_t = os.path.join(base, 'from_tables')
code, _, err = run('compare', *tables, '--design', design, '--covariate', 'patient', '--groupby',
                   'group', '--groups', labels, '-o', out_t)
expect(code == 0, 'compare of cells tables with --groups: exit %d, %r' % (code, err))
if code == 0:
    expect(read_table(os.path.join(out_t, 'compare_groups.tsv')) ==
           read_table(os.path.join(out, 'compare_groups.tsv')),
           'compare_groups.tsv from cells tables and --groups = from the score folders')
    mine, _ = table(os.path.join(out_t, 'compare.tsv'))
    expect(all(mine[k] == got[k] for k in got if k != 'sasp'),
           'compare.tsv from cells tables = from the score folders')
for args, status, words in (
        (['--groups', labels], 2, '--groups needs --groupby'),
        (['--groups', labels, '--groupby', 'nope'], 2, "no column 'nope'"),
        (['--groups', labels, '--groupby', 'group', runs[0]], 2, 'scored with')):
    err_out = os.path.join(base, 'groups_err')
    code, _, err = run('compare', *tables, *args, '--design', design, '-o', err_out)
    expect(code == status and words in err and err.count('\n') == 1,
           'compare %s: exit %d, %r' % (args, code, err))
    expect(not os.path.exists(err_out) or not os.listdir(err_out), 'no output after %r' % err)
# runs of different references: a warning, the comparison still made
alone = os.path.join(base, 'run_alone')
run('score', EXAMPLE, '--sample', 's3', '--cells', os.path.join(base, 'keep3.txt'), '-o', alone,
    '-q', check=0)
code, _, err = run('compare', *runs[:3], alone, '--design', design, '-o', os.path.join(base, 'mixed'))
expect(code == 0 and 'different references' in err, 'mixed references: exit %d, %r' % (code, err))

finish()
