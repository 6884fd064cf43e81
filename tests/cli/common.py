"""Shared helpers of the cli suite: run the built binary, make inputs."""
import atexit
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

DORMSCAN = os.environ['DORMSCAN']
SRCDIR = os.environ['SRCDIR']
SHARED = os.path.normpath(os.path.join(SRCDIR, '..', 'shared'))
EXAMPLE = os.path.join(SRCDIR, 'testdata', 'example')
SKIP = 77
failures = []


def run(*args, check=None):
    """Run dormscan; return (exit code, stdout, stderr)."""
    p = subprocess.run([DORMSCAN] + [str(a) for a in args], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    if check is not None and p.returncode != check:
        fail('dormscan %s: exit %d, expected %d; stderr: %s' %
             (' '.join(map(str, args)), p.returncode, check, p.stderr.strip()))
    return p.returncode, p.stdout, p.stderr


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def expect(cond, msg):
    if not cond:
        fail(msg)
    return cond


def finish():
    if failures:
        print('%d failure(s)' % len(failures))
        sys.exit(1)
    print('all checks passed')
    sys.exit(0)


def tmpdir():
    """A temporary directory, removed when the test exits."""
    d = tempfile.mkdtemp(prefix='dormscan-cli-')
    atexit.register(shutil.rmtree, d, True)
    return d


def read_table(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt') as f:
        rows = [line.rstrip('\n').split('\t') for line in f]
    return rows[0], rows[1:]


def read_text(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt') as f:
        return f.read()


def write_text(path, text, gz=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if gz:
        with gzip.open(path, 'wt') as f:
            f.write(text)
    else:
        with open(path, 'w') as f:
            f.write(text)


def copy_example(dest):
    """The bundled example as a writable Cell Ranger v3 directory."""
    shutil.copytree(EXAMPLE, dest)
    return dest


def mtx_parts(folder):
    """(header lines, size line, entries, features text, barcodes text) of the example."""
    lines = read_text(os.path.join(folder, 'matrix.mtx.gz')).splitlines()
    head = [l for l in lines if l.startswith('%')]
    body = [l for l in lines if not l.startswith('%')]
    return (head, body[0], body[1:], read_text(os.path.join(folder, 'features.tsv.gz')),
            read_text(os.path.join(folder, 'barcodes.tsv.gz')))


def outputs_left(outdir):
    """Final-name outputs present in outdir."""
    if not os.path.isdir(outdir):
        return []
    return [f for f in os.listdir(outdir)
            if f in ('cells.tsv', 'cells.tsv.gz', 'summary.tsv', 'run.json')]
