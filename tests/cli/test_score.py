"""dormscan score on the bundled example: outputs, layouts, invariances."""
import json
import os
import random

from common import (EXAMPLE, copy_example, expect, finish, mtx_parts, read_table, read_text, run,
                    tmpdir, write_text)

base = tmpdir()
out = os.path.join(base, 'out')
run('score', EXAMPLE, '-o', out, check=0)
header, rows = read_table(os.path.join(out, 'cells.tsv'))
expect(header[:5] == ['barcode', 'dorm_n_umi', 'dorm_n_genes', 'dorm_pct_mito', 'dorm_pct_ribo'],
       'QC columns come first: %s' % header[:5])
expect(header[-9:] == ['score_cycling', 'score_quiescent', 'score_diapause_like', 'score_senescent',
                      'score_sasp', 'phase', 'state', 'sasp', 'confidence'],
       'evidence and calls close the table: %s' % header[-9:])
expect('quiescence_up' in header and 'cc_s' in header, 'one column per panel set')
expect(len(rows) == 150, '150 cells, got %d' % len(rows))
expect(all(len(r) == len(header) for r in rows), 'every row has every column')
bc = read_text(os.path.join(EXAMPLE, 'barcodes.tsv.gz')).split()
expect([r[0] for r in rows] == bc, 'barcodes exactly as in the input, in input order')
labels = dict(l.split('\t') for l in open(os.path.join(EXAMPLE, 'labels.tsv')).read().split('\n')[1:] if l)
state = header.index('state')
cyc = [r[state] for r in rows if labels[r[0]] == 'cycling']
other = [r[state] for r in rows if labels[r[0]] != 'cycling']
expect(cyc.count('cycling') >= 27, 'cycling cells are called cycling: %d/30' % cyc.count('cycling'))
expect(other.count('cycling') <= 12, 'few other cells are called cycling: %d/120' % other.count('cycling'))
sh, srows = read_table(os.path.join(out, 'summary.tsv'))
expect(sh[:5] == ['sample', 'grouping', 'group', 'n_cells', 'n_cycling'], 'summary header: %s' % sh[:5])
expect(len(srows) == 1 and srows[0][:4] == ['example', 'all', 'all', '150'], 'one summary row: %s' % srows)
for st in ('cycling', 'quiescent', 'diapause_like', 'senescent', 'non_cycling', 'low_quality'):
    n = int(srows[0][sh.index('n_' + st)])
    expect(n == sum(1 for r in rows if r[state] == st), 'summary agrees with the table for %s' % st)
for c in ('_z', '_p', '_fdr'):
    expect('quiescence_up' + c in header, 'set column quiescence_up%s' % c)
p_col = header.index('cc_s_p')
expect(all(0 <= float(r[p_col]) <= 1 for r in rows), 'p-values in [0, 1]')
meta = json.load(open(os.path.join(out, 'run.json')))
sample = meta['samples'][0]
expect(meta['warnings'] == [] and meta['warnings_not_kept'] == 0
       and 'class="warn"' not in read_text(os.path.join(out, 'report.html')),
       'no warning, no banner: %s' % meta['warnings'])
expect(sample['n_cells'] == 150 and sample['format'] == '10x-mtx-v3', 'run.json sample')
expect(sample['species'] == 'human', 'human detected')
expect(meta['method']['name'] == 'ucell', 'run.json method')
expect(len(meta['signature_files'][0]['sha256']) == 64, 'run.json signature checksum')
expect(all(c['found'] == c['total'] for c in sample['coverage']), 'full coverage on the example')
expect(not [f for f in os.listdir(out) if f.startswith('.')], 'no temporary files left')
reference = read_text(os.path.join(out, 'cells.tsv'))

# Chunk size never changes a cell's result.
for chunk in (1, 7, 1000):
    o = os.path.join(base, 'chunk%d' % chunk)
    run('score', EXAMPLE, '-o', o, '--chunk-cells', chunk, check=0)
    expect(read_text(os.path.join(o, 'cells.tsv')) == reference, 'chunk size %d: same table' % chunk)

