"""The fixed frame of reference: `dormscan reference`, `score --reference`,
cell-type baselines, unscored cells, bad reference files, and (with
../shared) the checks of the issue on labelled data."""
import gzip
import json
import os

from common import (EXAMPLE, SHARED, expect, finish, mtx_parts, outputs_left, read_table, read_text,
                    run, tmpdir, write_text)

base = tmpdir()
labels = dict(l.split('\t') for l in read_text(os.path.join(EXAMPLE, 'labels.tsv')).split('\n')[1:] if l)


def cells_of(outdir):
    return read_table(os.path.join(outdir, 'cells.tsv'))


def one_error_line(code, err, want_code, *words):
    lines = err.strip('\n').split('\n')
    return code == want_code and len(lines) == 1 and all(w in err for w in words)


# A reference of the example's own cells equals the default run's frame.
ref = os.path.join(base, 'example.ref')
code, _, err = run('reference', EXAMPLE, '-o', ref)
expect(code == 0 and err == '', 'reference of the example: %d %s' % (code, err))
text = read_text(ref).split('\n')
expect(text[0] == 'dormscan-reference\t1', 'versioned first line: %s' % text[0])
expect('population\tall\t150' in text, 'every example cell is a reference cell')
expect(sum(l.startswith('baseline\tall\t') for l in text) == 5, 'five programme baselines')
expect(sum(l.startswith('component\tall\t') for l in text) == 22, 'a baseline per component')
d0, d1 = os.path.join(base, 'default'), os.path.join(base, 'with_ref')
run('score', EXAMPLE, '-o', d0, check=0)
run('score', EXAMPLE, '--reference', ref, '-o', d1, check=0)
expect(read_text(os.path.join(d0, 'cells.tsv')) == read_text(os.path.join(d1, 'cells.tsv')),
       'score against a reference of its own cells equals the default run, byte for byte')
meta0 = json.load(open(os.path.join(d0, 'run.json')))
meta1 = json.load(open(os.path.join(d1, 'run.json')))
expect(meta0['reference_id'] == meta1['reference_id'] and len(meta0['reference_id']) == 64,
       'the same reference has the same id in run.json')
expect(meta1['reference']['source'] == 'file' and meta1['reference']['path'] == ref and
       meta1['reference']['populations'] == [{'name': 'all', 'cells': 150}],
       'run.json describes the reference: %s' % meta1['reference'])
expect('Frame of reference' in read_text(os.path.join(d1, 'report.html')), 'the report names it')

# A reference of gzip-compressed text reads the same.
refgz = ref + '.gz'
with gzip.open(refgz, 'wt') as f:
    f.write(read_text(ref))
d2 = os.path.join(base, 'with_refgz')
run('score', EXAMPLE, '--reference', refgz, '-o', d2, check=0)
expect(read_text(os.path.join(d2, 'cells.tsv')) == read_text(os.path.join(d1, 'cells.tsv')),
       'a gzip-compressed reference gives the same table')

# Cell types: a baseline per type; a type with too few reference cells is unscored.
groups = os.path.join(base, 'groups.tsv')
kind = {b: ('tumour' if g != 'background' else 'stroma') for b, g in labels.items()}
lonely = sorted(b for b, g in labels.items() if g == 'background')[0]
kind[lonely] = 'rare'
write_text(groups, 'barcode\tcelltype\n' + ''.join('%s\t%s\n' % kv for kv in kind.items()))
tref = os.path.join(base, 'types.ref')
run('reference', EXAMPLE, '--groups', groups, '--celltype', 'celltype', '-o', tref, check=0)
pops = [l.split('\t') for l in read_text(tref).split('\n') if l.startswith('population\t')]
expect(pops[0][1:] == ['all', '150'] and {p[1]: int(p[2]) for p in pops[1:]} ==
       {'tumour': 120, 'stroma': 29, 'rare': 1}, 'populations per type: %s' % pops)
dt = os.path.join(base, 'types_out')
code, _, err = run('score', EXAMPLE, '--groups', groups, '--celltype', 'celltype', '--reference',
                   tref, '-o', dt)
h, rows = cells_of(dt)
state = {r[0]: r[h.index('state')] for r in rows}
expect(code == 0 and state[lonely] == 'unscored' and
       sum(s == 'unscored' for s in state.values()) == 1,
       'the one cell of a type with one reference cell is unscored')
expect(err.count('cells unscored') == 1 and 'rare (1)' in err, 'one warning names the type: %s' % err)
expect(all(r[h.index('score_senescent')] == 'NA' for r in rows if r[0] == lonely),
       'an unscored cell has no evidence')
