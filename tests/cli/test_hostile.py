"""Hostile inputs (issue 8, items 3 and 4): broken files of every format, made
here from the bundled example and from make_formats' copies of it.

A broken input fails `score` and `inspect` with exit 1 (2 for misuse), one
stderr line that names the file and the cause, and nothing under a final
output name (no temporary either).  Benign oddities (CRLF, a byte-order mark,
repeated gene symbols) give the clean input's cells.tsv byte for byte.  A full
or read-only output file system fails with exit 1 and leaves nothing behind;
those cases need root (to mount a small tmpfs) and are skipped otherwise,
while unreadable inputs are only testable without root (root reads all)."""
import gzip
import os
import random
import shutil
import struct
import subprocess
import zlib

from common import (EXAMPLE, SRCDIR, expect, finish, mtx_parts, read_text, run, tmpdir,
                    write_text)

base = tmpdir()
ROOT = os.geteuid() == 0
HDR = '%%MatrixMarket matrix coordinate integer general'
HDR_REAL = '%%MatrixMarket matrix coordinate real general'
head, size, entries, features, barcodes = mtx_parts(EXAMPLE)
n_genes, n_cells, nnz = map(int, size.split())
FINAL = ('cells.tsv', 'cells.tsv.gz', 'summary.tsv', 'run.json', 'report.html', 'dormscan_mqc.tsv',
         'dormscan_general_stats_mqc.tsv', 'shard.bin',
         'matrix.mtx.gz', 'features.tsv.gz', 'barcodes.tsv.gz')  # the last three: count's


def leftovers(outdir):
    """Final-name outputs and temporaries (dot files: .NAME.tmp.PID, spills) in outdir."""
    if not os.path.isdir(outdir):
        return []
    return sorted(f for f in os.listdir(outdir) if f in FINAL or f.startswith('.'))


counter = [0]


def outdir(name):
    counter[0] += 1
    return os.path.join(base, 'out', '%03d_%s' % (counter[0], name))


def refused(name, path, cause, names=None, code=1, extra=(), commands=('score', 'inspect')):
    """Each command fails with code and one stderr line holding the file's name
    (names, default the input's basename) and cause; nothing is left in OUTDIR."""
    names = names if names is not None else os.path.basename(path.rstrip('/'))
    out = outdir(name)
    for cmd in commands:
        args = [cmd, path] + (['-o', out] if cmd in ('score', 'count') else []) + list(extra)
        rc, _, err = run(*args)
        lines = err.strip().splitlines()
        what = '%s (%s)' % (name, cmd)
        expect(rc == code, '%s: exit %d, expected %d; %s' % (what, rc, code, err.strip()))
        expect(len(lines) == 1, '%s: one stderr line, got %d: %r' % (what, len(lines), err))
        expect(names in err, '%s: %r does not name %r' % (what, err.strip(), names))
        expect(cause in err, '%s: %r lacks the cause %r' % (what, err.strip(), cause))
    expect(leftovers(out) == [], '%s: left in the output directory: %s' % (name, leftovers(out)))


def accepted(name, path, reference, warning=None, extra=(), inspect=True):
    """score succeeds with reference's cells.tsv (its calls and every value);
    stderr is empty, or (warning given) one warning line holding it, or
    (warning='') at most one warning line; inspect reads the input."""
    out = outdir(name)
    rc, _, err = run('score', path, '-o', out, *extra)
    if not expect(rc == 0, '%s: exit %d; %s' % (name, rc, err.strip())):
        return err
    lines = err.strip().splitlines()
    closing = [l for l in lines if l.startswith('dormscan score: ') and ' cells of ' in l]
    expect(len(closing) == 1, '%s: one closing line expected: %r' % (name, err))
    lines = [l for l in lines if l not in closing]
    if warning is None:
        expect(lines == [], '%s: unexpected stderr %r' % (name, err))
    elif warning == '':
        expect(len(lines) <= 1 and all('warning' in l for l in lines),
               '%s: at most one warning expected, got %r' % (name, err))
    else:
        expect(len(lines) == 1 and warning in err, '%s: expected one warning with %r, got %r'
               % (name, warning, err))
    expect(read_text(os.path.join(out, 'cells.tsv')) == reference,
           '%s: cells.tsv differs from the clean input\'s' % name)
    if inspect:
        rc, stdout, err2 = run('inspect', path)
        expect(rc == 0 and 'cells: %d\n' % n_cells in stdout and 'genes: %d\n' % n_genes in stdout,
               '%s (inspect): exit %d, %r %r' % (name, rc, stdout, err2.strip()))
    return err


