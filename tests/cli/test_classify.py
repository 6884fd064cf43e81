"""The classifier end to end: p-value calibration on real data, BH columns,
samples, groups, cell filters, mouse inputs and small gene universes."""
import gzip
import os
import random

from common import (EXAMPLE, SHARED, expect, finish, mtx_parts, outputs_left, read_table,
                    read_text, run, tmpdir, write_text)

base = tmpdir()


def feature_names(folder):
    for name in ('features.tsv.gz', 'genes.tsv.gz', 'features.tsv', 'genes.tsv'):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            lines = read_text(p).splitlines()
            return list(dict.fromkeys(l.split('\t')[1] for l in lines
                                      if len(l.split('\t')) < 3 or l.split('\t')[2] == 'Gene Expression'))
    raise FileNotFoundError(folder)


def calibration(folder, n_sets, lo_size, hi_size, seed, label, signs='+'):
    """Fraction of (cell, random set) pairs with p < 0.05.  signs: '+' up sets,
    '-' down-only sets, '+-' signed sets (half up, half down)."""
    names = feature_names(folder)
    rng = random.Random(seed)
    gmt = os.path.join(base, 'random_%s.gmt' % label)
    with open(gmt, 'w') as f:
        for i in range(n_sets):
            n = rng.randint(lo_size, min(hi_size, len(names) // 2))
            genes = rng.sample(names, n)
            if signs == '-':
                genes = [g + '-' for g in genes]
            elif signs == '+-':
                genes = [g + ('+' if k % 2 == 0 else '-') for k, g in enumerate(genes)]
            f.write('R%d\trandom\t%s\n' % (i, '\t'.join(genes)))
    out = os.path.join(base, 'calib_' + label)
    run('score', folder, '--gmt', gmt, '-o', out, '--min-genes', '0', '--min-coverage', '0', '-q',
        check=0)
    h, rows = read_table(os.path.join(out, 'cells.tsv'))
    cols = [i for i, c in enumerate(h) if c.endswith('_p')]
    ps = [float(r[i]) for r in rows for i in cols if r[i] != 'NA']
    frac = sum(p < 0.05 for p in ps) / len(ps)
    print('calibration %s: %d random sets of %d-%d genes x %d cells: fraction p < 0.05 = %.4f'
          % (label, n_sets, lo_size, hi_size, len(rows), frac))
    expect(0.02 <= frac <= 0.06, '%s: fraction %.4f outside [0.02, 0.06]' % (label, frac))


# Calibration on the bundled example always; on real data when ../shared is there.
calibration(EXAMPLE, 200, 10, 200, 1, 'example')
tang = os.path.join(SHARED, 'reference', 'tang2019', 'mtx')
if os.path.isdir(tang):
    calibration(tang, 300, 10, 200, 2, 'tang2019')
shallow = os.path.join(SHARED, 'testdata', 'scanpy_10x_testdata', '10x_data', '3.0.0',
                       'filtered_feature_bc_matrix')
if os.path.isdir(shallow):  # 1107 droplet cells, ~21 genes detected per cell
    calibration(shallow, 600, 10, 200, 3, 'pbmc_shallow')
    calibration(shallow, 600, 10, 30, 4, 'pbmc_shallow_small_sets')
    calibration(shallow, 300, 10, 200, 5, 'pbmc_shallow_down_sets', '-')
    calibration(shallow, 300, 10, 200, 6, 'pbmc_shallow_signed_sets', '+-')

# BH columns: recompute from the p column over the cells that are not low quality.
out = os.path.join(base, 'ex')
run('score', EXAMPLE, '-o', out, check=0)
h, rows = read_table(os.path.join(out, 'cells.tsv'))
state = h.index('state')
for name in ('cc_s', 'senmayo'):
    p_i, f_i = h.index(name + '_p'), h.index(name + '_fdr')
    idx = [k for k, r in enumerate(rows) if r[state] != 'low_quality']
    ps = sorted((float(rows[k][p_i]), k) for k in idx)
    m, running, want = len(ps), 1.0, {}
    for rank in range(m, 0, -1):
        p, k = ps[rank - 1]
        running = min(running, p * m / rank)
        want[k] = running
    worst = max(abs(float(rows[k][f_i]) - want[k]) for k in idx)
    expect(worst < 1e-9, '%s_fdr is BH of %s_p (max diff %.3g)' % (name, name, worst))
labels = dict(l.split('\t') for l in read_text(os.path.join(EXAMPLE, 'labels.tsv')).split('\n')[1:] if l)
calls = {}
for r in rows:
    calls.setdefault(labels[r[0]], []).append(r[state])
for group, want in (('cycling', 'cycling'), ('quiescent', 'quiescent'), ('diapause', 'diapause_like'),
                    ('senescent', 'senescent')):
    got = calls[group].count(want)
    expect(got >= 27, '%s cells called %s: %d/30' % (group, want, got))
# The default reference is every cell of the run, and 90 of these 150 cells
# are arrested: the typical cell is arrested, so some background cells cycle
# more than it does.  Against a reference of the background cells (what a
# user gives when baseline cells are known) they are called nothing.
got = calls['background'].count('non_cycling')
expect(got >= 15, 'background cells against the pooled reference: %d/30 non_cycling' % got)
bg = os.path.join(base, 'background.txt')
write_text(bg, ''.join(b + '\n' for b, g in labels.items() if g == 'background'))
ref_bg = os.path.join(base, 'background.ref')
run('reference', EXAMPLE, '--cells', bg, '-o', ref_bg, check=0)
o = os.path.join(base, 'ex_bg')
run('score', EXAMPLE, '--reference', ref_bg, '-o', o, check=0)
hb, rb = read_table(os.path.join(o, 'cells.tsv'))
calls_bg = {}
for r in rb:
    calls_bg.setdefault(labels[r[0]], []).append(r[hb.index('state')])
for group, want in (('cycling', 'cycling'), ('quiescent', 'quiescent'), ('diapause', 'diapause_like'),
                    ('senescent', 'senescent')):
    got = calls_bg[group].count(want)
    expect(got >= 27, 'background reference: %s cells called %s: %d/30' % (group, want, got))
# BH at 5% bounds the share of false calls among all calls (the background
# cells are the reference itself, so any call of theirs is false); allow
# twice the level for 150 cells' sampling noise.
calls = sum(1 for g in calls_bg for x in calls_bg[g] if x not in ('non_cycling', 'low_quality'))
false = sum(1 for x in calls_bg['background'] if x not in ('non_cycling', 'low_quality'))
expect(calls > 0 and false / calls <= 0.10,
       'background reference: %d false of %d calls (FDR level 0.05)' % (false, calls))
sasp = h.index('sasp')
expect(sum(r[sasp] == 'TRUE' for r in rows if labels[r[0]] == 'senescent') >= 27, 'senescent cells carry the SASP flag')
expect(all(r[h.index('phase')] in ('S', 'G2M') for r in rows if r[state] == 'cycling'), 'cycling cells have S or G2M')
# Phase is relative for every cell (the reference here: all 150 cells): the
# dormant cells' cycle programmes lie below the population's typical cell.
dormant = [r for r in rows if labels[r[0]] in ('quiescent', 'diapause', 'senescent')]
g1 = sum(r[h.index('phase')] == 'G1' for r in dormant)
expect(g1 >= len(dormant) // 2, 'dormant cells mostly G1: %d/%d' % (g1, len(dormant)))
expect(all(r[h.index('phase')] in ('G1', 'S', 'G2M') for r in rows if r[state] != 'low_quality'),
       'every scored cell has a phase')
conf = h.index('confidence')
expect(all(0 <= float(r[conf]) <= 1 for r in rows if r[conf] != 'NA'), 'confidence in [0, 1]')

# Several samples, a sample sheet, groups, --keep and --cells.
ex2 = os.path.join(base, 'example2')
import shutil
shutil.copytree(EXAMPLE, ex2)
o = os.path.join(base, 'two')
run('score', EXAMPLE, ex2, '-o', o, check=0)
h2, rows2 = read_table(os.path.join(o, 'cells.tsv'))
expect(h2[1] == 'sample', 'several inputs add a sample column')
expect(len(rows2) == 300 and {r[1] for r in rows2} == {'example', 'example2'}, 'both samples in the table')
strip = lambda r, hh: [v for c, v in zip(hh, r) if c != 'sample']
# Both samples are judged against the pooled reference of the run: scored
# alone against that reference, a sample gets exactly its rows of the run.
ref_two = os.path.join(base, 'two.ref')
run('reference', EXAMPLE, ex2, '-o', ref_two, check=0)
o1 = os.path.join(base, 'two_alone')
run('score', ex2, '--reference', ref_two, '-o', o1, check=0)
expect([strip(r, h2) for r in rows2[150:]] == read_table(os.path.join(o1, 'cells.tsv'))[1],
       'a sample scored alone against the run\'s reference equals its rows of the run')
sh, srows = read_table(os.path.join(o, 'summary.tsv'))
keys = [tuple(r[:3]) for r in srows]
expect(keys == [('example', 'all', 'all'), ('example2', 'all', 'all'), ('all', 'all', 'all')],
       'summary rows per sample then over all: %s' % keys)
sheet = os.path.join(base, 'sheet.tsv')
write_text(sheet, 'sample\tpath\nA\t%s\nB\t%s\n' % (EXAMPLE, ex2))
o = os.path.join(base, 'sheet_out')
run('score', '--samples', sheet, '-o', o, check=0)
h3, rows3 = read_table(os.path.join(o, 'cells.tsv'))
expect({r[1] for r in rows3} == {'A', 'B'}, 'sample sheet names the samples')
groups = os.path.join(base, 'groups.tsv')
write_text(groups, 'barcode\tcelltype\tbatch\n' + ''.join(
    '%s\t%s\tb%d\n' % (b, 'malignant' if labels[b] != 'background' else 'stroma', i % 2)
    for i, b in enumerate(labels)))
o = os.path.join(base, 'groups_out')
run('score', EXAMPLE, '-o', o, '--groups', groups, check=0)
sh, srows = read_table(os.path.join(o, 'summary.tsv'))
keys = {tuple(r[:3]): int(r[3]) for r in srows}
expect(keys.get(('example', 'celltype', 'malignant')) == 120 and keys.get(('example', 'celltype', 'stroma')) == 30
       and keys.get(('example', 'batch', 'b0')) == 75, 'per-group summary rows: %s' % keys)
mean_sen = float(srows[[tuple(r[:3]) for r in srows].index(('example', 'all', 'all'))][sh.index('mean_score_senescent')])
expect(abs(mean_sen - sum(float(r[h.index('score_senescent')]) for r in rows) / 150) < 1e-5,
       'mean evidence in the summary')
# --groups as R's write.table and write.csv and pandas' to_csv write it by default.
rows_r = [(b, 'malignant' if labels[b] != 'background' else 'stroma') for b in labels]
styles = {
    'write.table': '"celltype"\n' + ''.join('"%s" "%s"\n' % r for r in rows_r),
    'write.csv': '"","celltype"\n' + ''.join('"%s","%s"\n' % r for r in rows_r),
    'to_csv': ',celltype\n' + ''.join('%s,%s\n' % r for r in rows_r),
    'quoted tabs': '"celltype"\n' + ''.join('"%s"\t"%s"\n' % r for r in rows_r),
}
for style, text in styles.items():
    path = os.path.join(base, 'groups_%s.txt' % style.replace(' ', '_'))
    write_text(path, text)
    out = os.path.join(base, 'groups_' + style.replace(' ', '_'))
    code, _, err = run('score', EXAMPLE, '-o', out, '--groups', path, '-q')
    sh2, sr2 = read_table(os.path.join(out, 'summary.tsv')) if code == 0 else ([], [])
    got = {tuple(r[:3]): int(r[3]) for r in sr2}
    expect(code == 0 and got.get(('example', 'celltype', 'malignant')) == 120,
           '--groups as %s writes it: %d %s' % (style, code, err.strip()))
bad_quote = os.path.join(base, 'groups_bad_quote.csv')
write_text(bad_quote, 'barcode,celltype\n"%s,malignant\n' % list(labels)[0])
code, _, err = run('score', EXAMPLE, '-o', os.path.join(base, 'bq'), '--groups', bad_quote)
expect(code == 1 and 'line 2' in err and 'quoted' in err, 'an unclosed quote: %s' % err)
o = os.path.join(base, 'keep_out')
run('score', EXAMPLE, '-o', o, '--groups', groups, '--keep', 'celltype=malignant', check=0)
hk, rk = read_table(os.path.join(o, 'cells.tsv'))
expect(len(rk) == 120 and all(labels[r[0]] != 'background' for r in rk), '--keep restricts the cells')
cells = os.path.join(base, 'cells.txt')
write_text(cells, ''.join(b + '\n' for b in list(labels)[:10]))
o = os.path.join(base, 'cells_out')
run('score', EXAMPLE, '-o', o, '--cells', cells, check=0)
expect(len(read_table(os.path.join(o, 'cells.tsv'))[1]) == 10, '--cells keeps the listed barcodes')
# Filters that keep no cell are an error naming the filter and both sides.
bcs = list(labels)
for name, args, words in [
        ('wrong case', ['--groups', groups, '--keep', 'celltype=Malignant'], ["'Malignant'", 'with their case']),
        ('no -1', ['--cells', os.path.join(base, 'no_suffix.txt')], ['prefix or suffix', bcs[0][:-2]]),
        ('a prefix', ['--cells', os.path.join(base, 'prefixed.txt')], ['prefix or suffix', 'S1_'])]:
    write_text(os.path.join(base, 'no_suffix.txt'), ''.join(b[:-2] + '\n' for b in bcs[:5]))
    write_text(os.path.join(base, 'prefixed.txt'), ''.join('S1_' + b + '\n' for b in bcs[:5]))
    out = os.path.join(base, 'none_kept')
    code, _, err = run('score', EXAMPLE, '-o', out, *args)
    expect(code == 1 and len(err.strip().split('\n')) == 1 and all(w in err for w in words)
           and not outputs_left(out), 'a filter that keeps no cell (%s): %d %r' % (name, code, err))
code, _, err = run('score', EXAMPLE, '-o', o, '--keep', 'celltype=x')
expect(code == 2 and '--keep needs --groups' in err, '--keep without --groups: %s' % err)
code, _, err = run('score', EXAMPLE, ex2, '--sample', 'x', '-o', o)
expect(code == 2, '--sample with several inputs is a usage error')

# Mouse: the example with mouse ortholog symbols and Ensembl IDs.
aliases = {}
for line in read_text(os.path.join(os.environ['SRCDIR'], 'signatures', 'gene_ids.tsv')).splitlines()[1:]:
    sym, kind, alias = line.split('\t')
    aliases.setdefault((sym, kind), alias)
head, size, entries, features, barcodes = mtx_parts(EXAMPLE)
mouse_feats = []
for line in features.splitlines():
    fid, sym, kind = line.split('\t')
    ms = aliases.get((sym, 'mouse_symbol'), sym.capitalize())
    mouse_feats.append('%s\t%s\t%s' % (aliases.get((sym, 'mouse_ensembl'), fid), ms, kind))
d = os.path.join(base, 'mouse')
write_text(os.path.join(d, 'matrix.mtx.gz'), '\n'.join(head + [size] + entries) + '\n', gz=True)
write_text(os.path.join(d, 'features.tsv.gz'), '\n'.join(mouse_feats) + '\n', gz=True)
write_text(os.path.join(d, 'barcodes.tsv.gz'), barcodes, gz=True)
import json
o = os.path.join(base, 'mouse_out')
run('score', d, '-o', o, check=0)
meta = json.load(open(os.path.join(o, 'run.json')))
expect(meta['samples'][0]['species'] == 'mouse', 'mouse detected from symbols')
hm, rm = read_table(os.path.join(o, 'cells.tsv'))
got = sum(1 for r in rm if labels[r[0]] == 'cycling' and r[hm.index('state')] == 'cycling')
expect(got >= 27, 'mouse: cycling cells called cycling: %d/30' % got)
expect(meta['samples'][0]['mito_genes_found'] > 0, 'mouse mt- genes count as mitochondrial')

# A small universe: the cell-cycle genes plus 100 others.
ccs = run('signatures', 'show', 'cc_s')[1].rstrip('\n').split('\t')[2:]
cg2m = run('signatures', 'show', 'cc_g2m')[1].rstrip('\n').split('\t')[2:]
names = [l.split('\t')[1] for l in features.splitlines()]
chosen = [i for i, n in enumerate(names) if n in set(ccs + cg2m)] + list(range(len(names) - 100, len(names)))
chosen = sorted(set(chosen))
new_index = {old: new for new, old in enumerate(chosen)}
small = [e for e in entries if int(e.split()[0]) - 1 in new_index]
small = ['%d %s' % (new_index[int(e.split()[0]) - 1] + 1, ' '.join(e.split()[1:])) for e in small]
d = os.path.join(base, 'small')
write_text(os.path.join(d, 'matrix.mtx.gz'), '\n'.join(head + ['%d %s %d' % (len(chosen), size.split()[1], len(small))] + small) + '\n', gz=True)
write_text(os.path.join(d, 'features.tsv.gz'), ''.join(features.splitlines(True)[i] for i in chosen), gz=True)
write_text(os.path.join(d, 'barcodes.tsv.gz'), barcodes, gz=True)
o = os.path.join(base, 'small_out')
code, _, err = run('score', d, '-o', o, '--min-genes', '0', check=0)
hs, rs_ = read_table(os.path.join(o, 'cells.tsv'))
expect(all(r[hs.index('senmayo')] == 'NA' for r in rs_), 'uncovered panel sets are NA')
got = sum(1 for r in rs_ if labels[r[0]] == 'cycling' and r[hs.index('state')] == 'cycling')
expect(got >= 25, 'small universe: cycling cells still called: %d/30' % got)
o = os.path.join(base, 'small_module')
run('score', d, '-o', o, '--min-genes', '0', '--method', 'module', check=0)
finish()
