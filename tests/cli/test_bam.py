"""dormscan count (and score) on aligned reads.

Hand-made SAM files with known answers always run (dormscan reads SAM text);
their BAM, CRAM and indexed copies need samtools; the real Cell Ranger and
STARsolo BAMs of ../shared/testdata are checked against independent
computations when that folder is present."""
import gzip
import os
import shutil
import subprocess

from common import DORMSCAN, SHARED, expect, finish, read_table, read_text, run, tmpdir, write_text

SAMTOOLS = shutil.which('samtools')
OUT_FILES = ('matrix.mtx.gz', 'features.tsv.gz', 'barcodes.tsv.gz')
base = tmpdir()


def read_mtx_dir(d):
    """(features rows, barcodes, {(barcode, gene id): count}, matrix lines) of a count directory."""
    feats = [l.split('\t') for l in read_text(os.path.join(d, 'features.tsv.gz')).splitlines()]
    bcs = read_text(os.path.join(d, 'barcodes.tsv.gz')).splitlines()
    lines = read_text(os.path.join(d, 'matrix.mtx.gz')).splitlines()
    body = [l for l in lines if not l.startswith('%')]
    counts = {}
    for l in body[1:]:
        g, c, v = l.split()
        counts[(bcs[int(c) - 1], feats[int(g) - 1][0])] = int(v)
    return feats, bcs, counts, lines


def left_behind(d):
    """Output files (final or temporary) present in d."""
    if not os.path.isdir(d):
        return []
    return [f for f in os.listdir(d) if f in OUT_FILES or f.startswith('.')]


def expect_error(args, status, needle, what):
    """Run dormscan; check the exit status, one stderr line holding needle, no output left."""
    outdir = args[args.index('-o') + 1] if '-o' in args else None
    code, _, err = run(*args)
    lines = err.strip().splitlines()
    expect(code == status, '%s: exit %d, expected %d (%s)' % (what, code, status, err.strip()))
    expect(len(lines) == 1, '%s: one stderr line, got %r' % (what, lines))
    expect(needle in err, '%s: message names the cause (%r): %r' % (what, needle, err.strip()))
    if outdir:
        expect(not left_behind(outdir), '%s: nothing left in the output: %s' % (what, left_behind(outdir)))


def sh(*args, env=None):
    p = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError('%s: %s' % (' '.join(map(str, args)), p.stderr))
    return p.stdout