def either(name, path):
    """For inputs the tool may accept or refuse: a clean failure (exit 1, one
    line, nothing left) or success; returns (exit code, stderr)."""
    out = outdir(name)
    rc, _, err = run('score', path, '-o', out)
    lines = err.strip().splitlines()
    if rc != 0:
        expect(rc == 1 and len(lines) == 1, '%s: exit %d, %r' % (name, rc, err))
        expect(leftovers(out) == [], '%s: left behind: %s' % (name, leftovers(out)))
    else:
        expect(os.path.isfile(os.path.join(out, 'cells.tsv')), '%s: exit 0 without cells.tsv' % name)
    return rc, err.strip()


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def text_file(path, text, gz=False):
    write_text(path, text, gz=gz)
    return path


def mtx_text(body=None, hdr=HDR, size_line=None):
    return '\n'.join([hdr, size_line or size] + (entries if body is None else body)) + '\n'


def gz(text):
    return gzip.compress(text.encode() if isinstance(text, str) else text, compresslevel=1)


CLEAN = {'matrix.mtx.gz': gz(mtx_text()), 'features.tsv.gz': gz(features),
         'barcodes.tsv.gz': gz(barcodes)}


def make(name, matrix=None, feats=None, bcs=None):
    """A Cell Ranger v3 directory; text is gzipped, bytes are written as they are."""
    d = os.path.join(base, 'in', name)
    for fname, content in (('matrix.mtx.gz', matrix), ('features.tsv.gz', feats),
                           ('barcodes.tsv.gz', bcs)):
        if content is None:
            content = CLEAN[fname]
        write_bytes(os.path.join(d, fname), content if isinstance(content, bytes) else gz(content))
    return d


def bgzf(data):
    """BGZF (blocked gzip, as bgzip writes it): 64 kB blocks, each a gzip member
    whose extra field holds its size, then the 28-byte empty end-of-file block."""
    out = []
    for i in range(0, len(data), 0xff00):
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = c.compress(data[i:i + 0xff00]) + c.flush()
        chunk = data[i:i + 0xff00]
        out.append(struct.pack('<4BI2BH2BHH', 0x1f, 0x8b, 8, 4, 0, 0, 0xff, 6, 66, 67, 2,
                               len(body) + 25) + body +
                   struct.pack('<II', zlib.crc32(chunk), len(chunk)))
    out.append(bytes.fromhex('1f8b08040000000000ff0600424302001b0003000000000000000000'))
    return b''.join(out)


def garbage(n, seed):
    r = random.Random(seed)
    return bytes(r.getrandbits(8) for _ in range(n))