# Neither do the number of threads (with chunks small enough to spread).
for threads in (2, 4):
    o = os.path.join(base, 'threads%d' % threads)
    run('score', EXAMPLE, '-o', o, '--chunk-cells', 13, '--threads', threads, check=0)
    expect(read_text(os.path.join(o, 'cells.tsv')) == reference, '%d threads: same table' % threads)

# --gzip writes cells.tsv.gz with the same content.
o = os.path.join(base, 'gz')
run('score', EXAMPLE, '-o', o, '--gzip', check=0)
expect(read_text(os.path.join(o, 'cells.tsv.gz')) == reference, '--gzip: same content')

# Entries in any order: same table (read in memory, with a warning).
head, size, entries, features, barcodes = mtx_parts(EXAMPLE)
shuffled = entries[:]
random.Random(7).shuffle(shuffled)
d = os.path.join(base, 'shuffled')
write_text(os.path.join(d, 'matrix.mtx.gz'), '\n'.join(head + [size] + shuffled) + '\n', gz=True)
write_text(os.path.join(d, 'features.tsv.gz'), features, gz=True)
write_text(os.path.join(d, 'barcodes.tsv.gz'), barcodes, gz=True)
code, _, err = run('score', d, '-o', os.path.join(base, 'shuf_out'), check=0)
expect('not grouped by cell' in err, 'unsorted input is reported')
expect(read_text(os.path.join(base, 'shuf_out', 'cells.tsv')) == reference, 'unsorted: same table')
# The restart in memory also resets the column sets scored while reading.
run('score', d, '-o', os.path.join(base, 'shuf_out2'), '--threads', 2, '--chunk-cells', 13, check=0)
expect(read_text(os.path.join(base, 'shuf_out2', 'cells.tsv')) == reference,
       'unsorted, 2 threads: same table')
code, out_i, _ = run('inspect', d, check=0)
expect('grouped_by_cell: no' in out_i, 'inspect reports the order')

# Cell Ranger v2 (2-column genes.tsv, plain barcodes) and a bare matrix path.
d = os.path.join(base, 'v2')
write_text(os.path.join(d, 'matrix.mtx.gz'), '\n'.join(head + [size] + entries) + '\n', gz=True)
write_text(os.path.join(d, 'genes.tsv'), ''.join('\t'.join(l.split('\t')[:2]) + '\n'
                                                 for l in features.splitlines()))
write_text(os.path.join(d, 'barcodes.tsv'), barcodes)
o = os.path.join(base, 'v2_out')
run('score', os.path.join(d, 'matrix.mtx.gz'), '-o', o, check=0)
expect(read_text(os.path.join(o, 'cells.tsv')) == reference, 'v2 layout via the matrix path: same table')
# The restart in memory also resets the column sets scored while reading.
run('score', d, '-o', os.path.join(base, 'shuf_out2'), '--threads', 2, '--chunk-cells', 13, check=0)
expect(read_text(os.path.join(base, 'shuf_out2', 'cells.tsv')) == reference,
       'unsorted, 2 threads: same table')
code, out_i, _ = run('inspect', d, check=0)
expect('format: 10x-mtx-v2' in out_i, 'v2 detected')

# kallisto|bustools: cells x genes, 'real' values, padded size line.
d = os.path.join(base, 'kb')
n_genes, n_cells, nnz = size.split()
kb = ['%%MatrixMarket matrix coordinate real general', '%d %d %d' % (int(n_cells), int(n_genes), int(nnz))]
by_cell = sorted((int(e.split()[1]), int(e.split()[0]), e.split()[2]) for e in entries)
kb += ['%d %d %s.000000' % (c, g, v) for c, g, v in by_cell]
kb[1] = '  '.join(kb[1].split()) + '   '
write_text(os.path.join(d, 'cells_x_genes.mtx'), '\n'.join(kb) + '\n')
write_text(os.path.join(d, 'cells_x_genes.genes.txt'), ''.join(l.split('\t')[1] + '\n' for l in features.splitlines()))
write_text(os.path.join(d, 'cells_x_genes.barcodes.txt'), barcodes)
o = os.path.join(base, 'kb_out')
run('score', d, '-o', o, check=0)
expect(read_text(os.path.join(o, 'cells.tsv')) == reference, 'kallisto layout: same table')

