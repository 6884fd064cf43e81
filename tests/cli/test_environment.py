"""Faults of the environment (issue 23): what pipelines, clusters and shells
do to a process, as opposed to broken inputs (test_hostile.py): closed
standard descriptors, odd output paths, numbers at the edges of their range."""
import os
import subprocess

from common import DORMSCAN, EXAMPLE, expect, finish, read_table, read_text, run, tmpdir, write_text

base = tmpdir()


def shell(cmd):
    """Run a shell command line (dormscan as $D); return (code, stdout, stderr)."""
    p = subprocess.run(['sh', '-c', cmd], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       env=dict(os.environ, D=DORMSCAN))
    return p.returncode, p.stdout, p.stderr


# ---- closed standard descriptors: messages never land in an output ----
clean = os.path.join(base, 'clean')
run('score', EXAMPLE, '-o', clean, '-q', check=0)
want = read_text(os.path.join(clean, 'cells.tsv'))
for name, redirect in (('stderr', '2>&-'), ('stdout', '>&-'), ('stdin', '<&-'),
                       ('all three', '<&- >&- 2>&-')):
    out = os.path.join(base, 'closed_' + name.replace(' ', '_'))
    code, _, _ = shell('"$D" score %s -v -o %s %s' % (EXAMPLE, out, redirect))
    expect(code == 0 and read_text(os.path.join(out, 'cells.tsv')) == want,
           '%s closed: exit %d and the clean cells.tsv' % (name, code))
# a warning with stderr closed goes nowhere, not into the table
missing = os.path.join(base, 'no_such_groups.tsv')
out = os.path.join(base, 'closed_warn')
code, _, _ = shell('"$D" score %s --min-coverage 0.99 -o %s 2>&-' % (EXAMPLE, out))
expect(code == 0 and read_text(os.path.join(out, 'cells.tsv')) == want,
       'a warning with stderr closed: exit %d, the clean cells.tsv' % code)
code, _, _ = shell('"$D" score %s --groups %s -o %s 2>&-' % (EXAMPLE, missing, os.path.join(base, 'closed_err')))
expect(code == 1 and not os.path.exists(os.path.join(base, 'closed_err', 'cells.tsv')),
       'an error with stderr closed: exit 1 and no output (%d)' % code)

# ---- output paths ----
for cmd in ('score', 'reference', 'merge', 'count'):
    code, _, err = run(cmd, EXAMPLE, '-o', '')
    expect(code == 2 and '-o' in err and 'empty' in err, '%s -o "": usage error: %s' % (cmd, err.strip()))
dangling = os.path.join(base, 'dangling')
os.symlink(os.path.join(base, 'no', 'such', 'dir'), dangling)
code, _, err = run('score', EXAMPLE, '-o', dangling)
expect(code == 1 and 'symbolic link to a missing directory' in err,
       'a dangling symlink OUTDIR: %s' % err.strip())
deep = os.path.join(base, 'x' * 250, 'y' * 250, 'z' * 250, 'w' * 250, 'v' * 250)
long_dir = deep + '/' + 'u' * 4200
code, _, err = run('score', EXAMPLE, '-o', long_dir)
expect(code == 1 and err.count('\n') == 1 and 'too long' in err,
       'an OUTDIR beyond PATH_MAX keeps its cause in the message: %s' % err[-120:])

# ---- numbers at the edges ----
# A cell of 10^15 UMIs (one huge entry) prints its total as an integer.
mtx = os.path.join(base, 'huge')
os.makedirs(mtx)
write_text(os.path.join(mtx, 'matrix.mtx'),
           '%%MatrixMarket matrix coordinate integer general\n3 2 4\n1 1 1000000000000000\n2 1 7\n'
           '3 2 5\n1 2 4.9e-324\n'.replace('integer', 'real'))
write_text(os.path.join(mtx, 'features.tsv'), 'G1\tCDK1\nG2\tMKI67\nG3\tTOP2A\n')
write_text(os.path.join(mtx, 'barcodes.tsv'), 'big-1\nsmall-1\n')
out = os.path.join(base, 'huge_out')
code, _, err = run('score', mtx, '--min-genes', '0', '--min-coverage', '0', '-o', out, '-q')
expect(code == 0, 'a 10^15-UMI cell and a subnormal value are accepted: %s' % err.strip())
if code == 0:
    h, rows = read_table(os.path.join(out, 'cells.tsv'))
    umi = {r[0]: r[h.index('dorm_n_umi')] for r in rows}
    expect(umi.get('big-1') == '1000000000000007', 'n_umi as an integer: %s' % umi.get('big-1'))

# ---- names that no table could hold: a tab, newline or carriage return ----
tab_dir = os.path.join(base, 'a\tb')
os.makedirs(tab_dir)
for f in os.listdir(EXAMPLE):
    os.symlink(os.path.join(EXAMPLE, f), os.path.join(tab_dir, f))
for what, args in (('a folder name', [tab_dir]), ('--sample', [EXAMPLE, '--sample', 'x\ny'])):
    out = os.path.join(base, 'name_out')
    code, _, err = run('score', *args, '-o', out)
    expect(code == 2 and 'tab, newline or carriage return' in err and not os.path.exists(out),
           'a sample name from %s: usage error: %s' % (what, err.strip()))
cr = os.path.join(base, 'cr_barcode')
os.makedirs(cr)
write_text(os.path.join(cr, 'matrix.mtx'), '%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 1 4\n2 2 3\n')
write_text(os.path.join(cr, 'genes.tsv'), 'G1\tCDK1\nG2\tMKI67\n')
write_text(os.path.join(cr, 'barcodes.tsv'), 'AAA\rBBB-1\nccc-1\n')
out = os.path.join(base, 'cr_out')
code, _, err = run('score', cr, '--min-genes', '0', '--min-coverage', '0', '-o', out)
expect(code == 1 and 'barcode of cell 1' in err and not os.path.exists(os.path.join(out, 'cells.tsv')),
       'a carriage return inside a barcode: %s' % err.strip())
groups = os.path.join(base, 'quoted_tab.csv')
write_text(groups, 'barcode,group\n"CYCL_01-1","a\tb"\n')
code, _, err = run('score', EXAMPLE, '--groups', groups, '-o', os.path.join(base, 'g_out'))
expect(code == 1 and 'line 2: field 2' in err, 'a tab in a quoted group value: %s' % err.strip())

finish()