def cuts(n):
    """Lengths to truncate an n-byte file to: inside the first block, the middle, the last bytes."""
    return sorted({100, n // 2, n - 4})


# The clean answer every benign variant must give.
ref_out = outdir('reference')
run('score', EXAMPLE, '-o', ref_out, check=0)
REFERENCE = read_text(os.path.join(ref_out, 'cells.tsv'))
expect(REFERENCE.count('\n') == n_cells + 1, 'the reference has a header and %d cells' % n_cells)

# ---- truncated gzip ----
full = CLEAN['matrix.mtx.gz']
for cut in cuts(len(full)):
    refused('gzip_cut_%d' % cut, make('gzip_cut_%d' % cut, full[:cut]),
            'truncated or corrupt compressed data', names='matrix.mtx.gz')
for comp, text in (('features.tsv.gz', features), ('barcodes.tsv.gz', barcodes)):
    data = gz(text)
    kw = {'feats' if comp.startswith('features') else 'bcs': data[:len(data) // 2]}
    refused('cut_' + comp, make('cut_' + comp, **kw), 'truncated or corrupt compressed data', names=comp)

# ---- truncated BGZF: a BGZF matrix and a BAM ----
d = make('bgzf_matrix', bgzf(mtx_text().encode()))
accepted('bgzf_matrix_intact', d, REFERENCE)
data = bgzf(mtx_text().encode())
# Cut inside a block: a read error.  Cut after the last data block (only the
# 28-byte end-of-file block gone): BGZF text reads as a shorter, complete file,
# and the entry count the MatrixMarket header declares is what catches it.
make('bgzf_matrix', data[:len(data) // 2])
refused('bgzf_matrix_cut_mid_block', d, 'truncated or corrupt compressed data', names='matrix.mtx.gz')
blocks = data[:-28]
last = blocks.rfind(b'\x1f\x8b\x08\x04')
make('bgzf_matrix', blocks[:last])
refused('bgzf_matrix_cut_at_block', d, '(truncated?)', names='matrix.mtx.gz')

SAMTOOLS = shutil.which('samtools')
if SAMTOOLS:
    # Enough reads for several BGZF blocks: a cut lands inside the records.
    r = random.Random(1)
    cbs = ['%s-1' % ''.join(r.choice('ACGT') for _ in range(16)) for i in range(40)]
    ref = ''.join('ACGT'[(i * 7 + i // 3) % 4] for i in range(100000))
    sam = ['@HD\tVN:1.6\tSO:coordinate', '@SQ\tSN:chrT\tLN:100000']
    for i in range(6000):
        pos = 1 + i * 16
        sam.append('\t'.join(['r%d' % i, '0', 'chrT', str(pos), '255', '30M', '*', '0', '0',
                              ref[pos - 1:pos + 29], 'I' * 30, 'CB:Z:' + cbs[i % 40],
                              'UB:Z:%08d' % i, 'GX:Z:G%d' % (i % 50), 'GN:Z:Gene%d' % (i % 50)]))
    sam_path = text_file(os.path.join(base, 'in', 'reads.sam'), '\n'.join(sam) + '\n')
    bam_path = os.path.join(base, 'in', 'reads.bam')
    subprocess.run([SAMTOOLS, 'view', '-b', '-o', bam_path, sam_path], check=True)
    bam = open(bam_path, 'rb').read()
    out = outdir('bam_ok')
    rc, _, err = run('count', bam_path, '-o', out)
    expect(rc == 0, 'the intact BAM counts: exit %d %s' % (rc, err.strip()))
    for cut, cause in ((len(bam) // 2, 'truncated'), (len(bam) - 28, 'no end-of-file marker'),
                       (40, 'truncated')):
        p = write_bytes(os.path.join(base, 'in', 'cut%d.bam' % cut), bam[:cut])
        refused('bam_cut_%d' % cut, p, cause, commands=('count', 'inspect'))
        refused('bam_cut_%d_score' % cut, p, cause, commands=('score',))
else:
    print('SKIP: no samtools: truncated BAM not checked')

# ---- HDF5 files: truncated, wrong magic, out-of-range indices, bad values ----
tool = os.environ.get('MAKE_FORMATS') or os.path.join(SRCDIR, 'build', 'tests', 'make_formats')
formats = os.path.join(base, 'formats')
H5 = ('example_v3.h5', 'example_v2.h5', 'example.h5ad', 'example_csc.h5ad', 'example_dense.h5ad',
      'example.loom')
have_formats = os.path.isfile(tool)
if not have_formats:
    expect(not os.environ.get('MAKE_FORMATS'), 'MAKE_FORMATS=%s does not exist' % tool)
    print('SKIP: no make_formats: HDF5 and dense cases not checked')
else:
    os.makedirs(formats)
    p = subprocess.run([tool, EXAMPLE, formats], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    have_formats = expect(p.returncode == 0, 'make_formats: %s' % p.stderr.strip())

if have_formats:
    for f in H5:
        data = open(os.path.join(formats, f), 'rb').read()
        for cut in cuts(len(data)):
            p = write_bytes(os.path.join(base, 'in', 'cut%d_%s' % (cut, f)), data[:cut])
            refused('h5_cut_%d_%s' % (cut, f), p, 'truncated or not HDF5')
        # Shorter than the signature, or the signature alone: not HDF5 at all.
        for cut in (4, 8):
            p = write_bytes(os.path.join(base, 'in', 'head%d_%s' % (cut, f)), data[:cut])
            refused('h5_head_%d_%s' % (cut, f), p, 'cannot open as HDF5' if cut == 8 else
                    'a truncated HDF5 file (4 bytes)')

    # The example's cells as (gene index, count) lists, for finding the arrays
    # make_formats stored (contiguous, unfiltered) by their bytes.
    cell_entries = [[] for _ in range(n_cells)]
    for line in entries:
        g, c, v = map(int, line.split())
        cell_entries[c - 1].append((g - 1, v))
    for c in cell_entries:
        c.sort()

    def patched(src, old, new, name):
        """A copy of src with the only occurrence of old replaced by new."""
        data = open(os.path.join(formats, src), 'rb').read()
        if not expect(data.count(old) == 1, '%s: the pattern to patch occurs %d times'
                      % (src, data.count(old))):
            return None
        return write_bytes(os.path.join(base, 'in', name), data.replace(old, new))

    c0 = cell_entries[0]
    genes0, counts0 = [g for g, _ in c0], [v for _, v in c0]
    k = 3  # the entry to break: index 3 of cell 0, also the file-wide index
    bad_genes = genes0[:k] + [n_genes + 5] + genes0[k + 1:]
    # 10x HDF5 v3: indices int64, data int32, indptr int64.
    fmt_q, fmt_i, fmt_f = '<%dq' % len(c0), '<%di' % len(c0), '<%df' % len(c0)
    p = patched('example_v3.h5', struct.pack(fmt_q, *genes0), struct.pack(fmt_q, *bad_genes), 'oob_v3.h5')
    if p:
        refused('h5_v3_index_out_of_range', p, 'indices[%d] = %d outside 0..%d' % (k, n_genes + 5, n_genes - 1))
    neg = counts0[:k] + [-2] + counts0[k + 1:]
    p = patched('example_v3.h5', struct.pack(fmt_i, *counts0), struct.pack(fmt_i, *neg), 'neg_v3.h5')
    if p:
        refused('h5_v3_negative', p, 'data[%d] = -2 is not a count' % k)
    ptr = [0]
    for c in cell_entries:
        ptr.append(ptr[-1] + len(c))
    bad_ptr = ptr[:]
    bad_ptr[5] = ptr[7]
    p = patched('example_v3.h5', struct.pack('<%dq' % len(ptr), *ptr),
                struct.pack('<%dq' % len(ptr), *bad_ptr), 'ptr_v3.h5')
    if p:
        refused('h5_v3_indptr_not_increasing', p, 'not increasing')
    # indptr must run from 0 to the length of data: an offset start or a short
    # end would drop entries without a word (issue 23, item 7).
    packed = struct.pack('<%dq' % len(ptr), *ptr)
    for label, edit, cause in (('start', lambda q: [91] + q[1:], 'starts at 91'),
                               ('end', lambda q: q[:-1] + [q[-1] - 5],
                                'ends at %d, but data holds %d' % (ptr[-1] - 5, ptr[-1]))):
        bad = struct.pack('<%dq' % len(ptr), *edit(ptr))
        p = patched('example_v3.h5', packed, bad, 'ptr_%s_v3.h5' % label)
        if p:
            refused('h5_v3_indptr_%s' % label, p, cause)
        p = patched('example.h5ad', packed, bad, 'ptr_%s.h5ad' % label)
        if p:
            refused('h5ad_indptr_%s' % label, p, cause)
    # AnnData CSR: X/indices int32 and X/data float32, cell 0 first.
    p = patched('example.h5ad', struct.pack(fmt_i, *genes0), struct.pack(fmt_i, *bad_genes), 'oob.h5ad')
    if p:
        refused('h5ad_index_out_of_range', p, 'X/indices[%d] = %d outside 0..%d' % (k, n_genes + 5, n_genes - 1))
    for label, value, shown in (('nan', float('nan'), 'nan'), ('inf', float('inf'), 'inf'),
                                ('negative', -1.5, '-1.5')):
        bad = counts0[:k] + [value] + counts0[k + 1:]
        p = patched('example.h5ad', struct.pack(fmt_f, *counts0), struct.pack(fmt_f, *bad),
                    '%s.h5ad' % label)
        if p:
            refused('h5ad_%s' % label, p, 'X/data[%d] = %s: expected a finite, non-negative count'
                    % (k, shown))
    # AnnData CSC: X/indices are cell indices; break one in gene 1's column.
    col = [[] for _ in range(n_genes)]
    for c, es in enumerate(cell_entries):
        for g, _ in es:
            col[g].append(c)
    g1 = col[1]
    bad_cells = g1[:2] + [n_cells + 9] + g1[3:]
    fmt_c = '<%di' % len(g1)
    p = patched('example_csc.h5ad', struct.pack(fmt_c, *g1), struct.pack(fmt_c, *bad_cells), 'oob_csc.h5ad')
    if p:
        refused('h5ad_csc_index_out_of_range', p, '= %d outside 0..%d' % (n_cells + 9, n_cells - 1))
    # AnnData dense X (cells x genes, float64): a NaN in cell 0.
    row0 = [0.0] * n_genes
    for g, v in c0:
        row0[g] = float(v)
    bad_row = row0[:]
    bad_row[genes0[k]] = float('nan')
    fmt_d = '<%dd' % n_genes
    p = patched('example_dense.h5ad', struct.pack(fmt_d, *row0), struct.pack(fmt_d, *bad_row), 'nan_dense.h5ad')
    if p:
        refused('h5ad_dense_nan', p, 'nan')
    # loom (genes x cells, float64): -Inf in gene 1's row.
    grow = [0.0] * n_cells
    for c, es in enumerate(cell_entries):
        for g, v in es:
            if g == 1:
                grow[c] = float(v)
    bad_grow = grow[:]
    bad_grow[g1[2]] = float('-inf')
    fmt_l = '<%dd' % n_cells
    p = patched('example.loom', struct.pack(fmt_l, *grow), struct.pack(fmt_l, *bad_grow), 'inf.loom')
    if p:
        refused('loom_negative_inf', p, '-inf')

# ---- wrong magic ----
junk = garbage(4096, 8)
refused('garbage_matrix', make('garbage_matrix', junk), 'not a MatrixMarket header', names='matrix.mtx.gz')
refused('gzip_magic_garbage', make('gzip_magic_garbage', b'\x1f\x8b' + junk),
        'truncated or corrupt compressed data', names='matrix.mtx.gz')
p = write_bytes(os.path.join(base, 'in', 'garbage.h5ad'), junk)
refused('garbage_h5ad', p, 'not a text table')
refused('garbage_h5ad_forced', p, 'not HDF5', extra=['--format', 'h5ad'])
p = write_bytes(os.path.join(base, 'in', 'garbage.bam'), junk)
refused('garbage_bam', p, 'not a text table')
refused('garbage_bam_forced', p, 'not a BAM', extra=['--format', 'bam'])
refused('garbage_bam_count', p, 'not a BAM', commands=('count',))
p = write_bytes(os.path.join(base, 'in', 'sig_garbage.h5'), b'\x89HDF\r\n\x1a\n' + junk)
refused('hdf5_signature_then_garbage', p, 'cannot open as HDF5')
p = write_bytes(os.path.join(base, 'in', 'bgzf_bam_garbage.bam'), gzip.compress(b'BAM\x01' + junk))
refused('bam_magic_then_garbage', p, 'cannot read the header')
p = write_bytes(os.path.join(base, 'in', 'cram_garbage.cram'), b'CRAM' + junk)
refused('cram_magic_then_garbage', p, 'not a BAM, CRAM or SAM file')

# ---- out-of-range indices (MatrixMarket; beyond test_errors' cases) ----
INTS = "expected 'row column value' with integer indices"
for label, line, cause in (('row_zero', '0 1 3', 'row index 0 outside 1..%d' % n_genes),
                           ('column_zero', '1 0 3', 'column index 0 outside 1..%d' % n_cells),
                           ('index_overflow', '99999999999999999999999 1 3', INTS),
                           ('index_negative', '-1 1 3', INTS)):
    body = entries[:]
    body[0] = line
    refused('mtx_' + label, make('mtx_' + label, mtx_text(body)), 'line 3: ' + cause, names='matrix.mtx.gz')
refused('mtx_size_line_overflow', make('size_overflow', mtx_text(size_line='1 1 99999999999999999999999')),
        'bad size line', names='matrix.mtx.gz')

# ---- NaN, Inf and negative values ----
FIN = 'value is not finite'
for value, cause in (('nan', FIN), ('NaN', FIN), ('inf', FIN), ('-Infinity', FIN),
                     ('-0.5', 'negative value'), ('1e999', 'value is not finite')):
    body = entries[:]
    body[4] = ' '.join(body[4].split()[:2] + [value])
    refused('mtx_value_%s' % value, make('mtx_value_%s' % value, mtx_text(body, hdr=HDR_REAL)),
            'line 7: ' + cause, names='matrix.mtx.gz')
if have_formats:
    csv_lines = open(os.path.join(formats, 'example_cells_rows.csv')).read().split('\n')
    for value in ('NaN', 'Inf', '-Inf', '-3', 'NA'):
        rows = csv_lines[:]
        fields = rows[2].split(',')
        fields[2] = value
        rows[2] = ','.join(fields)
        p = text_file(os.path.join(base, 'in', 'value_%s.csv' % value), '\n'.join(rows))
        refused('dense_value_%s' % value, p, "line 3 column 3: %s value '%s'" % (
            'negative' if value.startswith('-') else 'non-numeric or non-finite', value))

# ---- duplicate barcodes and genes ----
# A barcode on two rows: every row kept, in input order, with one warning
# naming the barcode and both rows.  Repeated feature rows are reported in
# the test log, not pinned: accepting and refusing are both sane.
bc_lines = barcodes.splitlines(True)
rc, err = either('duplicate_barcodes', make('dup_barcodes', bcs=''.join([bc_lines[0]] + bc_lines[:-1])))
err = ''.join(l for l in err.splitlines(True) if not l.startswith('dormscan score: ')).strip()  # (closing line)
first_bc = bc_lines[0].strip()
expect(rc == 0 and err.count('\n') == 0 and 'warning' in err and
       "1 row repeats an earlier row's barcode (first %s, rows 1 and 2 " % first_bc in err,
       'duplicate barcodes (MatrixMarket): one warning naming the barcode and rows: %d %r' % (rc, err))
if have_formats:
    text = open(os.path.join(formats, 'example_cells_rows.csv')).read().split('\n')
    text[2] = text[1].split(',', 1)[0] + ',' + text[2].split(',', 1)[1]
    rc, err = either('duplicate_barcodes_dense', text_file(os.path.join(base, 'in', 'dup_bc.csv'),
                                                           '\n'.join(text)))
    expect(rc == 0 and "repeats an earlier row's barcode" in err,
           'duplicate barcodes (dense CSV): warned: %d %r' % (rc, err))
feat_lines = features.splitlines(True)
# A later feature with an earlier one's symbol (Cell Ranger has such pairs):
# symbols match the first, so the calls do not change.
last_id = feat_lines[-1].split('\t')[0]
sym = feat_lines[:-1] + ['%s\t%s\tGene Expression\n' % (last_id, feat_lines[0].split('\t')[1])]
err = accepted('duplicate_gene_symbol', make('dup_symbol', feats=''.join(sym)), REFERENCE, warning='')
print('NOTE duplicate gene symbol: stderr %r' % err.strip())
rc, err = either('duplicate_feature_row', make('dup_feature_row', feats=''.join(feat_lines[:-1] + feat_lines[:1])))
print('NOTE duplicate feature row (same id and symbol): exit %d, stderr %r' % (rc, err))

# ---- CRLF line ends and a UTF-8 byte-order mark (benign) ----
BOM = '\ufeff'


def crlf(text):
    return text.replace('\n', '\r\n')


accepted('crlf_everywhere', make('crlf', crlf(mtx_text()), crlf(features), crlf(barcodes)), REFERENCE)
accepted('bom_everywhere', make('bom', BOM + mtx_text(), BOM + features, BOM + barcodes), REFERENCE)
accepted('bom_and_crlf', make('bom_crlf', BOM + crlf(mtx_text()), BOM + crlf(features),
                              BOM + crlf(barcodes)), REFERENCE)
d = make('bom_plain')
write_text(os.path.join(d, 'matrix.mtx'), BOM + crlf(mtx_text()))
os.unlink(os.path.join(d, 'matrix.mtx.gz'))
accepted('bom_matrix_file_path', os.path.join(d, 'matrix.mtx'), REFERENCE)
accepted('bom_gz_matrix_file_path', os.path.join(make('bom_gz', BOM + mtx_text()), 'matrix.mtx.gz'),
         REFERENCE)
if have_formats:
    text = open(os.path.join(formats, 'example_cells_rows.csv')).read()
    for label, variant in (('crlf', crlf(text)), ('bom', BOM + text), ('bom_crlf', BOM + crlf(text))):
        p = os.path.join(base, 'in', '%s.csv' % label)
        write_text(p, variant)
        accepted('dense_csv_' + label, p, REFERENCE)
    text = read_text(os.path.join(formats, 'example_genes_rows.tsv.gz'))
    p = os.path.join(base, 'in', 'bom_crlf_genes_rows.tsv.gz')
    write_text(p, BOM + crlf(text), gz=True)
    accepted('dense_tsv_gz_bom_crlf', p, REFERENCE)
gmt = 'CYCLING\tx\tMCM5\tPCNA\tTYMS\tFEN1\tMCM2\tMCM4\nOTHER\tx\tRRM1\tUNG\tGINS2\tMCM6\tCDCA7\n'
gmt_clean = text_file(os.path.join(base, 'in', 'sets.gmt'), gmt)
gmt_odd = text_file(os.path.join(base, 'in', 'odd.gmt'), BOM + crlf(gmt))
out = outdir('gmt_clean')
run('score', EXAMPLE, '--gmt', gmt_clean, '-o', out, check=0)
gmt_ref = read_text(os.path.join(out, 'cells.tsv')) if os.path.isfile(os.path.join(out, 'cells.tsv')) else ''
accepted('gmt_bom_crlf', EXAMPLE, gmt_ref, extra=['--gmt', gmt_odd], inspect=False)


def long_line_gz(path, before, after=b'\n'):
    """Write before + a 100 MB line + after, gzipped, without holding the line in memory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    chunk = b'A' * (1 << 20)
    with gzip.open(path, 'wb', compresslevel=1) as f:
        f.write(before)
        for _ in range(100):
            f.write(chunk)
        f.write(after)
    return path


# ---- extremely long lines: 100 MB, beyond the 64 MiB line limit ----
LIMIT = 'line longer than %d bytes' % (64 << 20)
d = make('long_barcode')
long_line_gz(os.path.join(d, 'barcodes.tsv.gz'), bc_lines[0].encode())
refused('long_barcode_line', d, 'line 2: ' + LIMIT, names='barcodes.tsv.gz')
d = make('long_feature')
long_line_gz(os.path.join(d, 'features.tsv.gz'), ''.join(feat_lines[:3]).encode())
refused('long_feature_line', d, 'line 4: ' + LIMIT, names='features.tsv.gz')
d = make('long_comment')
long_line_gz(os.path.join(d, 'matrix.mtx.gz'), (HDR + '\n%').encode(), ('\n' + mtx_text()[len(HDR) + 1:]).encode())
refused('long_matrix_comment', d, 'line 2: ' + LIMIT, names='matrix.mtx.gz')
p = long_line_gz(os.path.join(base, 'in', 'long_header.tsv.gz'), b'', b'\tCELL\nG1\t1\n')
refused('long_dense_header', p, 'line 1: ' + LIMIT)
p = long_line_gz(os.path.join(base, 'in', 'long.gmt'), b'SET\tx\tMCM5\t')
refused('long_gmt_line', EXAMPLE, 'line 1: ' + LIMIT, names='long.gmt', extra=['--gmt', p], commands=('score',))

# ---- empty files ----
refused('empty_matrix', make('empty_matrix', b''), 'empty file', names='matrix.mtx.gz')
refused('empty_gzip_matrix', make('empty_gzip_matrix', gz('')), 'empty file', names='matrix.mtx.gz')
refused('empty_features', make('empty_features', feats=b''), 'empty feature table', names='features.tsv.gz')
refused('empty_gzip_features', make('empty_gzip_features', feats=''), 'empty feature table',
        names='features.tsv.gz')
refused('empty_barcodes', make('empty_barcodes', bcs=b''), '0 barcodes, but the matrix has %d cells' % n_cells,
        names='barcodes.tsv.gz')
refused('header_only_matrix', make('header_only', HDR + '\n'), 'no size line', names='matrix.mtx.gz')
for ext in ('h5ad', 'h5', 'loom', 'bam', 'tsv', 'csv'):
    p = write_bytes(os.path.join(base, 'in', 'empty.' + ext), b'')
    refused('empty_' + ext, p, 'empty file')
p = write_bytes(os.path.join(base, 'in', 'empty_gzip.tsv.gz'), gz(''))
refused('empty_gzip_dense', p, 'empty file')
refused('empty_bam_count', os.path.join(base, 'in', 'empty.bam'), 'not a BAM', commands=('count',))

# ---- directories without the matrix; a directory where a file belongs ----
d = os.path.join(base, 'in', 'no_matrix_at_all')
os.makedirs(d)
refused('empty_directory', d, 'no matrix.mtx')
d = make('companions_only')
os.unlink(os.path.join(d, 'matrix.mtx.gz'))
refused('companions_only', d, 'no matrix.mtx')
for comp, cause in (('features.tsv.gz', 'no features.tsv'), ('barcodes.tsv.gz', 'no barcodes.tsv')):
    d = make('no_' + comp)
    os.unlink(os.path.join(d, comp))
    refused('no_' + comp, d, cause, names='matrix.mtx.gz')
d = os.path.join(base, 'in', 'outs')
os.makedirs(os.path.join(d, 'filtered_feature_bc_matrix'))
refused('empty_filtered_subdirectory', d, 'no matrix.mtx')
for comp in ('matrix.mtx.gz', 'features.tsv.gz', 'barcodes.tsv.gz'):
    d = make('dir_as_' + comp)
    os.unlink(os.path.join(d, comp))
    os.makedirs(os.path.join(d, comp))
    refused('directory_as_' + comp, d, 'directory', names=comp)
p = os.path.join(base, 'in', 'dir.h5ad')
os.makedirs(p)
refused('directory_named_h5ad', p, 'no matrix.mtx')
refused('directory_as_gmt', EXAMPLE, 'directory', names='dir.h5ad', extra=['--gmt', p], commands=('score',))

# ---- unreadable files (root reads everything: checked only without root) ----
if ROOT:
    print('SKIP: running as root: unreadable-file cases not checked')
else:
    for comp in ('matrix.mtx.gz', 'features.tsv.gz', 'barcodes.tsv.gz'):
        d = make('unreadable_' + comp)
        os.chmod(os.path.join(d, comp), 0)
        refused('unreadable_' + comp, d, 'Permission denied', names=comp)
    d = make('unlistable')
    os.chmod(d, 0o311)  # files reachable by name, the directory not listable
    accepted('unlistable_directory', d, REFERENCE)
    os.chmod(d, 0)
    refused('inaccessible_directory', d, 'Permission denied')
    if have_formats:
        for f in ('example.h5ad', 'example_v3.h5', 'example_cells_rows.csv'):
            p = os.path.join(base, 'in', 'unreadable_' + f)
            shutil.copy(os.path.join(formats, f), p)
            os.chmod(p, 0)
            refused('unreadable_' + f, p, 'Permission denied')
    if SAMTOOLS:
        p = os.path.join(base, 'in', 'unreadable.bam')
        shutil.copy(bam_path, p)
        os.chmod(p, 0)
        refused('unreadable_bam', p, 'Permission denied', commands=('count', 'score'))


# ---- item 4: a full or read-only output file system ----
def on_tmpfs(name, size, check):
    """Mount a tmpfs of size (root only) and call check(mountpoint); unmount after."""
    mnt = os.path.join(base, 'mnt_' + name)
    os.makedirs(mnt)
    p = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=' + size, 'tmpfs', mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print('SKIP: cannot mount a tmpfs (%s): %s not checked' % (p.stderr.strip(), name))
        return
    try:
        check(mnt)
    finally:
        subprocess.run(['umount', mnt], check=True)


def full_fails(name, args, outdir, names, cause):
    rc, _, err = run(*args)
    lines = err.strip().splitlines()
    expect(rc == 1, '%s: exit %d, expected 1; %s' % (name, rc, err.strip()))
    expect(len(lines) == 1 and names in err and cause in err,
           '%s: expected one line naming %r and %r, got %r' % (name, names, cause, err))
    expect(leftovers(outdir) == [], '%s: left behind: %s' % (name, leftovers(outdir)))


if not ROOT:
    print('SKIP: not root: disk-full and read-only mounts not checked (only chmod)')
    ro = os.path.join(base, 'readonly_out')
    os.makedirs(ro)
    os.chmod(ro, 0o555)
    full_fails('chmod_0555_outdir', ['score', EXAMPLE, '-o', ro], ro, 'readonly_out', 'Permission denied')
    os.chmod(ro, 0o755)
else:
    # 64 kB: the temporary per-cell records fill it.  One page less than the
    # clean run's outputs: something must fail, in practice cells.tsv, written
    # while the temporary records still take their space.
    short = sum(os.path.getsize(os.path.join(ref_out, f)) for f in os.listdir(ref_out))
    short = '%dk' % (short // 4096 * 4 - 4)
    for size, label, extra in (('64k', '', []), ('64k', '_gzip', ['--gzip']),
                               ('64k', '_shard', ['--shard', '1/1']), (short, '', [])):
        def check(mnt, label=label, extra=extra, size=size):
            o = os.path.join(mnt, 'out')
            # The cause is the saved errno of the first failed write.
            full_fails('disk_full_%s%s' % (size, label), ['score', EXAMPLE, '-o', o] + extra, o,
                       'out/', 'No space left on device')
        on_tmpfs('full_%s%s' % (size, label), size, check)
    if SAMTOOLS:
        def check_count(mnt):
            o = os.path.join(mnt, 'out')
            full_fails('disk_full_count', ['count', bam_path, '-o', o], o, 'out/',
                       'No space left on device')
        on_tmpfs('full_count', '4k', check_count)

    def check_ro(mnt):
        os.makedirs(os.path.join(mnt, 'out'))
        p = subprocess.run(['mount', '-o', 'remount,ro', mnt], capture_output=True, text=True)
        if p.returncode != 0:
            print('SKIP: cannot remount read-only: %s' % p.stderr.strip())
            return
        o = os.path.join(mnt, 'out')
        full_fails('read_only_outdir', ['score', EXAMPLE, '-o', o], o, 'out/', 'Read-only file system')
        o2 = os.path.join(mnt, 'new', 'out')
        full_fails('read_only_new_outdir', ['score', EXAMPLE, '-o', o2], o2, 'new', 'Read-only file system')
        if SAMTOOLS:
            full_fails('read_only_count', ['count', bam_path, '-o', o], o, 'out/', 'Read-only file system')
    on_tmpfs('readonly', '1m', check_ro)
finish()
