"""dormscan merge: shards finish into the unsharded table; separate runs
combine into the joint run's summary; MultiQC files."""
import json
import os
import shutil
import subprocess

from common import EXAMPLE, expect, finish, read_table, read_text, run, tmpdir, write_text

base = tmpdir()
ex2 = os.path.join(base, 'example2')
shutil.copytree(EXAMPLE, ex2)
groups = os.path.join(base, 'groups.tsv')
barcodes = read_text(os.path.join(EXAMPLE, 'barcodes.tsv.gz')).split()
write_text(groups, 'barcode\tbatch\n' + ''.join('%s\tb%d\n' % (b, i % 3) for i, b in enumerate(barcodes)))


def same(a, b, what):
    expect(read_text(a) == read_text(b), '%s: %s and %s differ' % (what, a, b))


# Shards of one run finish into exactly the unsharded outputs (with small
# chunks, a shard stores and scores only the chunks holding its cells).
for extra, label in (([], 'ucell'), (['--method', 'module', '--gzip'], 'module_gz'),
                     (['-@', '2', '--chunk-cells', '4'], 'ucell_small_chunks'),
                     (['--method', 'module', '--chunk-cells', '7'], 'module_small_chunks')):
    full = os.path.join(base, 'full_' + label)
    run('score', EXAMPLE, ex2, '-o', full, '--groups', groups, '-q', *extra, check=0)
    shard_dirs = []
    for k in (2, 1, 3):  # any order
        d = os.path.join(base, '%s_shard%d' % (label, k))
        run('score', EXAMPLE, ex2, '-o', d, '--groups', groups, '--shard', '%d/3' % k, '-q', *extra,
            check=0)
        expect(os.path.exists(os.path.join(d, 'shard.bin')) and
               not os.path.exists(os.path.join(d, 'cells.tsv')), 'a shard writes shard.bin only')
        shard_dirs.append(d)
    m = os.path.join(base, 'merged_' + label)
    # (--groups given again, or carried from the shards)
    run('merge', *shard_dirs, '-o', m, *(['--groups', groups] if label == 'ucell' else []), check=0)
    cells = 'cells.tsv.gz' if '--gzip' in extra else 'cells.tsv'
    same(os.path.join(m, cells), os.path.join(full, cells), label + ' cells')
    same(os.path.join(m, 'summary.tsv'), os.path.join(full, 'summary.tsv'), label + ' summary')
    same(os.path.join(m, 'dormscan_mqc.tsv'), os.path.join(full, 'dormscan_mqc.tsv'), label + ' mqc')
