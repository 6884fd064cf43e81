"""One dataset, every container, one answer: the bundled example converted to
each input format dormscan reads scores to the byte-identical cells.tsv."""
import gzip
import json
import os
import subprocess

from common import EXAMPLE, SKIP, SRCDIR, expect, finish, outputs_left, read_text, run, tmpdir

# The converter (tests/tools/make_formats.c): meson passes it in MAKE_FORMATS;
# a manual run falls back to the default build directory.
tool = os.environ.get('MAKE_FORMATS') or os.path.join(SRCDIR, 'build', 'tests', 'make_formats')
if not os.path.isfile(tool):
    if os.environ.get('MAKE_FORMATS'):
        expect(False, 'MAKE_FORMATS=%s does not exist' % tool)
        finish()
    print('SKIP: no make_formats (set MAKE_FORMATS or build build/tests/make_formats)')
    raise SystemExit(SKIP)

base = tmpdir()
files = os.path.join(base, 'formats')
os.makedirs(files)
p = subprocess.run([tool, EXAMPLE, files], capture_output=True, text=True, stdin=subprocess.DEVNULL)
expect(p.returncode == 0, 'make_formats: exit %d; %s' % (p.returncode, p.stderr.strip()))

# name -> (the format inspect and run.json report -- a prefix, the variant may
# follow -- and 'values': the stored type for HDF5, the content for text tables)
FORMATS = {
    'example_v3.h5': ('10x-h5-v3', 'integer'),
    'example_v2.h5': ('10x-h5-v2', 'integer'),
    'example.h5ad': ('h5ad', 'real'),
    'example_csc.h5ad': ('h5ad', 'real'),
    'example_dense.h5ad': ('h5ad', 'real'),
    'example.loom': ('loom', 'real'),
    'example_genes_rows.tsv.gz': ('dense', 'integer'),
    'example_cells_rows.csv': ('dense', 'integer'),
}
for name in FORMATS:
    expect(os.path.isfile(os.path.join(files, name)), 'make_formats wrote %s' % name)


def inspect(path, *extra):
    """inspect's 'key: value' lines as a dict ({} when it failed)."""
    code, out, err = run('inspect', path, *extra)
    if not expect(code == 0, 'inspect %s: exit %d; %s' % (os.path.basename(path), code, err.strip())):
        return {}
    return dict(l.split(': ', 1) for l in out.splitlines() if ': ' in l)


def score(path, name, *extra):
    """Score with --sample example; return cells.tsv's text ('' when it failed)."""
    out = os.path.join(base, name)
    code, _, err = run('score', path, '-o', out, '--sample', 'example', *extra)
    if not expect(code == 0, 'score %s %s: exit %d; %s' % (os.path.basename(path), ' '.join(extra),
                                                         code, err.strip())):
        return ''
    return read_text(os.path.join(out, 'cells.tsv'))


# The reference: the MatrixMarket directory itself.
reference = score(EXAMPLE, 'ref')
ref = inspect(EXAMPLE)
expect(ref.get('format') == '10x-mtx-v3' and ref.get('cells') == '150' and ref.get('genes') == '7392',
       'the example is a 150-cell, 7392-gene Cell Ranger v3 directory: %s' % ref)
expect(reference.count('\n') == 151, 'reference table has a header and 150 cells')

# Every container: same cells, genes and stored nonzeros (the example has no
# explicit zeros, so the dense inputs store exactly the MTX's nnz), and the
# same table byte for byte -- also for the dense inputs, whose genes have no
# ids besides their symbols, because the panel matches genes by symbol.
for name, (fmt, values) in FORMATS.items():
    path = os.path.join(files, name)
    info = inspect(path)
    if info:
        got = {k: info.get(k) for k in ('cells', 'genes', 'nnz')}
        want = {'cells': '150', 'genes': '7392', 'nnz': ref.get('nnz')}
        expect(got == want, '%s: inspect %s, expected %s' % (name, got, want))
        expect(info.get('format', '').startswith(fmt),
               '%s: format %s, expected %s' % (name, info.get('format'), fmt))
        expect(info.get('values') == values,
               '%s: values %s, expected %s' % (name, info.get('values'), values))
    table = score(path, name + '_out')
    if not table:
        continue
    expect(table == reference, '%s: cells.tsv differs from the MatrixMarket directory\'s' % name)
    sample = json.load(open(os.path.join(base, name + '_out', 'run.json')))['samples'][0]
    expect(sample['format'].startswith(fmt) and sample['nnz'] == int(ref.get('nnz', -1)),
           '%s: run.json format %s nnz %s' % (name, sample['format'], sample['nnz']))
    # Chunks that do not divide the cells: slices of every backend line up.
    expect(score(path, name + '_chunk7', '--chunk-cells', '7') == reference,
           '%s --chunk-cells 7: cells.tsv differs' % name)

# --format forces the backend and gives the same answer.
for name, forced in (('example_v3.h5', '10x-h5'), ('example_v2.h5', '10x-h5'), ('example.h5ad', 'h5ad'),
                     ('example_csc.h5ad', 'h5ad'), ('example_dense.h5ad', 'h5ad'),
                     ('example.loom', 'loom'),
                     ('example_genes_rows.tsv.gz', 'dense'), ('example_cells_rows.csv', 'dense')):
    path = os.path.join(files, name)
    table = score(path, name + '_forced', '--format', forced)
    expect(not table or table == reference, '%s --format %s: cells.tsv differs' % (name, forced))
expect(score(EXAMPLE, 'mtx_forced', '--format', 'mtx') == reference, 'directory --format mtx: same table')

# Detection is by content, not by name: a 10x HDF5 file without its extension.
renamed = os.path.join(base, 'renamed.dat')
with open(os.path.join(files, 'example_v3.h5'), 'rb') as src, open(renamed, 'wb') as dst:
    dst.write(src.read())
expect(inspect(renamed).get('format') == '10x-h5-v3', 'a 10x HDF5 file is detected without its .h5 name')


def refused(path, name, needle, code, *extra):
    """score and inspect fail with code, one stderr line holding needle, no outputs."""
    out = os.path.join(base, name)
    for cmd in (('score', path, '-o', out) + extra, ('inspect', path) + extra):
        rc, _, err = run(*cmd)
        lines = err.strip().splitlines()
        expect(rc == code, '%s (%s): exit %d, expected %d; %s' % (name, cmd[0], rc, code, err.strip()))
        expect(len(lines) == 1, '%s (%s): one stderr line, got %d: %r' % (name, cmd[0], len(lines), err))
        expect(needle in err, '%s (%s): %r lacks %r' % (name, cmd[0], err.strip(), needle))
    expect(outputs_left(out) == [], '%s: outputs left behind: %s' % (name, outputs_left(out)))


# A gzip-wrapped HDF5 file is refused with a hint, not read as a dense table.
v3gz = os.path.join(base, 'example_v3.h5.gz')
with open(os.path.join(files, 'example_v3.h5'), 'rb') as src, gzip.open(v3gz, 'wb') as dst:
    dst.write(src.read())
refused(v3gz, 'gzipped_h5', 'decompress it first', 1)

# A forced format that does not fit the content is a data error; an unknown
# format name is a usage error.
refused(os.path.join(files, 'example_v3.h5'), 'wrong_format', 'example_v3.h5', 1, '--format', 'h5ad')
refused(os.path.join(files, 'example.h5ad'), 'bogus_format', 'unknown format', 2, '--format', 'bogus')
finish()