sh, srows = read_table(os.path.join(dt, 'summary.tsv'))
expect('n_unscored' in sh and any(r[sh.index('n_unscored')] == '1' for r in srows),
       'summary.tsv counts unscored cells')
dt1 = os.path.join(base, 'types_min1')
run('score', EXAMPLE, '--groups', groups, '--celltype', 'celltype', '--reference', tref,
    '--min-reference-cells', '1', '-o', dt1, check=0)
expect(all(r[h.index('state')] != 'unscored' for r in cells_of(dt1)[1]),
       '--min-reference-cells 1 scores it')
# the default run with --celltype makes the same reference from its own cells
dd = os.path.join(base, 'types_default')
run('score', EXAMPLE, '--groups', groups, '--celltype', 'celltype', '-o', dd, '-q', check=0)
expect(read_text(os.path.join(dd, 'cells.tsv')) == read_text(os.path.join(dt, 'cells.tsv')),
       'with --celltype, the default run equals a run against the reference of its cells')
# stroma cells are judged against the 29 stroma cells alone, so the 90
# arrested tumour cells do not make them look different; a few of 29 reach
# a call against a baseline that small
stroma = [r for r in rows if kind[r[0]] == 'stroma']
n_nc = sum(r[h.index('state')] == 'non_cycling' for r in stroma)
expect(n_nc >= 25, 'stroma cells against the stroma baseline: %d/29 non_cycling' % n_nc)
code, _, err = run('score', EXAMPLE, '--reference', tref, '-o', os.path.join(base, 'x'))
expect(one_error_line(code, err, 2, '--celltype celltype'), 'a typed reference needs --celltype: %s' % err)
code, _, err = run('score', EXAMPLE, '--groups', groups, '--celltype', 'celltype', '--reference', ref,
                   '-o', os.path.join(base, 'x'))
expect(one_error_line(code, err, 2, 'no cell-type populations'), 'and an untyped one refuses it: %s' % err)
code, _, err = run('score', EXAMPLE, '--groups', groups, '--celltype', 'nope', '-o', os.path.join(base, 'x'))
expect(code == 2 and '--celltype' in err, 'an unknown --celltype column: %s' % err)

# Usage of the subcommand.
code, out, _ = run('reference', '--help')
expect(code == 0 and 'Usage: dormscan reference' in out, 'reference --help')
code, _, err = run('reference', EXAMPLE, '--gmt', ref, '-o', os.path.join(base, 'x.ref'))
expect(one_error_line(code, err, 2, '--gmt', 'not of reference'), 'score-only option: %s' % err)
code, _, err = run('reference', EXAMPLE)
expect(one_error_line(code, err, 2, '-o/--output'), 'reference needs -o: %s' % err)
none = os.path.join(base, 'none.ref')
code, _, err = run('reference', EXAMPLE, '--min-genes', '1000000', '-o', none)
expect(one_error_line(code, err, 1, 'no reference cells') and not os.path.exists(none),
       'no reference cells is an error, and no file: %s' % err)

# --baseline: the run's own reference from its baseline cells equals a
# reference file made from the same cells; by a --groups column in one
# input, and by sample name across inputs.
labels_path = os.path.join(EXAMPLE, 'labels.tsv')
bg_list = os.path.join(base, 'bg_cells.txt')
write_text(bg_list, ''.join(b + '\n' for b, g in labels.items() if g.strip() == 'background'))
bg_ref = os.path.join(base, 'bg_only.ref')
run('reference', EXAMPLE, '--cells', bg_list, '-o', bg_ref, check=0)
by_file, by_baseline = os.path.join(base, 'bg_file'), os.path.join(base, 'bg_baseline')
run('score', EXAMPLE, '--reference', bg_ref, '-o', by_file, '-q', check=0)
run('score', EXAMPLE, '--groups', labels_path, '--baseline', 'group=background', '-o', by_baseline,
    '-q', check=0)
expect(read_text(os.path.join(by_file, 'cells.tsv')) == read_text(os.path.join(by_baseline, 'cells.tsv')),
       '--baseline group=background: the same table as a reference file of those cells')
meta = json.load(open(os.path.join(by_baseline, 'run.json')))
expect('--baseline' in meta['reference']['source'] and 'group=background' in meta['reference']['built_from'],
       '--baseline in run.json: %s' % meta['reference'])
