"""Every input in ../shared/testdata in a supported format: inspect gives the
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
    ('scanpy_10x_testdata/10x_data/3.0.0/filtered_feature_bc_matrix.h5', '10x-h5-v3', 1107, 507, 23866),
    ('scanpy_10x_testdata/10x_data/1.2.0/filtered_gene_bc_matrices_h5.h5', '10x-h5-v2', 12, 343, 12),
    ('scanpy_10x_testdata/visium_data/2.1.0/raw_probe_bc_matrix.h5', '10x-h5-v3', 4987, 1000, 858),
    ('h5ad_cellrank_dentate_gyrus/adata_50.h5ad', 'h5ad', 50, 143, 4010),
    ('h5ad_cellrank_dentate_gyrus/adata_100.h5ad', 'h5ad', 100, 278, 12602),
    ('kallisto_bustools_kb_python_fixtures/counts/genes.h5ad', 'h5ad', 29, 17, 2),
    ('loom_LoomExperiment_L1_DRG20/L1_DRG_20_example.loom', 'loom', 20, 20, 258),
    ('kallisto_bustools_kb_python_fixtures/counts/genes.loom', 'loom', 29, 17, 2),
    ('seurat_deb_testdata/pbmc_raw.txt', 'dense', 80, 230, 4456),
    ('csv_u2os_fucci_ercc_mahdessian2021/Counts.csv.ercc.csv', 'dense', 1152, 92, 17925),
    ('senescence_replicative_scRNA_tang2019_via_QDSWorkflow/counts_genes_x_cells.tsv.gz', 'dense', 800,
     12837, 1414583),
    ('cellcycle_fucci_ipsc_peco_hsiao2020/counts_101genes_x_888cells.tsv.gz', 'dense', 888, 101, 85095),
]


def first_genes(path, n=5):
    """The first n gene names (or IDs) of an input's feature table."""
    for cand in ('features.tsv.gz', 'features.tsv', 'genes.tsv.gz', 'genes.tsv'):
        p = os.path.join(path, cand)
        if os.path.exists(p):
            opener = gzip.open if p.endswith('.gz') else open
            return [l.rstrip('\n').split('\t')[1 if '\t' in l else 0] for l in opener(p, 'rt')][:n]
    if os.path.isdir(path) or path.endswith('.mtx'):
        stem = path[:-4] if path.endswith('.mtx') else os.path.join(path, 'genes')
        return [l.strip() for l in open(stem + '.genes.txt')][:n]
    return None  # not a text feature table: use the input's own first genes via --min-coverage


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
    genes = first_genes(path)
    if genes:
        write_text(gmt, 'OWN\tfirst genes\t' + '\t'.join(genes) + '\n')
        run('score', path, '-o', o, '--gmt', gmt, '--min-coverage', '0', '--min-genes', '0', check=0)
    else:  # the shipped panel, skipping what the input lacks
        run('score', path, '-o', o, '--min-genes', '0', '-q', check=0)
    if os.path.exists(os.path.join(o, 'cells.tsv')):
        h, rows = read_table(os.path.join(o, 'cells.tsv'))
        expect(len(rows) == cells, '%s: %d rows, expected %d' % (rel, len(rows), cells))

# --groupby summarises an h5ad input by an obs column.
adata = os.path.join(T, 'h5ad_cellrank_dentate_gyrus', 'adata_100.h5ad')
if os.path.exists(adata):
    o = os.path.join(base, 'groupby')
    run('score', adata, '--groupby', 'clusters', '--normalized', '--min-genes', '0', '-q', '-o', o,
        check=0)
    sh, rows = read_table(os.path.join(o, 'summary.tsv'))
    by = {r[2]: int(r[3]) for r in rows if r[1] == 'clusters'}
    expect(rows[0][0] == 'adata_100', 'sample named after the file: %s' % rows[0][0])
    expect(sum(by.values()) == 100 and by.get('Granule mature') == 38,
           '--groupby clusters rows: %s' % by)
    code, _, err = run('score', adata, '--groupby', 'nope', '-o', o)
    expect(code == 2 and 'no obs column' in err, '--groupby with an unknown column: %s' % err)
    # mouse symbols only (var_names are symbols, no Ensembl ids): detected as mouse
    import json
    o = os.path.join(base, 'species')
    run('score', adata, '--normalized', '--min-genes', '0', '-q', '-o', o, check=0)
    meta = json.load(open(os.path.join(o, 'run.json')))
    expect(meta['samples'][0]['species'] == 'mouse', 'symbol-only mouse AnnData: %s'
           % meta['samples'][0]['species'])
    code, out, _ = run('inspect', adata)
    expect(code == 0 and 'species: mouse' in out and 'panel_genes_found: ' in out
           and 'panel_sets_scored: ' in out, 'inspect tells the species and coverage: %r' % out)
    # the wrong organism finds almost none of the panel: one warning says why
    code, _, err = run('score', adata, '--normalized', '--min-genes', '0', '--species', 'human',
                       '-o', o)
    expect(code == 0 and '--species' in err and '--var-column' in err and 'only 0 of the' in err,
           'a panel barely found is explained: %s' % err)

# Normalised values read as counts: one warning naming --normalized.
ebinger = os.path.join(T, 'dormancy_lrc_all_ebinger2016', 'expression_normalised.tsv.gz')
if os.path.exists(ebinger):
    o = os.path.join(base, 'ebinger')
    code, _, err = run('score', ebinger, '--min-genes', '0', '-o', o)
    expect(code == 0 and err.count('not counts') == 1 and '--normalized' in err and '--layer counts' in err,
           'normalised values are pointed out: %r' % err)
    code, _, err = run('score', ebinger, '--min-genes', '0', '--normalized', '-o', o)
    expect(code == 0 and 'not counts' not in err, 'and not with --normalized: %r' % err)

# Inputs that must be refused with a clear reason.
for rel, needle in [('kallisto_bustools_kb_python_fixtures/tcc', 'transcript-compatibility'),
                    ('kallisto_bustools_kb_python_fixtures/lamanno/counts', 'several matrices'),
                    ('scanpy_10x_testdata/10x_data/1.2.0/multiple_genomes.h5', 'choose one with --genome'),
                    ('seurat_deb_testdata/visium/filtered_feature_bc_matrix.h5.gz', 'decompress it first')]:
    path = os.path.join(T, rel)
    if os.path.exists(path):
        code, _, err = run('inspect', path)
        expect(code != 0 and needle in err, '%s: %r' % (rel, err))
finish()