# The module method gives Seurat-style scores.
o = os.path.join(base, 'module')
run('score', EXAMPLE, '-o', o, '--method', 'module', check=0)
h, r = read_table(os.path.join(o, 'cells.tsv'))
ph = h.index('phase')
cyc_mod = sum(1 for x in r if labels[x[0]] == 'cycling' and x[ph] in ('S', 'G2M'))
expect(cyc_mod >= 27, 'module: cycling cells get S or G2M: %d/30' % cyc_mod)
meta = json.load(open(os.path.join(o, 'run.json')))
expect(meta['method']['name'] == 'module' and meta['method']['phase_rule'].startswith('relative'), 'module run.json')
module_ref = read_text(os.path.join(o, 'cells.tsv'))
for threads in (2, 4):  # module does not prescore: the other threaded path
    o2 = os.path.join(base, 'module%d' % threads)
    run('score', EXAMPLE, '-o', o2, '--method', 'module', '--chunk-cells', 7, '-@', threads, check=0)
    expect(read_text(os.path.join(o2, 'cells.tsv')) == module_ref, 'module, %d threads: same table' % threads)

# A symbol two features share: set genes take the first, with one warning;
# a set naming the gene ID is not warned about.
lines = features.splitlines()
lines[-1] = lines[-1].split('\t')[0] + '\tPCNA\tGene Expression'
d = os.path.join(base, 'repeated_symbol')
write_text(os.path.join(d, 'matrix.mtx.gz'), '\n'.join(head + [size] + entries) + '\n', gz=True)
write_text(os.path.join(d, 'features.tsv.gz'), '\n'.join(lines) + '\n', gz=True)
write_text(os.path.join(d, 'barcodes.tsv.gz'), barcodes, gz=True)
code, _, err = run('score', d, '-o', os.path.join(base, 'rep_out'), check=0)
expect(err.count('more than one feature has') == 1 and '(first: PCNA)' in err,
       'repeated symbol warned once: %s' % err)
expect(read_text(os.path.join(base, 'rep_out', 'cells.tsv')) == reference,
       'repeated symbol: the first feature is used')
gmt = os.path.join(base, 'by_id.gmt')
write_text(gmt, 'BY_ID\tx\tDORM0000002\tMCM5\tTYMS\tFEN1\tMCM2\n')
code, _, err = run('score', d, '-o', os.path.join(base, 'rep_id'), '--gmt', gmt, check=0)
expect('more than one feature' not in err, 'a gene ID is not ambiguous: %s' % err)

# --gmt with a user set replaces the panel; coverage is enforced.
gmt = os.path.join(base, 'my.gmt')
write_text(gmt, 'MY_UP\tmine\tMCM5\tPCNA\tTYMS\tFEN1\tMCM2\nMY_DN\tmine\tCDKN1A\tGADD45A\tBTG2\tCDKN1B\tRGS2\n')
o = os.path.join(base, 'gmt_out')
run('score', EXAMPLE, '-o', o, '--gmt', gmt, check=0)
h, r = read_table(os.path.join(o, 'cells.tsv'))
sets = [c for c in h if c + '_fdr' in h]
expect(sets == ['MY_UP', 'MY_DN', 'MY'], 'user sets and the signed pair: %s' % sets)
write_text(gmt, 'SPARSE\tx\tMCM5\tNOT1\tNOT2\tNOT3\tNOT4\tNOT5\n')
code, _, err = run('score', EXAMPLE, '-o', os.path.join(base, 'cov'), '--gmt', gmt, check=1)
expect('SPARSE' in err and '1 of its 6 genes' in err, 'coverage error names the set: %s' % err)
run('score', EXAMPLE, '-o', os.path.join(base, 'cov'), '--gmt', gmt, '--min-coverage', '0.1', check=0)