sheet = os.path.join(base, 'two_samples.tsv')
write_text(sheet, 'young\t%s\nold\t%s\n' % (EXAMPLE, EXAMPLE))
young_ref = os.path.join(base, 'young.ref')
run('reference', EXAMPLE, '-o', young_ref, check=0)
two_file, two_baseline = os.path.join(base, 'two_file'), os.path.join(base, 'two_baseline')
run('score', '--samples', sheet, '--reference', young_ref, '-o', two_file, '-q', check=0)
run('score', '--samples', sheet, '--baseline', 'sample=young', '-o', two_baseline, '-q', check=0)
expect(read_text(os.path.join(two_file, 'cells.tsv')) == read_text(os.path.join(two_baseline, 'cells.tsv')),
       '--baseline sample=young: the same table as a reference file of that input')
code, _, err = run('score', EXAMPLE, '--groups', labels_path, '--baseline', 'group=nothing', '-o',
                   os.path.join(base, 'bl_none'))
expect(one_error_line(code, err, 1, '--baseline group=nothing', 'no cell') and
       not outputs_left(os.path.join(base, 'bl_none')), 'a baseline of no cell: %s' % err)
code, _, err = run('score', EXAMPLE, '--baseline', 'group=background', '-o', os.path.join(base, 'x'))
expect(one_error_line(code, err, 2, '--baseline', '--groups'), '--baseline needs --groups: %s' % err)
code, _, err = run('score', EXAMPLE, '--reference', bg_ref, '--baseline', 'sample=x', '-o',
                   os.path.join(base, 'x'))
expect(one_error_line(code, err, 2, '--baseline', '--reference'), 'not with --reference: %s' % err)
code, _, err = run('reference', EXAMPLE, '--baseline', 'sample=x', '-o', os.path.join(base, 'x.ref'))
expect(code == 2 and '--baseline' in err, 'reference has --keep, not --baseline: %s' % err)

# Inputs whose features differ: a reference over both (fewer classifier
# genes in the first), and repeated feature ids and names.
head, size, entries, features, barcodes = mtx_parts(EXAMPLE)
feat_lines = features.splitlines()
drop = {i for i, l in enumerate(feat_lines) if l.split('\t')[1] in ('CDKN1A', 'CDKN2A', 'LMNB1', 'CDKN1B')}
keep_rows = [i for i in range(len(feat_lines)) if i not in drop]
new_index = {old: new for new, old in enumerate(keep_rows)}
reduced_entries = ['%d %s' % (new_index[int(e.split()[0]) - 1] + 1, ' '.join(e.split()[1:]))
                   for e in entries if int(e.split()[0]) - 1 in new_index]
reduced = os.path.join(base, 'reduced')
write_text(os.path.join(reduced, 'matrix.mtx.gz'), '\n'.join(head + ['%d %s %d' % (
    len(keep_rows), size.split()[1], len(reduced_entries))] + reduced_entries) + '\n', gz=True)
write_text(os.path.join(reduced, 'features.tsv.gz'), ''.join(feat_lines[i] + '\n' for i in keep_rows), gz=True)
write_text(os.path.join(reduced, 'barcodes.tsv.gz'), barcodes, gz=True)
code, _, err = run('reference', reduced, EXAMPLE, '-o', os.path.join(base, 'mixed.ref'))
expect(code == 0, 'a reference over inputs of different gene coverage: %s' % err)
dup = os.path.join(base, 'dup')
dup_feats = list(feat_lines)
dup_feats[101] = dup_feats[100]  # the same id and name twice
write_text(os.path.join(dup, 'matrix.mtx.gz'), '\n'.join(head + [size] + entries) + '\n', gz=True)
write_text(os.path.join(dup, 'features.tsv.gz'), '\n'.join(dup_feats) + '\n', gz=True)
write_text(os.path.join(dup, 'barcodes.tsv.gz'), barcodes, gz=True)
dup_ref = os.path.join(base, 'dup.ref')
run('reference', dup, '-o', dup_ref, check=0)
twice = [l for l in read_text(dup_ref).split('\n') if l.startswith(dup_feats[100].split('\t')[0] + '\t')]
expect(len(twice) == 2 and twice[0] != twice[1], 'a repeated id and name stays two genes: %s' % twice)
o1, o2 = os.path.join(base, 'dup_own'), os.path.join(base, 'dup_file')
run('score', dup, '-o', o1, '-q', check=0)
run('score', dup, '--reference', dup_ref, '-o', o2, '-q', check=0)
expect(read_text(os.path.join(o1, 'cells.tsv')) == read_text(os.path.join(o2, 'cells.tsv')),
       'repeated features: the default run equals the run against its reference')
all_groups = os.path.join(base, 'all_groups.tsv')
write_text(all_groups, 'barcode\tct\n' + ''.join('%s\t%s\n' % (b, 'all' if g == 'background' else g)
                                                 for b, g in labels.items()))
