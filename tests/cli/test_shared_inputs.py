"""Every MatrixMarket input in ../shared/testdata: inspect gives the
dimensions its README states, and score runs on it.  Skips without ../shared."""
import gzip
import os
import sys

from common import SHARED, SKIP, expect, finish, read_table, run, tmpdir, write_text

T = os.path.join(SHARED, 'testdata')
if not os.path.isdir(T):
    print('../shared/testdata is absent: skipped')
    sys.exit(SKIP)

# path, format, cells, genes, nnz (from the READMEs in ../shared/testdata)
CASES = [
    ('seurat_deb_testdata/cr2_style', '10x-mtx-v2', 80, 240, 4814),
    ('seurat_deb_testdata/cr3.0', '10x-mtx-v3', 5, 3, 8),
    ('scanpy_10x_testdata/10x_data/1.2.0/filtered_gene_bc_matrices/hg19_chr21', '10x-mtx-v2', 12, 343, 12),
    ('scanpy_10x_testdata/10x_data/3.0.0/filtered_feature_bc_matrix', '10x-mtx-v3', 1107, 507, 23866),
    ('scanpy_10x_testdata/10x_data/int-ids', '10x-mtx-v3', 5, 6, 3),
    ('kallisto_bustools_kb_python_fixtures/counts', 'kallisto-mtx', 29, 17, 2),
    ('kallisto_bustools_kb_python_fixtures/cellranger', '10x-mtx-v2', 29, 17, 2),
    ('kallisto_bustools_kb_python_fixtures/lamanno/counts/spliced.mtx', 'kallisto-mtx', 278, 17, 89),
    ('kallisto_bustools_kb_python_fixtures/lamanno/counts/unspliced.mtx', 'kallisto-mtx', 278, 17, 89),
    ('starsolo_output_generated_from_real_reads/Solo.out/Gene/raw', 'starsolo-mtx', 100000, 602, 3),
    ('../reference/tang2019/mtx', '10x-mtx-v3', 800, 12837, 1414583),
]


def first_genes(path, n=5):
    """The first n gene names (or IDs) of an input's feature table."""
    for cand in ('features.tsv.gz', 'features.tsv', 'genes.tsv.gz', 'genes.tsv'):
        p = os.path.join(path, cand)
        if os.path.exists(p):
            opener = gzip.open if p.endswith('.gz') else open
            return [l.rstrip('\n').split('\t')[1 if '\t' in l else 0] for l in opener(p, 'rt')][:n]
    stem = path[:-4] if path.endswith('.mtx') else os.path.join(path, 'genes')
    return [l.strip() for l in open(stem + '.genes.txt')][:n]


base = tmpdir()
for rel, fmt, cells, genes, nnz in CASES:
    path = os.path.normpath(os.path.join(T, rel))
    if not os.path.exists(path):
        print('absent, skipped: ' + rel)
        continue
    code, out, err = run('inspect', path, check=0)
    info = dict(l.split(': ', 1) for l in out.splitlines())
    got = (info.get('format'), int(info.get('cells', -1)), int(info.get('genes', -1)), int(info.get('nnz', -1)))
    expect(got == (fmt, cells, genes, nnz), '%s: inspect %s, expected %s' % (rel, got, (fmt, cells, genes, nnz)))
    # Score with a set made of the input's own first genes.
    o = os.path.join(base, rel.replace('/', '_'))
    gmt = os.path.join(base, 'own.gmt')
    write_text(gmt, 'OWN\tfirst genes\t' + '\t'.join(first_genes(path)) + '\n')
    run('score', path, '-o', o, '--gmt', gmt, '--min-coverage', '0', check=0)
    if os.path.exists(os.path.join(o, 'cells.tsv')):
        h, rows = read_table(os.path.join(o, 'cells.tsv'))
        expect(len(rows) == cells, '%s: %d rows, expected %d' % (rel, len(rows), cells))

# Inputs that must be refused with a clear reason.
for rel, needle in [('kallisto_bustools_kb_python_fixtures/tcc', 'transcript-compatibility'),
                    ('kallisto_bustools_kb_python_fixtures/lamanno/counts', 'several matrices')]:
    path = os.path.join(T, rel)
    if os.path.exists(path):
        code, _, err = run('inspect', path)
        expect(code != 0 and needle in err, '%s: %r' % (rel, err))
finish()