# A --gmt set that matches no gene, beside one that does: NA columns and a
# warning, as for the shipped sets (a file with no scorable set is an error).
gmt2 = os.path.join(base, 'one_empty.gmt')
write_text(gmt2, 'GOOD\tx\tMCM5\tPCNA\tTYMS\tFEN1\tMCM2\nNOWHERE\tx\tNOT_A_GENE1\tNOT_A_GENE2\n')
o = os.path.join(base, 'one_empty')
code, _, err = run('score', EXAMPLE, '-o', o, '--gmt', gmt2)
h, rows = read_table(os.path.join(o, 'cells.tsv')) if code == 0 else ([], [])
expect(code == 0 and 'NOWHERE' in err and 'NA' in err and all(r[h.index('NOWHERE')] == 'NA' for r in rows)
       and all(r[h.index('GOOD')] != 'NA' for r in rows), 'a --gmt set without genes is NA: %s' % err)

# Warnings go into run.json and the report's banner, under -q too (stderr
# is then silent); a run without any has an empty list and no banner.
oq = os.path.join(base, 'one_empty_quiet')
code, _, err = run('score', EXAMPLE, '-o', oq, '--gmt', gmt2, '-q')
kept = json.load(open(os.path.join(oq, 'run.json'))).get('warnings', []) if code == 0 else []
expect(code == 0 and err == '' and any('NOWHERE' in w for w in kept),
       'run.json keeps the warning under -q: %r %r' % (err, kept))
page = read_text(os.path.join(oq, 'report.html')) if code == 0 else ''
expect('class="warn"' in page and 'NOWHERE' in page.split('class="warn"')[1].split('</div>')[0],
       'report.html shows the warning in a banner')

# cells.tsv loads as documented: R's read.delim and pandas both read the
# sasp column as logical (when they are installed).
import shutil
import subprocess
table = os.path.join(again_src := os.path.join(base, 'loadable'), 'cells.tsv')
run('score', EXAMPLE, '-o', again_src, '-q', check=0)
if shutil.which('Rscript'):
    p = subprocess.run(['Rscript', '-e', 'd <- read.delim(commandArgs(TRUE)[1], row.names = 1); '
                        'cat(class(d$sasp), class(d$score_senescent), sum(d$sasp))', table],
                       capture_output=True, text=True)
    expect(p.stdout.split()[:2] == ['logical', 'numeric'], 'R reads sasp as logical: %r %r'
           % (p.stdout, p.stderr[-300:]))
for py in dict.fromkeys(['python3', '/usr/bin/python3']):  # (Debian's pandas is for its python)
    p = subprocess.run([py, '-c', 'import sys, pandas; d = pandas.read_csv(sys.argv[1], sep="\\t", '
                        'index_col=0); print(d["sasp"].dtype, d["score_senescent"].dtype)', table],
                       capture_output=True, text=True)
    if 'ModuleNotFoundError' in p.stderr or p.returncode == 127:
        continue
    expect(p.stdout.split() == ['bool', 'float64'], 'pandas reads sasp as bool: %r %r'
           % (p.stdout, p.stderr[-300:]))
    break
else:
    print('pandas not installed: its check skipped')

# A run into a folder leaves no table of an earlier run beside its own.
again = os.path.join(base, 'again')
run('score', EXAMPLE, '-o', again, '-q', check=0)
run('score', EXAMPLE, '-o', again, '-q', '--gzip', check=0)
expect(sorted(os.listdir(again)) == ['cells.tsv.gz', 'dormscan_general_stats_mqc.tsv',
                                     'dormscan_mqc.tsv', 'report.html', 'run.json', 'summary.tsv'],
       '--gzip after a plain run: %s' % sorted(os.listdir(again)))
run('score', EXAMPLE, '-o', again, '-q', '--shard', '1/2', check=0)
expect(sorted(os.listdir(again)) == ['run.json', 'shard.bin'],
       'a shard after a full run: %s' % sorted(os.listdir(again)))
run('score', EXAMPLE, '-o', again, '-q', check=0)
expect('shard.bin' not in os.listdir(again) and 'cells.tsv' in os.listdir(again),
       'a full run after a shard: %s' % sorted(os.listdir(again)))
finish()