code, _, err = run('reference', EXAMPLE, '--groups', all_groups, '--celltype', 'ct', '-o',
                   os.path.join(base, 'all.ref'))
expect(one_error_line(code, err, 1, "named 'all'"), "a cell type named 'all': %s" % err)
code, _, err = run('reference', EXAMPLE, '-o', os.path.join(base, 'newdir') + '/')
expect(one_error_line(code, err, 2, 'a directory') and not os.path.exists(os.path.join(base, 'newdir')),
       'reference -o DIR/: %s' % err)

# Bad reference files: exit 1, one line naming the file (and the line), no output.
good = read_text(ref).split('\n')


def bad_reference(name, lines, *words):
    path = os.path.join(base, name)
    write_text(path, '\n'.join(lines))
    out = os.path.join(base, 'out_' + name)
    code, _, err = run('score', EXAMPLE, '--reference', path, '-o', out)
    expect(one_error_line(code, err, 1, path, *words) and not outputs_left(out),
           '%s: exit %d, %r' % (name, code, err))


bad_reference('empty.ref', [], 'empty')
bad_reference('not_a_reference.ref', ['barcode\tcelltype', 'x\ty'], 'line 1', 'not a dormscan reference')
bad_reference('version.ref', ['dormscan-reference\t9'] + good[1:], 'version 9')
genes_at = next(i for i, l in enumerate(good) if l.startswith('genes\t'))
bad_reference('truncated.ref', good[:genes_at + 10], 'truncated')
bad_reference('number.ref', good[:genes_at + 5] + [good[genes_at + 5].rsplit('\t', 1)[0] + '\tabc'] +
              good[genes_at + 6:], 'line %d' % (genes_at + 6), 'gene mean')
bad_reference('no_baseline.ref', [l for l in good if not l.startswith('baseline\tall\tsasp')],
              'baseline is missing')
bad_reference('panel.ref', ['panel\t' + '0' * 64 if l.startswith('panel\t') else l for l in good],
              'another classifier panel')
bad_reference('species.ref', ['species\tmouse' if l.startswith('species\t') else l for l in good],
              'mouse')
other_genes = good[:genes_at + 2] + ['G%d\tG%d%s' % (i, i, good[genes_at + 2 + i][good[genes_at + 2 + i].index('\t', good[genes_at + 2 + i].index('\t') + 1):])
                                     for i in range(len(good) - genes_at - 3)] + ['']
bad_reference('genes.ref', other_genes, 'genes of')
code, _, err = run('score', EXAMPLE, '--reference', os.path.join(base, 'missing.ref'), '-o',
                   os.path.join(base, 'out_missing'))
expect(one_error_line(code, err, 1, 'missing.ref', 'cannot open'), 'a missing reference: %s' % err)
code, _, err = run('score', EXAMPLE, '--reference', ref, '--normalized', '-o', os.path.join(base, 'out_norm'))
expect(one_error_line(code, err, 1, '--normalized'), 'normalisation must match: %s' % err)

# Shards against a reference equal the unsharded run against it.
full = os.path.join(base, 'full_ref')
run('score', EXAMPLE, '--reference', ref, '-o', full, check=0)
shards = []
for k in (1, 2):
    s = os.path.join(base, 'shard%d' % k)
    run('score', EXAMPLE, '--reference', ref, '--shard', '%d/2' % k, '-o', s, check=0)
    shards.append(s)
merged = os.path.join(base, 'merged')
run('merge', *shards, '-o', merged, check=0)
expect(read_text(os.path.join(merged, 'cells.tsv')) == read_text(os.path.join(full, 'cells.tsv')),
       'shards against a reference merge into the unsharded table')
mj = json.load(open(os.path.join(merged, 'run.json')))
expect(mj['command_line'].startswith('dormscan merge ') and mj['reference_id'] == meta1['reference_id']
       and mj['shard_run']['reference_id'] == meta1['reference_id'] and mj['warnings'] == [],
       'the merged run.json: %s' % {k: mj[k] for k in ('command_line', 'reference_id')})
bg = os.path.join(base, 'background.txt')
write_text(bg, ''.join(b + '\n' for b, g in labels.items() if g == 'background'))
bgref = os.path.join(base, 'background.ref')
run('reference', EXAMPLE, '--cells', bg, '-o', bgref, check=0)
s_own = os.path.join(base, 'shard_bg')
run('score', EXAMPLE, '--shard', '2/2', '-o', s_own, '-q', '--reference', bgref, check=0)
code, _, err = run('merge', shards[0], s_own, '-o', os.path.join(base, 'merged_bad'))
expect(code == 2 and 'different references' in err, 'shards of different references: %s' % err)

