"""Bad input: exit 1 (2 for usage), one stderr line naming the file and the
cause, and nothing left under a final output name."""
import gzip
import os

from common import (EXAMPLE, expect, finish, mtx_parts, outputs_left, run, tmpdir, write_text)

base = tmpdir()
head, size, entries, features, barcodes = mtx_parts(EXAMPLE)
HDR = '%%MatrixMarket matrix coordinate integer general'


def make(name, matrix=None, feats=None, bcs=None, gz=True):
    d = os.path.join(base, name)
    m = matrix if matrix is not None else '\n'.join([HDR, size] + entries) + '\n'
    if isinstance(m, bytes):
        os.makedirs(d, exist_ok=True)
        open(os.path.join(d, 'matrix.mtx.gz'), 'wb').write(m)
    else:
        write_text(os.path.join(d, 'matrix.mtx.gz'), m, gz=gz)
    write_text(os.path.join(d, 'features.tsv.gz'), feats if feats is not None else features, gz=True)
    write_text(os.path.join(d, 'barcodes.tsv.gz'), bcs if bcs is not None else barcodes, gz=True)
    return d


def check(name, d, needle, code=1, extra=()):
    out = os.path.join(base, name + '_out')
    for cmd in (['score', d, '-o', out] + list(extra), ['inspect', d]):
        if cmd[0] == 'inspect' and extra:
            continue
        rc, _, err = run(*cmd)
        lines = err.strip().splitlines()
        expect(rc == code, '%s (%s): exit %d, expected %d; %s' % (name, cmd[0], rc, code, err.strip()))
        expect(len(lines) == 1, '%s (%s): one stderr line, got %d: %r' % (name, cmd[0], len(lines), err))
        expect(needle in err, '%s (%s): %r lacks %r' % (name, cmd[0], err.strip(), needle))
    expect(outputs_left(out) == [], '%s: outputs left behind: %s' % (name, outputs_left(out)))
    if os.path.isdir(out):
        expect(not [f for f in os.listdir(out) if '.tmp.' in f], '%s: temporary files left' % name)


full = gzip.compress(('\n'.join([HDR, size] + entries) + '\n').encode())
check('truncated_gzip', make('truncated_gzip', full[:len(full) // 2]), 'truncated or corrupt compressed data')
check('bad_header', make('bad_header', 'hello world\n1 2 3\n'), 'line 1: not a MatrixMarket header')
n_genes, n_cells, nnz = map(int, size.split())
row_oob = entries[:]
row_oob[10] = '%d 1 3' % (n_genes + 5)
check('row_out_of_range', make('row_oob', '\n'.join([HDR, size] + row_oob) + '\n'),
      'line 13: row index %d outside 1..%d' % (n_genes + 5, n_genes))
col_oob = entries[:]
col_oob[-1] = '1 %d 3' % (n_cells + 1)
check('column_out_of_range', make('col_oob', '\n'.join([HDR, size] + col_oob) + '\n'), 'column index')
check('nnz_short', make('nnz_short', '\n'.join([HDR, size] + entries[:-3]) + '\n'),
      'declares %d entries but the file ends after %d' % (nnz, nnz - 3))
check('nnz_long', make('nnz_long', '\n'.join([HDR, size] + entries + ['1 %d 1' % n_cells]) + '\n'),
      'more entries than the header declares')
neg = entries[:]
neg[5] = ' '.join(neg[5].split()[:2] + ['-2'])
check('negative', make('negative', '\n'.join([HDR, size] + neg) + '\n'), 'line 8: negative value')
nonnum = entries[:]
nonnum[5] = ' '.join(nonnum[5].split()[:2] + ['seven'])
check('non_numeric', make('non_numeric', '\n'.join([HDR, size] + nonnum) + '\n'), 'non-numeric value')
check('too_few_barcodes', make('few_bc', bcs='\n'.join(barcodes.split()[:-1]) + '\n'),
      'barcodes.tsv.gz: %d barcodes, but the matrix has %d cells' % (n_cells - 1, n_cells))
check('too_many_barcodes', make('many_bc', bcs=barcodes + 'EXTRA-1\n'), 'more barcodes')
check('feature_mismatch', make('few_feat', feats=''.join(features.splitlines(True)[:-1])),
      'features.tsv.gz: %d features, but matrix.mtx.gz declares %d rows' % (n_genes - 1, n_genes))
check('empty_matrix', make('empty', b''), 'empty file')
check('empty_features', make('empty_feat', feats=''), 'empty feature table')
check('no_input', os.path.join(base, 'does_not_exist'), 'no such file or directory')
d = os.path.join(base, 'nomatrix')
os.makedirs(d)
check('directory_without_matrix', d, 'no matrix.mtx')
d = make('tcc')
os.rename(os.path.join(d, 'matrix.mtx.gz'), os.path.join(d, 'cells_x_tcc.mtx.gz'))
write_text(os.path.join(d, 'cells_x_tcc.ec.txt'), '0 1\n')
check('tcc', d, 'transcript-compatibility')

# Declared sizes are not trusted: a header claiming 4e9 cells and 9e12 entries
# with three genes and two barcodes is refused from the data, without large
# allocations (this would need tens of GB if the header were believed).
huge = os.path.join(base, 'huge')
write_text(os.path.join(huge, 'matrix.mtx'),
           HDR + '\n3 4000000000 9000000000000\n1 3999999999 2\n1 1 1\n')
write_text(os.path.join(huge, 'genes.tsv'), 'a\tA\nb\tB\nc\tC\n')
write_text(os.path.join(huge, 'barcodes.tsv'), 'x\ny\n')
check('declared_huge', huge, '2 barcodes, but the matrix has 4000000000 cells', extra=['-q'])

gmt = os.path.join(base, 'none.gmt')
write_text(gmt, 'NOWHERE\tx\tNOT_A_GENE1\tNOT_A_GENE2\n')
check('set_without_genes', EXAMPLE, 'gene set NOWHERE: none of its 2 genes is in example', extra=['--gmt', gmt, '--min-coverage', '0'])
write_text(gmt, 'A\tx\tMCM5\nA\tx\tPCNA\n')
check('duplicate_set', EXAMPLE, 'gene set A is defined twice', code=2, extra=['--gmt', gmt])
write_text(gmt, 'A\tx\n')
check('gmt_no_genes', EXAMPLE, 'none.gmt line 1', extra=['--gmt', gmt])
check('gmt_missing', EXAMPLE, 'absent.gmt', extra=['--gmt', os.path.join(base, 'absent.gmt')])

# An unwritable output directory: exit 1, one line.
ro = os.path.join(base, 'readonly')
os.makedirs(ro)
os.chmod(ro, 0o500)
if os.geteuid() != 0:
    rc, _, err = run('score', EXAMPLE, '-o', os.path.join(ro, 'out'))
    expect(rc == 1 and len(err.strip().splitlines()) == 1, 'unwritable outdir: %s' % err)
os.chmod(ro, 0o700)
rc, _, err = run('score', EXAMPLE, '-o', '/proc/dormscan-out')
expect(rc == 1 and len(err.strip().splitlines()) == 1 and '/proc/dormscan-out' in err,
       'uncreatable outdir: exit %d, %r' % (rc, err))
finish()