# ---- hand-made inputs ----
REF = {'chrT': ''.join('ACGT'[(i * 7 + i // 3) % 4] for i in range(1000)),
       'chrU': ''.join('TGCA'[(i * 5 + i // 7) % 4] for i in range(1000))}


def sam_text(records):
    """SAM text: records are (contig, pos, flag, mapq, tags)."""
    out = ['@HD\tVN:1.6\tSO:coordinate'] + ['@SQ\tSN:%s\tLN:1000' % c for c in sorted(REF)]
    recs = sorted(enumerate(records), key=lambda r: (r[1][0], r[1][1], r[0]))
    for i, (contig, pos, flag, mapq, tags) in recs:
        seq = REF[contig][pos - 1:pos + 29]
        out.append('\t'.join(['r%d' % i, str(flag), contig, str(pos), str(mapq), '30M', '*', '0', '0',
                              seq, 'I' * 30] + tags))
    return '\n'.join(out) + '\n'


def tags(cb=None, ub=None, gx=None, gn=None, xf=None):
    t = []
    for name, v in (('CB', cb), ('UB', ub), ('GX', gx), ('GN', gn)):
        if v is not None:
            t.append('%s:Z:%s' % (name, v))
    if xf is not None:
        t.append('xf:i:%d' % xf)
    return t


LONG_C, LONG_G = 'A' * 39 + 'C', 'A' * 39 + 'G'
UB_RECORDS = [
    ('chrT', 10, 0, 255, tags('AAAC-1', 'ACGT', 'G1', 'One')),
    ('chrT', 20, 0, 255, tags('AAAC-1', 'ACGT', 'G1', 'One')),      # same molecule
    ('chrT', 30, 1024, 255, tags('AAAC-1', 'ACGT', 'G1', 'One')),   # duplicate flag: same molecule
    ('chrT', 40, 16, 255, tags('AAAC-1', 'ACGA', 'G1', 'One')),     # G1: 2
    ('chrT', 50, 0, 255, tags('AAAC-1', 'ACGT', 'G2', 'Two')),      # G2: 1
    ('chrT', 60, 256, 255, tags('AAAC-1', 'TTTT', 'G2', 'Two')),    # secondary
    ('chrT', 70, 2048, 255, tags('AAAC-1', 'TTTA', 'G2', 'Two')),   # supplementary
    ('chrT', 80, 4, 255, tags('AAAC-1', 'TTTC', 'G2', 'Two')),      # unmapped
    ('chrT', 90, 0, 3, tags('AAAC-1', 'TTTG', 'G2', 'Two')),        # MAPQ 3
    ('chrT', 100, 0, 255, tags('AAAC-1', '-', 'G2', 'Two')),        # UB '-'
    ('chrT', 110, 0, 255, tags(None, 'GGGG', 'G2', 'Two')),         # no CB
    ('chrT', 120, 0, 255, tags('-', 'GGGT', 'G2', 'Two')),          # CB '-'
    ('chrT', 130, 0, 255, tags('AAAC-1', 'GGGA', 'G3;G4', 'Three;Four')),  # two genes
    ('chrT', 140, 0, 255, tags('AAAC-1', 'GGGC', '-', '-')),        # no gene
    ('chrT', 150, 0, 255, tags('AAAC-1', 'ACGN', 'G3', 'Three')),   # UMI with N
    ('chrT', 160, 0, 255, tags('AAAC-1', 'ACGA', 'G3', 'Three')),
    ('chrT', 170, 0, 255, tags('AAAC-1', LONG_C, 'G3', 'Three')),   # 40-base UMIs
    ('chrT', 180, 0, 255, tags('AAAC-1', LONG_G, 'G3', 'Three')),
    ('chrT', 190, 0, 255, tags('AAAC-1', LONG_C, 'G3', 'Three')),   # G3: 4
    ('chrT', 200, 0, 255, tags(None, None, 'G6', 'Six')),           # a gene seen, never counted
    ('chrU', 100, 0, 255, tags('TTTG-1', 'ACGT', 'G1', 'One')),
    ('chrU', 200, 0, 255, tags('TTTG-1', 'CCCC', 'G5')),            # no GN: named by its ID
    ('chrU', 300, 0, 255, tags('CCCA-1', 'AAAA', 'G1', 'One')),
]
UB_EXPECTED = {('AAAC-1', 'G1'): 2, ('AAAC-1', 'G2'): 1, ('AAAC-1', 'G3'): 4,
               ('CCCA-1', 'G1'): 1, ('TTTG-1', 'G1'): 1, ('TTTG-1', 'G5'): 1}
UB_FEATURES = [['G1', 'One', 'Gene Expression'], ['G2', 'Two', 'Gene Expression'],
               ['G3', 'Three', 'Gene Expression'], ['G4', 'Four', 'Gene Expression'],
               ['G5', 'G5', 'Gene Expression'], ['G6', 'Six', 'Gene Expression']]

XF_RECORDS = [
    ('chrT', 10, 0, 255, tags('X1-1', 'AAAA', 'G1', 'One')),          # before any xf: not counted
    ('chrT', 20, 0, 255, tags('X1-1', 'AAAC', 'G1', 'One', xf=25)),   # counted
    ('chrT', 30, 0, 255, tags('X1-1', 'AAAG', 'G1', 'One', xf=17)),   # not the representative
    ('chrT', 40, 0, 255, tags('X1-1', 'AAAT', 'G1', 'One', xf=25)),   # X1 G1: 2
    ('chrT', 50, 0, 3, tags('X2-1', 'AAAA', 'G2', 'Two', xf=24)),     # xf & 8 decides alone
    ('chrT', 60, 0, 255, tags('X2-1', 'AAAC', 'G1;G2', 'One;Two', xf=25)),  # two genes
    ('chrT', 70, 0, 255, tags(None, 'AAAG', 'G2', 'Two', xf=25)),     # no CB
    ('chrT', 80, 0, 255, tags('X3-1', 'AAAA', 'G3', 'Three', xf=0)),
    ('chrT', 90, 0, 255, tags('X3-1', 'AAAC', 'G3', 'Three', xf=8)),  # X3 G3: 1
]
XF_EXPECTED = {('X1-1', 'G1'): 2, ('X2-1', 'G2'): 1, ('X3-1', 'G3'): 1}

ub_sam = os.path.join(base, 'ub.sam')
xf_sam = os.path.join(base, 'xf.sam')
write_text(ub_sam, sam_text(UB_RECORDS))
write_text(xf_sam, sam_text(XF_RECORDS))

# The UB rule, the default order of cells and genes, the file layout.
o = os.path.join(base, 'ub')
run('count', ub_sam, '-o', o, check=0)
feats, bcs, counts, lines = read_mtx_dir(o)
expect(counts == UB_EXPECTED, 'UB rule: %s' % counts)
expect(bcs == ['AAAC-1', 'CCCA-1', 'TTTG-1'], 'barcodes with UMIs, sorted: %s' % bcs)
expect(feats == UB_FEATURES, 'every gene seen, sorted by ID, named by GN: %s' % feats)
expect(lines[0] == '%%MatrixMarket matrix coordinate integer general', 'MatrixMarket header')
expect('"counting_rule": "umi"' in lines[1], 'the rule is recorded: %s' % lines[1])
expect(lines[2] == '6 3 6', 'size line genes cells nnz: %s' % lines[2])
rows = [(int(l.split()[1]), int(l.split()[0])) for l in lines[3:]]
expect(rows == sorted(rows), 'entries grouped by cell, genes ascending')
expect(sorted(os.listdir(o)) == sorted(OUT_FILES), 'exactly the three files: %s' % os.listdir(o))
for f in OUT_FILES:
    with open(os.path.join(o, f), 'rb') as fh:
        expect(fh.read(2) == b'\x1f\x8b', '%s is gzip' % f)
code, out_i, _ = run('inspect', o, check=0)
expect('format: 10x-mtx-v3' in out_i and 'cells: 3' in out_i and 'genes: 6' in out_i and 'nnz: 6' in out_i,
       'inspect reads the count directory: %s' % out_i)

# The xf rule (Cell Ranger 3+).
o = os.path.join(base, 'xf')
run('count', xf_sam, '-o', o, check=0)
feats, bcs, counts, lines = read_mtx_dir(o)
expect(counts == XF_EXPECTED, 'xf rule: %s' % counts)
expect([f[0] for f in feats] == ['G1', 'G2', 'G3'], 'xf genes: %s' % feats)
expect('"counting_rule": "xf"' in lines[1], 'xf rule recorded: %s' % lines[1])

# --barcodes: those cells, in that order, also without UMIs; --min-umis.
bfile = os.path.join(base, 'keep.tsv.gz')
write_text(bfile, 'TTTG-1\nNONE-1\nAAAC-1\n', gz=True)
o = os.path.join(base, 'bc')
run('count', ub_sam, '--barcodes', bfile, '-o', o, check=0)
feats, bcs, counts, _ = read_mtx_dir(o)
expect(bcs == ['TTTG-1', 'NONE-1', 'AAAC-1'], '--barcodes order and empty cells: %s' % bcs)
expect(counts == {k: v for k, v in UB_EXPECTED.items() if k[0] != 'CCCA-1'}, '--barcodes counts: %s' % counts)
o = os.path.join(base, 'min2')
run('count', ub_sam, '--min-umis', 2, '-o', o, check=0)
_, bcs, counts, _ = read_mtx_dir(o)
expect(bcs == ['AAAC-1', 'TTTG-1'], '--min-umis 2 drops CCCA-1: %s' % bcs)
o = os.path.join(base, 'bcmin')
run('count', ub_sam, '--barcodes', bfile, '--min-umis', 1, '-o', o, check=0)
_, bcs, _, _ = read_mtx_dir(o)
expect(bcs == ['TTTG-1', 'AAAC-1'], '--barcodes with --min-umis 1 drops empty cells: %s' % bcs)
write_text(os.path.join(base, 'nomatch.txt'), 'GGGG-1\n')
o = os.path.join(base, 'nomatch')
code, _, err = run('count', ub_sam, '--barcodes', os.path.join(base, 'nomatch.txt'), '-o', o, check=0)
expect('none of the 1 barcodes' in err, 'a --barcodes list that matches nothing is reported: %s' % err)

# --features: these genes, in this order; names from the file, else GN, else the ID.
ffile = os.path.join(base, 'genes.txt')
write_text(ffile, 'G3\nG9\nG1\n')
o = os.path.join(base, 'feat')
code, _, err = run('count', ub_sam, '--features', ffile, '-o', o, check=0)
feats, bcs, counts, _ = read_mtx_dir(o)
expect(feats == [['G3', 'Three', 'Gene Expression'], ['G9', 'G9', 'Gene Expression'],
                 ['G1', 'One', 'Gene Expression']], '--features rows: %s' % feats)
expect(counts == {k: v for k, v in UB_EXPECTED.items() if k[1] in ('G1', 'G3')}, '--features counts: %s' % counts)
expect(bcs == ['AAAC-1', 'CCCA-1', 'TTTG-1'], '--features keeps cells with listed UMIs: %s' % bcs)
expect('2 UMIs of genes not in genes.txt' in err, 'unlisted UMIs are reported: %s' % err)
ftsv = os.path.join(base, 'features.tsv.gz')
write_text(ftsv, 'G5\tFive\tGene Expression\nG2\tDeux\tGene Expression\n', gz=True)
o = os.path.join(base, 'feat3')
run('count', ub_sam, '--features', ftsv, '-q', '-o', o, check=0)
feats, bcs, counts, _ = read_mtx_dir(o)
expect(feats == [['G5', 'Five', 'Gene Expression'], ['G2', 'Deux', 'Gene Expression']],
       'features.tsv names win: %s' % feats)
expect(counts == {('AAAC-1', 'G2'): 1, ('TTTG-1', 'G5'): 1}, 'features.tsv counts: %s' % counts)

# dormscan score reads aligned reads through --format bam (SAM text is not detected).
gmt = os.path.join(base, 'tiny.gmt')
write_text(gmt, 'TINY\tna\tG1\tG2\tG3\tG5\n')
s1, s2 = os.path.join(base, 'score_sam'), os.path.join(base, 'score_dir')
run('score', ub_sam, '--format', 'bam', '--gmt', gmt, '--min-coverage', 0, '-o', s1, check=0)
run('score', os.path.join(base, 'ub'), '--gmt', gmt, '--min-coverage', 0, '-o', s2, check=0)
expect(read_text(os.path.join(s1, 'cells.tsv')) == read_text(os.path.join(s2, 'cells.tsv')),
       'score on aligned reads equals score on their count directory')

# Errors: one line, exit 1 (data) or 2 (usage), nothing left behind.
no_gx = os.path.join(base, 'atac.sam')
write_text(no_gx, sam_text([('chrT', 10, 0, 60, ['CB:Z:AAAC-1']), ('chrT', 20, 0, 60, ['CB:Z:TTTG-1'])]))
expect_error(['count', no_gx, '-o', os.path.join(base, 'e1')], 1, 'no GX gene tags: not a gene-expression BAM',
             'no GX tags')
expect_error(['count', os.path.join(base, 'missing.bam'), '-o', os.path.join(base, 'e2')], 1, 'cannot open',
             'missing BAM')
expect_error(['count', bfile, '-o', os.path.join(base, 'e3')], 1, 'not a BAM, CRAM or SAM file', 'not a BAM')
dup = os.path.join(base, 'dup.txt')
write_text(dup, 'AAAC-1\nTTTG-1\nAAAC-1\n')
expect_error(['count', ub_sam, '--barcodes', dup, '-o', os.path.join(base, 'e4')], 1,
             "dup.txt line 3: 'AAAC-1' is listed twice", 'duplicate barcode')
expect_error(['count', ub_sam, '--features', os.path.join(base, 'nofile'), '-o', os.path.join(base, 'e5')], 1,
             'nofile', 'missing --features file')
blocker = os.path.join(base, 'blocker')
write_text(blocker, 'a file\n')
expect_error(['count', ub_sam, '-o', blocker], 1, 'blocker', 'output directory is a file')
expect_error(['count', ub_sam, 'chrT', '-o', os.path.join(base, 'e6')], 1, 'a region needs one', 'region without index')
expect_error(['count', '-o', os.path.join(base, 'e7')], 2, 'no BAM given', 'no BAM')
expect_error(['count', ub_sam], 2, '-o/--outdir is required', 'no -o')
expect_error(['count', ub_sam, '--min-umis', 'x', '-o', os.path.join(base, 'e8')], 2, '--min-umis', 'bad --min-umis')
expect_error(['count', ub_sam, '-@', 0, '-o', os.path.join(base, 'e9')], 2, '--threads', 'bad -@')
expect_error(['count', ub_sam, '--bogus', '-o', os.path.join(base, 'e10')], 2, "unknown option '--bogus'",
             'unknown option')
code, out_h, _ = run('count', '--help', check=0)
expect('Usage: dormscan count' in out_h and '--barcodes' in out_h, 'count --help')
code, out_h, _ = run('help', 'count', check=0)
expect('Usage: dormscan count' in out_h, 'help count')
code, out_h, _ = run('--help', check=0)
expect('count' in out_h, 'the command list names count')

# ---- BAM, CRAM, index, threads (samtools makes them) ----
if not SAMTOOLS:
    print('samtools not found: BAM, CRAM and region checks skipped')
else:
    fa = os.path.join(base, 'ref.fa')
    write_text(fa, ''.join('>%s\n%s\n' % (c, REF[c]) for c in sorted(REF)))
    sh(SAMTOOLS, 'faidx', fa)
    ub_bam, ub_cram = os.path.join(base, 'ub.bam'), os.path.join(base, 'ub.cram')
    sh(SAMTOOLS, 'view', '-b', '-o', ub_bam, ub_sam)
    sh(SAMTOOLS, 'index', ub_bam)
    sh(SAMTOOLS, 'view', '-C', '-T', fa, '-o', ub_cram, ub_sam)
    sh(SAMTOOLS, 'index', ub_cram)
    ref_text = read_text(os.path.join(base, 'ub', 'matrix.mtx.gz'))
    for threads in (1, 3):
        o = os.path.join(base, 'bam%d' % threads)
        run('count', ub_bam, '-@', threads, '-o', o, check=0)
        expect(read_text(os.path.join(o, 'matrix.mtx.gz')) == ref_text, 'BAM with -@ %d: same matrix' % threads)
    o = os.path.join(base, 'cram_ref')
    run('count', ub_cram, '-T', fa, '-o', o, check=0)
    expect(read_text(os.path.join(o, 'matrix.mtx.gz')) == ref_text, 'CRAM with --reference: same matrix')
    # Without the reference (and no way to fetch it): sequences are not decoded.
    env = dict(os.environ, REF_PATH=os.path.join(base, 'no_refs'), REF_CACHE=os.path.join(base, 'no_cache'))
    o = os.path.join(base, 'cram_noref')
    p = subprocess.run([DORMSCAN, 'count', ub_cram, '-o', o], capture_output=True, text=True, env=env)
    expect(p.returncode == 0, 'CRAM without reference: exit %d %s' % (p.returncode, p.stderr))
    expect(p.returncode == 0 and read_text(os.path.join(o, 'matrix.mtx.gz')) == ref_text,
           'CRAM without reference: same matrix')
    code, out_i, _ = run('inspect', ub_bam, check=0)
    expect('format: bam' in out_i and 'cells: 3' in out_i and 'nnz: 6' in out_i, 'inspect BAM: %s' % out_i)
    code, out_i, _ = run('inspect', ub_cram, check=0)
    expect('format: bam' in out_i and 'nnz: 6' in out_i, 'inspect CRAM: %s' % out_i)
    # Regions: only the records overlapping them, each once.
    for rel, regions in (('reg_u', ['chrU']), ('reg_u2', ['chrU:1-250', 'chrU:150-1000'])):
        o = os.path.join(base, rel)
        run('count', ub_bam, *regions, '-o', o, check=0)
        feats, bcs, counts, _ = read_mtx_dir(o)
        expect(counts == {('CCCA-1', 'G1'): 1, ('TTTG-1', 'G1'): 1, ('TTTG-1', 'G5'): 1},
               'region %s: %s' % (regions, counts))
        expect([f[0] for f in feats] == ['G1', 'G5'], 'region %s genes: %s' % (regions, feats))
    o = os.path.join(base, 'reg_cram')
    run('count', ub_cram, 'chrT:1-45', '-o', o, check=0)
    _, _, counts, _ = read_mtx_dir(o)
    expect(counts == {('AAAC-1', 'G1'): 2}, 'CRAM region: %s' % counts)
    expect_error(['count', ub_bam, 'chrZ:1-10', '-o', os.path.join(base, 'e11')], 1,
                 "region 'chrZ:1-10': unknown reference", 'unknown region')
    # Truncated: the first half of the bytes; and a cut with an end-of-file block appended.
    data = open(ub_bam, 'rb').read()
    eof = data[-28:]
    trunc = os.path.join(base, 'trunc.bam')
    with open(trunc, 'wb') as f:
        f.write(data[:len(data) // 2])
    expect_error(['count', trunc, '-o', os.path.join(base, 'e12')], 1, 'truncated', 'truncated BAM')
    expect_error(['score', trunc, '-o', os.path.join(base, 'e13')], 1, 'truncated', 'score: truncated BAM')
    cut = os.path.join(base, 'cut.bam')
    with open(cut, 'wb') as f:
        f.write(data[:len(data) // 2] + eof)
    expect_error(['count', cut, '-o', os.path.join(base, 'e14')], 1, 'cut.bam', 'corrupt BAM')
    xf_bam = os.path.join(base, 'xf.bam')
    sh(SAMTOOLS, 'view', '-b', '-o', xf_bam, xf_sam)
    o = os.path.join(base, 'xf_bam')
    run('count', xf_bam, '-o', o, check=0)
    expect(read_mtx_dir(o)[2] == XF_EXPECTED, 'xf rule from BAM')

# ---- real BAMs of ../shared/testdata ----
T = os.path.join(SHARED, 'testdata')
CR = os.path.join(T, 'bam_cellranger_10x', 'cellranger1.2_hg19_possorted_subset.bam')
ATAC = os.path.join(T, 'bam_cellranger_10x', 'cellranger_atac1.2_chr20_subset_CBonly.bam')
SOLO = os.path.join(T, 'starsolo_output_generated_from_real_reads')


def samtools_counts(bam, *regions):
    """The UB rule computed independently: samtools view -F 0x904 -q 255, tags, sort -u, count."""
    triples = set()
    for line in sh(SAMTOOLS, 'view', '-F', '0x904', '-q', '255', bam, *regions).splitlines():
        t = dict((f[:2], f[5:]) for f in line.split('\t')[11:] if f[2:5] == ':Z:')
        cb, ub, gx = t.get('CB'), t.get('UB'), t.get('GX')
        if not cb or not ub or not gx or '-' in (cb, ub, gx) or ';' in gx:
            continue
        triples.add((cb, gx, ub))
    counts = {}
    for cb, gx, _ in triples:
        counts[(cb, gx)] = counts.get((cb, gx), 0) + 1
    return counts


if not os.path.exists(CR):
    print('../shared/testdata BAMs are absent: skipped')
else:
    o = os.path.join(base, 'cr')
    run('count', CR, '-o', o, check=0)
    feats, bcs, counts, lines = read_mtx_dir(o)
    expect(len(bcs) == 2153 and len(feats) == 1828 and len(counts) == 3795,
           'Cell Ranger 1.2 BAM: 2153 cells, 1828 genes, 3795 entries: %d %d %d' % (len(bcs), len(feats), len(counts)))
    expect(sum(counts.values()) == 3809, 'Cell Ranger 1.2 BAM: 3809 UMIs, got %d' % sum(counts.values()))
    expect(bcs == sorted(bcs), 'barcodes sorted')
    o4 = os.path.join(base, 'cr4')
    run('count', CR, '-@', 4, '-o', o4, check=0)
    expect(read_text(os.path.join(o4, 'matrix.mtx.gz')) == read_text(os.path.join(o, 'matrix.mtx.gz')),
           '-@ 4 gives the same matrix')
    if SAMTOOLS:
        ref = samtools_counts(CR)
        expect(counts == ref, 'Cell Ranger 1.2 BAM equals samtools -F 0x904 -q 255 + sort -u: %d vs %d entries, '
               '%d differ' % (len(counts), len(ref), len(set(counts.items()) ^ set(ref.items()))))
        genes = set()
        for line in sh(SAMTOOLS, 'view', CR).splitlines():
            for f in line.split('\t')[11:]:
                if f.startswith('GX:Z:') and f[5:] != '-':
                    genes.update(f[5:].split(';'))
        expect([f[0] for f in feats] == sorted(genes), 'features: every GX gene of the BAM, sorted')
        # A region of an indexed copy equals samtools on the same region.
        cr_copy = os.path.join(base, 'cr_copy.bam')
        shutil.copy(CR, cr_copy)
        sh(SAMTOOLS, 'index', cr_copy)
        o = os.path.join(base, 'cr_region')
        run('count', cr_copy, '1', 'MT', '-o', o, check=0)
        _, _, rcounts, _ = read_mtx_dir(o)
        rref = samtools_counts(cr_copy, '1', 'MT')
        expect(rcounts == rref and len(rref) > 100, 'region 1 and MT equals samtools: %d vs %d' %
               (len(rcounts), len(rref)))
    # Cell Ranger's filtered-style use: --barcodes and --features.
    bl = os.path.join(base, 'cr_barcodes.tsv.gz')
    write_text(bl, '\n'.join(bcs[::7]) + '\n', gz=True)
    o = os.path.join(base, 'cr_bc')
    run('count', CR, '--barcodes', bl, '-o', o, check=0)
    _, bcs2, counts2, _ = read_mtx_dir(o)
    expect(bcs2 == bcs[::7] and counts2 == {k: v for k, v in counts.items() if k[0] in set(bcs[::7])},
           '--barcodes on the Cell Ranger BAM')

    # score BAM equals score on the count directory.
    gmt = os.path.join(base, 'cr.gmt')
    names = [f[1] for f in feats]
    write_text(gmt, 'SET_A\tna\t%s\nSET_B\tna\t%s\n' % ('\t'.join(names[:80]), '\t'.join(names[80:200])))
    s1, s2 = os.path.join(base, 'cr_score_bam'), os.path.join(base, 'cr_score_dir')
    run('score', CR, '--gmt', gmt, '--min-coverage', 0, '-o', s1, check=0)
    run('score', os.path.join(base, 'cr'), '--gmt', gmt, '--min-coverage', 0, '-o', s2, check=0)
    h1, r1 = read_table(os.path.join(s1, 'cells.tsv'))
    expect(len(r1) == 2153 and 'SET_A' in h1, 'score BAM: 2153 cells scored')
    expect(read_text(os.path.join(s1, 'cells.tsv')) == read_text(os.path.join(s2, 'cells.tsv')),
           'score BAM equals score on the count directory')
    code, out_i, _ = run('inspect', os.path.join(base, 'cr'), check=0)
    expect('cells: 2153' in out_i and 'genes: 1828' in out_i and 'nnz: 3795' in out_i and
           'grouped_by_cell: yes' in out_i, 'inspect the count output: %s' % out_i)

    # STARsolo: the entries of its own raw matrix.
    o = os.path.join(base, 'solo')
    run('count', os.path.join(SOLO, 'Aligned.sortedByCoord.out.bam'), '-o', o, check=0)
    _, _, counts, _ = read_mtx_dir(o)
    raw = os.path.join(SOLO, 'Solo.out', 'Gene', 'raw')
    sfeat = [l.split('\t')[0] for l in read_text(os.path.join(raw, 'features.tsv')).splitlines()]
    sbc = read_text(os.path.join(raw, 'barcodes.tsv.gz')).splitlines()
    body = [l for l in read_text(os.path.join(raw, 'matrix.mtx')).splitlines() if not l.startswith('%')][1:]
    solo = {(sbc[int(c) - 1], sfeat[int(g) - 1]): int(v) for g, c, v in (l.split() for l in body)}
    expect(len(solo) == 3 and counts == solo, 'STARsolo BAM gives Solo.out/Gene/raw: %s vs %s' % (counts, solo))

    # Cell Ranger ATAC: no gene tags.
    expect_error(['count', ATAC, '-o', os.path.join(base, 'atac')], 1,
                 'no GX gene tags: not a gene-expression BAM', 'Cell Ranger ATAC BAM')
    expect_error(['score', ATAC, '-o', os.path.join(base, 'atac_score')], 1,
                 'no GX gene tags', 'score: Cell Ranger ATAC BAM')
    # Truncated: the first half of the bytes.
    data = open(CR, 'rb').read()
    trunc = os.path.join(base, 'cr_trunc.bam')
    with open(trunc, 'wb') as f:
        f.write(data[:len(data) // 2])
    expect_error(['count', trunc, '-o', os.path.join(base, 'cr_trunc')], 1, 'truncated', 'truncated Cell Ranger BAM')
    with open(trunc, 'wb') as f:
        f.write(data[:len(data) // 2] + data[-28:])
    expect_error(['count', trunc, '-o', os.path.join(base, 'cr_cut')], 1, 'read error after',
                 'Cell Ranger BAM cut with an end-of-file block')

finish()
