"""Faults of the environment (issue 23): what pipelines, clusters and shells
do to a process, as opposed to broken inputs (test_hostile.py): closed
standard descriptors, odd output paths, numbers at the edges of their range."""
import os
import resource
import shutil
import signal
import subprocess
import time

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

# ---- the output set commits whole ----
FINAL = ('cells.tsv', 'summary.tsv', 'run.json', 'report.html', 'dormscan_mqc.tsv',
         'dormscan_general_stats_mqc.tsv')


def snapshot(outdir):
    return {f: open(os.path.join(outdir, f), 'rb').read() for f in FINAL
            if os.path.isfile(os.path.join(outdir, f))}


def dot_files(outdir):
    return sorted(f for f in os.listdir(outdir) if f.startswith('.')) if os.path.isdir(outdir) else []


for blocker in ('summary.tsv', 'run.json'):  # the second file of the set, and the last
    out = os.path.join(base, 'commit_' + blocker)
    run('score', EXAMPLE, '-o', out, '-q', check=0)
    before = snapshot(out)
    os.remove(os.path.join(out, blocker))
    os.makedirs(os.path.join(out, blocker, 'inside'))
    del before[blocker]
    code, _, err = run('score', EXAMPLE, '--fdr', '0.2', '-o', out)
    expect(code == 1 and 'directory is in the way' in err and blocker in err,
           'a directory at %s: exit 1 naming it: %s' % (blocker, err.strip()))
    expect(snapshot(out) == before and not dot_files(out),
           'a directory at %s: every other file is the earlier run\'s, no temporaries: %s'
           % (blocker, dot_files(out)))

# ---- stale temporaries of dead runs are swept; others' dot files stay ----
out = os.path.join(base, 'stale')
os.makedirs(out)
stale = ['.cells.tsv.dormscan-tmp.Ab12Cd', '.dormscan-spill.4242.rec', '.cells.tsv.tmp.4242',
         '.dormscan-tmp.cells.cells.Zz99Yy']
for f in stale + ['.keepme', '.cells.tsv.tmp.notapid']:
    write_text(os.path.join(out, f), 'x')
run('score', EXAMPLE, '-o', out, '-q', check=0)
expect(dot_files(out) == ['.cells.tsv.tmp.notapid', '.keepme'],
       'stale temporaries swept, other dot files kept: %s' % dot_files(out))

# ---- a second run into the same OUTDIR fails at once; signals leave nothing ----
sheet = os.path.join(base, 'many.tsv')
write_text(sheet, ''.join('s%02d\t%s\n' % (i, EXAMPLE) for i in range(60)))


def start(out, *extra, stderr=subprocess.DEVNULL, preexec=None, prefix=()):
    return subprocess.Popen(list(prefix) + [DORMSCAN, 'score', '--samples', sheet, '-@', '1', '-o', out]
                            + list(extra), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=stderr, preexec_fn=preexec)


def wait_for_temporary(out, proc, limit=60):
    """Until the run has a temporary file in out (it is writing), or ends."""
    t0 = time.time()
    while time.time() - t0 < limit and proc.poll() is None:
        if dot_files(out):
            return True
        time.sleep(0.005)
    return False


def concurrent(label, prefix=()):
    out = os.path.join(base, 'lock_' + label)
    first = start(out, '-q', prefix=prefix)
    if not expect(wait_for_temporary(out, first), '%s: the first run started writing' % label):
        first.kill()
        first.wait()
        return
    p = subprocess.run(list(prefix) + [DORMSCAN, 'score', EXAMPLE, '-o', out], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    expect(p.returncode == 1 and 'another dormscan run is writing' in p.stderr,
           '%s: the second run fails at once: %d %s' % (label, p.returncode, p.stderr.strip()))
    code = first.wait()
    expect(code == 0 and len(read_table(os.path.join(out, 'cells.tsv'))[1]) == 60 * 150
           and not dot_files(out), '%s: the first run completes alone (%d)' % (label, code))


concurrent('same_namespace')
if os.geteuid() == 0 and shutil.which('unshare'):
    # each run its own PID namespace, where both are PID 1
    probe = subprocess.run(['unshare', '--pid', '--fork', 'true'], capture_output=True)
    if probe.returncode == 0:
        concurrent('pid_namespaces', prefix=('unshare', '--pid', '--fork'))
    else:
        print('SKIP: unshare --pid refused here')
else:
    print('SKIP: PID namespaces need root and unshare')

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    out = os.path.join(base, 'signal_%d' % sig)
    proc = start(out, '-q', preexec=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    writing = wait_for_temporary(out, proc)
    proc.send_signal(sig)
    code = proc.wait()
    expect(writing and code == -sig and not dot_files(out) and not snapshot(out),
           'signal %d: ended by it (%d), nothing left: %s' % (sig, code, dot_files(out)))
# SIGPIPE: -v into a pipe whose reader has gone
out = os.path.join(base, 'signal_pipe')
proc = start(out, '-v', stderr=subprocess.PIPE)
proc.stderr.readline()
proc.stderr.close()
code = proc.wait()
expect(code == -signal.SIGPIPE and not dot_files(out) and not snapshot(out),
       'SIGPIPE: ended by it (%d), nothing left: %s' % (code, dot_files(out)))
# a file size limit: "File too large", status 1, nothing left
out = os.path.join(base, 'fsize')
p = subprocess.run([DORMSCAN, 'score', EXAMPLE, '-o', out], capture_output=True, text=True,
                   stdin=subprocess.DEVNULL,
                   preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (50000, 50000)))
expect(p.returncode == 1 and 'File too large' in p.stderr and not dot_files(out) and not snapshot(out),
       'ulimit -f: exit 1, File too large, nothing left: %d %s %s' % (p.returncode, p.stderr.strip(),
                                                                      dot_files(out)))

# ---- streams: refused at once, never a hang or a false parse error ----
fifo = os.path.join(base, 'fifo')
os.mkfifo(fifo)
for cmd in ('score', 'inspect'):
    args = [DORMSCAN, cmd, fifo] + (['-o', os.path.join(base, 'fifo_out')] if cmd == 'score' else [])
    p = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    expect(p.returncode == 2 and 'not a regular file' in p.stderr, '%s of a FIFO: %s' % (cmd, p.stderr.strip()))
matrix = open(os.path.join(EXAMPLE, 'matrix.mtx.gz'), 'rb').read()
for name in ('/dev/stdin', '-'):
    p = subprocess.run([DORMSCAN, 'score', name, '-o', os.path.join(base, 'stdin_out')], input=matrix,
                       capture_output=True, timeout=30)
    expect(p.returncode == 2 and b'not a regular file' in p.stderr,
           '%s: %s' % (name, p.stderr.decode().strip()))

finish()