code, _, err = run('merge', *shard_dirs[:2], '-o', os.path.join(base, 'bad'))
expect(code == 2 and '2 shard directories given, but the run has 3 shards' in err, 'missing shard: %s' % err)
code, _, err = run('merge', shard_dirs[0], shard_dirs[0], shard_dirs[1], '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'given twice' in err, 'duplicate shard: %s' % err)
mj = json.load(open(os.path.join(m, 'run.json')))
expect(mj['groups']['path'] == groups and len(mj['groups']['sha256']) == 64
       and mj['groups'] == mj['shard_run']['groups'], 'the merge records the groups: %s' % mj.get('groups'))

# Shards scored with different --groups files are refused; so is a groups
# file changed since the shards were scored (unless merge is given one).
groups2 = os.path.join(base, 'groups2.tsv')
write_text(groups2, 'barcode\tbatch\n' + ''.join('%s\tb%d\n' % (b, i % 2) for i, b in enumerate(barcodes)))
odd = os.path.join(base, 'odd_shard3')
run('score', EXAMPLE, ex2, '-o', odd, '--groups', groups2, '--shard', '3/3', '-q', '--method', 'module',
    '--chunk-cells', '7', check=0)
code, _, err = run('merge', shard_dirs[0], shard_dirs[1], odd, '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'different --groups files' in err, 'shards with other groups: %s' % err)
moved = os.path.join(base, 'groups_moved.tsv')
os.rename(groups, moved)
write_text(groups, read_text(moved).replace('\tb2\n', '\tb9\n'))
code, _, err = run('merge', *shard_dirs, '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'has changed since the shards were scored' in err, 'changed groups: %s' % err)
os.unlink(groups)
code, _, err = run('merge', *shard_dirs, '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'cannot be read here' in err, 'missing groups: %s' % err)
run('merge', *shard_dirs, '-o', os.path.join(base, 'regrouped'), '--groups', moved, check=0)
os.rename(moved, groups)
expect(not os.path.exists(os.path.join(base, 'bad', 'cells.tsv')), 'refused merges write nothing')

code, _, err = run('score', EXAMPLE, '-o', os.path.join(base, 'bad'), '--shard', '4/3')
expect(code == 2 and '--shard' in err, 'bad --shard: %s' % err)

# Separate runs against the cohort's reference combine into the summary of
# one joint run (whose default reference is the same pooled cells).
joint = os.path.join(base, 'joint')
sheet = os.path.join(base, 'sheet.tsv')
write_text(sheet, 'A\t%s\nB\t%s\n' % (EXAMPLE, ex2))
run('score', '--samples', sheet, '-o', joint, '--groups', groups, '-q', check=0)
cohort_ref = os.path.join(base, 'cohort.ref')
run('reference', '--samples', sheet, '-o', cohort_ref, '-q', check=0)
a, b = os.path.join(base, 'A'), os.path.join(base, 'B')
run('score', EXAMPLE, '--sample', 'A', '-o', a, '--groups', groups, '-q', '--reference', cohort_ref,
    check=0)
run('score', ex2, '--sample', 'B', '-o', b, '--groups', groups, '-q', '--reference', cohort_ref,
    check=0)
cohort = os.path.join(base, 'cohort')
run('merge', a, b, '-o', cohort, check=0)
same(os.path.join(cohort, 'cohort_summary.tsv'), os.path.join(joint, 'summary.tsv'), 'cohort summary')
page = read_text(os.path.join(cohort, 'report.html')) if os.path.exists(
    os.path.join(cohort, 'report.html')) else ''
expect('<h1>dormscan report</h1>' in page and a in page and b in page
       and 'A \u2014 cycling: ' in page and 'B \u2014 cycling: ' in page,
       'the cohort report has a bar per sample and names the runs')
own = os.path.join(base, 'B_own')
run('score', ex2, '--sample', 'B', '-o', own, '-q', '--min-genes', '100', check=0)
code, _, err = run('merge', a, own, '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'different references' in err, 'runs against different references: %s' % err)
h, rows = read_table(os.path.join(cohort, 'cohort_summary.tsv'))
expect([r[0] for r in rows].count('all') == 4, "rows over all samples: all plus three batches")
code, _, err = run('merge', a, a, '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'also in an earlier input' in err, 'a sample twice: %s' % err)
code, _, err = run('merge', a, shard_dirs[0], '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'not both' in err, 'mixed inputs: %s' % err)
code, _, err = run('merge', base, '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'not a dormscan output' in err, 'not an output: %s' % err)
code, _, err = run('score', EXAMPLE, '--sample', 'all', '-o', os.path.join(base, 'bad'))
expect(code == 2 and 'reserved' in err, "sample 'all' is reserved: %s" % err)

# MultiQC custom content.
mqc = read_text(os.path.join(joint, 'dormscan_mqc.tsv')).splitlines()
bars = [l.split('\t') for l in mqc if l.startswith(('A\t', 'B\t'))]
expect("# plot_type: 'bargraph'" in mqc and len(bars) == 2 and
       all(len(r) == 8 and sum(map(int, r[1:])) == 150 for r in bars),
       'bargraph of states per sample: %s' % mqc[-3:])
gs = read_text(os.path.join(joint, 'dormscan_general_stats_mqc.tsv'))
expect("# plot_type: 'generalstats'" in gs and 'dormscan_pct_senescent' in gs, 'general stats table')
multiqc = shutil.which('multiqc')
if multiqc:
    out = os.path.join(base, 'multiqc')
    p = subprocess.run([multiqc, '--no-ansi', '-q', '-f', '-o', out, joint], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    report = os.path.join(out, 'multiqc_report.html')
    expect(p.returncode == 0 and os.path.exists(report), 'multiqc runs: %s' % p.stderr[-400:])
    if os.path.exists(report):
        html = read_text(report)
        expect('dormscan_states' in html and 'dormscan: cell states' in html,
               'the MultiQC report has the dormscan section')
else:
    print('multiqc is not installed: MultiQC rendering not checked')
finish()