# Labelled data (../shared): the checks of the issue.
tang = os.path.join(SHARED, 'testdata', 'senescence_replicative_scRNA_tang2019_via_QDSWorkflow')
if os.path.isdir(tang):
    counts = os.path.join(tang, 'counts_genes_x_cells.tsv.gz')
    group = dict(l.split('\t')[:2] for l in read_text(os.path.join(tang, 'cell_labels.tsv')).split('\n')[1:] if l)
    with gzip.open(counts, 'rt') as f:
        header = f.readline().rstrip('\n').split('\t')
        body = [l.rstrip('\n').split('\t') for l in f]
    parts = {}
    for g in ('HighPD', 'LowPD'):
        cols = [0] + [i for i, c in enumerate(header) if i and group.get(c) == g]
        path = os.path.join(base, 'tang_%s.tsv.gz' % g)
        with gzip.open(path, 'wt') as f:
            f.write('\t'.join(header[i] for i in cols) + '\n')
            for row in body:
                f.write('\t'.join(row[i] for i in cols) + '\n')
        parts[g] = path
    joint = os.path.join(base, 'tang_joint')
    run('score', parts['HighPD'], parts['LowPD'], '-o', joint, '-q', check=0)
    tref = os.path.join(base, 'tang.ref')
    run('reference', parts['HighPD'], parts['LowPD'], '-o', tref, check=0)
    hj, rj = cells_of(joint)
    split_rows = []
    for g in ('HighPD', 'LowPD'):
        o = os.path.join(base, 'tang_' + g)
        run('score', parts[g], '--reference', tref, '-o', o, '-q', check=0)
        split_rows += cells_of(o)[1]
    expect([r[:1] + r[2:] for r in rj] == split_rows,
           'Tang: per-sample runs against the reference of all 800 cells equal the joint run')

    def senescent_fractions(outdir):
        h, rows = cells_of(outdir)
        frac = {}
        for g in ('HighPD', 'LowPD'):
            mine = [r for r in rows if group[r[0]] == g]
            frac[g] = sum(r[h.index('state')] == 'senescent' for r in mine) / len(mine)
        return frac

    low_cells = os.path.join(base, 'lowpd.txt')
    write_text(low_cells, ''.join(b + '\n' for b, g in group.items() if g == 'LowPD'))
    lref = os.path.join(base, 'tang_low.ref')
    run('reference', counts, '--cells', low_cells, '-o', lref, check=0)
    o = os.path.join(base, 'tang_lowref')
    run('score', counts, '--reference', lref, '-o', o, '-q', check=0)
    f = senescent_fractions(o)
    print('Tang, LowPD reference: senescent HighPD %.3f, LowPD %.3f' % (f['HighPD'], f['LowPD']))
    expect(f['HighPD'] >= 5 * f['LowPD'] and f['HighPD'] >= 0.1,
           'Tang with the LowPD reference: HighPD >= 5x LowPD senescent (%s)' % f)
    expect(f['LowPD'] <= 0.05, 'Tang: few reference cells are called senescent (%s)' % f)

marthandan = os.path.join(SHARED, 'testdata', 'senescence_bulk_fibroblasts_marthandan2016')
if os.path.isdir(marthandan):
    expr = os.path.join(marthandan, 'expression.tsv.gz')
    lab = dict(l.split('\t')[:2] for l in read_text(os.path.join(marthandan, 'labels.tsv')).split('\n')[1:] if l)
    prolif = os.path.join(base, 'prolif.txt')
    write_text(prolif, ''.join(b + '\n' for b, g in lab.items() if g == 'proliferative'))
    mref = os.path.join(base, 'marthandan.ref')
    run('reference', expr, '--min-genes', '0', '--cells', prolif, '-o', mref, check=0)
    o = os.path.join(base, 'marthandan')
    run('score', expr, '--min-genes', '0', '--reference', mref, '-o', o, '-q', check=0)
    h, rows = cells_of(o)
    sen = [r[h.index('state')] for r in rows if lab[r[0]] == 'senescent']
    pro = [r[h.index('state')] for r in rows if lab[r[0]] == 'proliferative']
    print('Marthandan, proliferative reference: senescent profiles called senescent %d/%d, '
          'proliferative %d/%d' % (sen.count('senescent'), len(sen), pro.count('senescent'), len(pro)))
    expect(sen.count('senescent') >= 0.8 * len(sen) and pro.count('senescent') == 0,
           'Marthandan: senescent profiles senescent, proliferative ones not')
finish()
