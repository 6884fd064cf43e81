"""workflow/Snakefile and the Snakemake wrapper, run by snakemake on three samples.

Skipped (77) where snakemake is not on PATH.  The three samples are the bundled
example's 150 cells split into three MatrixMarket directories of 50 cells.
"""
import json
import os
import shutil
import subprocess
import sys

from common import (DORMSCAN, EXAMPLE, SKIP, SRCDIR, expect, finish, mtx_parts, read_table,
                    read_text, run, tmpdir, write_text)

SNAKEMAKE = shutil.which('snakemake')
if SNAKEMAKE is None:
    print('snakemake is not on PATH: skipped')
    sys.exit(SKIP)
SNAKEFILE = os.path.join(SRCDIR, 'workflow', 'Snakefile')
WRAPPER = os.path.join(SRCDIR, 'workflow', 'wrapper')
SAMPLES = ['s1', 's2', 's3']
base = tmpdir()
ENV = dict(os.environ, XDG_CACHE_HOME=os.path.join(base, 'cache'))


def read_bytes(path):
    with open(path, 'rb') as f:
        return f.read()


def snakemake(workdir, *args, snakefile=SNAKEFILE):
    """Run snakemake in workdir; return (exit code, stdout + stderr)."""
    os.makedirs(workdir, exist_ok=True)
    cmd = [SNAKEMAKE, '-s', snakefile, '-d', workdir, '--cores', '2'] + list(args)
    p = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=ENV,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout + p.stderr


def run_workflow(name, **config):
    """Run workflow/Snakefile with these config keys; return (outdir, exit code, log)."""
    workdir = os.path.join(base, name)
    outdir = os.path.join(workdir, 'results')
    conf = dict(samples=sheet, outdir=outdir)
    conf.update(config)
    conf_path = os.path.join(workdir, 'config.yaml')
    write_text(conf_path, json.dumps(conf, indent=1) + '\n')  # JSON is YAML
    code, log = snakemake(workdir, '--configfile', conf_path, '--config', 'dormscan=' + DORMSCAN)
    if not expect(code == 0, '%s: snakemake exit %d' % (name, code)):
        print(log[-4000:])
    return outdir, code, log


# Three samples: cells 1-50, 51-100 and 101-150 of the example.
head, size, entries, features, barcodes = mtx_parts(EXAMPLE)
n_genes, n_cells, _ = (int(x) for x in size.split())
bc = barcodes.split()
sample_dirs = {}
for i, s in enumerate(SAMPLES):
    lo, hi = 50 * i + 1, 50 * i + 50
    part = []
    for e in entries:
        g, c, v = e.split()
        if lo <= int(c) <= hi:
            part.append('%s %d %s' % (g, int(c) - lo + 1, v))
    d = os.path.join(base, 'data', s)
    write_text(os.path.join(d, 'matrix.mtx.gz'),
               '\n'.join(head + ['%d %d %d' % (n_genes, 50, len(part))] + part) + '\n', gz=True)
    write_text(os.path.join(d, 'features.tsv.gz'), features, gz=True)
    write_text(os.path.join(d, 'barcodes.tsv.gz'), '\n'.join(bc[lo - 1:hi]) + '\n', gz=True)
    sample_dirs[s] = d
sheet = os.path.join(base, 'samples.tsv')
write_text(sheet, 'sample\tpath\n' + ''.join('%s\t%s\n' % (s, sample_dirs[s]) for s in SAMPLES))

# One job per sample, the cohort summary, MultiQC when present.
out, code, log = run_workflow('plain')
for i, s in enumerate(SAMPLES):
    cells = os.path.join(out, s, 'cells.tsv')
    if expect(os.path.isfile(cells), '%s/cells.tsv exists' % s):
        h, rows = read_table(cells)
        expect(h[:2] == ['barcode', 'sample'], '%s: barcode and sample columns: %s' % (s, h[:2]))
        expect([r[0] for r in rows] == bc[50 * i:50 * i + 50], '%s: its 50 cells in order' % s)
        expect(all(r[1] == s for r in rows), '%s: the sample column names it' % s)
    expect(os.path.isfile(os.path.join(out, s, 'summary.tsv')), '%s/summary.tsv exists' % s)
cohort = os.path.join(out, 'cohort_summary.tsv')
if expect(os.path.isfile(cohort), 'cohort_summary.tsv exists'):
    h, rows = read_table(cohort)
    expect(h[:3] == ['sample', 'grouping', 'group'], 'cohort summary header: %s' % h[:3])
    expect([r[0] for r in rows if r[1:3] == ['all', 'all']] == SAMPLES + ['all'],
           'a row per sample, in sheet order, then the all row: %s' % [r[:3] for r in rows])
    n = h.index('n_cells')
    expect([r[n] for r in rows] == ['50', '50', '50', '150'], 'cell counts: %s' % [r[n] for r in rows])
    # The cohort summary is the summary of one run over the same sheet.
    joint = os.path.join(base, 'joint')
    run('score', '--samples', sheet, '-o', joint, '--quiet', check=0)
    expect(read_bytes(cohort) == read_bytes(os.path.join(joint, 'summary.tsv')),
           'cohort_summary.tsv equals the summary.tsv of one run over the sheet')
if shutil.which('multiqc'):
    report = os.path.join(out, 'multiqc_report.html')
    if expect(os.path.isfile(report), 'multiqc_report.html exists (multiqc is on PATH)'):
        expect('dormscan' in read_text(report), 'the MultiQC report has the dormscan section')
else:
    expect(not os.path.exists(os.path.join(out, 'multiqc_report.html')),
           'no MultiQC report without multiqc')
    print('multiqc is not on PATH: its rule is not checked')
code, log = snakemake(os.path.join(base, 'plain'), '--configfile',
                      os.path.join(base, 'plain', 'config.yaml'), '--config', 'dormscan=' + DORMSCAN,
                      '--dry-run')
expect(code == 0 and 'Nothing to be done' in log, 'a finished run has nothing left to do: %s' % log[-300:])

# Two shards per sample, finished by dormscan merge: the same files.
sharded, code, log = run_workflow('sharded', shards=2)
for s in SAMPLES:
    for f in ('cells.tsv', 'summary.tsv'):
        a, b = os.path.join(out, s, f), os.path.join(sharded, s, f)
        expect(os.path.isfile(b) and os.path.isfile(a) and read_bytes(a) == read_bytes(b),
               'shards: %s/%s identical to the unsharded run' % (s, f))
    expect(os.path.isfile(os.path.join(sharded, s, 'shards', '2', 'run.json')), '%s: shard 2 ran' % s)
    expect(not os.path.exists(os.path.join(sharded, s, 'shards', '1', 'shard.bin')),
           '%s: shard records removed once merged (temp)' % s)
expect(os.path.isfile(cohort) and os.path.isfile(os.path.join(sharded, 'cohort_summary.tsv')) and
       read_bytes(cohort) == read_bytes(os.path.join(sharded, 'cohort_summary.tsv')),
       'shards: the same cohort summary')

# Three shards with gzip: the same table, compressed.
gz, code, log = run_workflow('gz', shards=3, gzip=True)
for s in SAMPLES:
    a, b = os.path.join(out, s, 'cells.tsv'), os.path.join(gz, s, 'cells.tsv.gz')
    expect(os.path.isfile(b) and os.path.isfile(a) and read_text(a) == read_text(b),
           'gzip, 3 shards: %s/cells.tsv.gz holds the same table' % s)

# A bad sample sheet stops the workflow before any job, naming the problem.
bad = os.path.join(base, 'bad')
write_text(os.path.join(bad, 'samples.tsv'), 's1\t%s\ns1\t%s\n' % (sample_dirs['s1'], sample_dirs['s2']))
write_text(os.path.join(bad, 'config.yaml'),
           json.dumps(dict(samples=os.path.join(bad, 'samples.tsv'), outdir=os.path.join(bad, 'o'))))
code, log = snakemake(bad, '--configfile', os.path.join(bad, 'config.yaml'))
expect(code != 0 and "sample 's1' is given twice" in log, 'duplicate sample is an error: %s' % log[-300:])
expect(not os.path.exists(os.path.join(bad, 'o')), 'nothing written for a bad sheet')

# The Snakemake wrapper, from a local path, gives the workflow's table.
wdir = os.path.join(base, 'wrapper')
write_text(os.path.join(wdir, 'Snakefile'), '''
rule dormscan_score:
    input: "%(input)s"
    output:
        cells="out/{sample}/cells.tsv",
        summary="out/{sample}/summary.tsv",
        json="out/{sample}/run.json",
    params:
        extra="",
        dormscan="%(dormscan)s",
    log: "logs/{sample}.log"
    threads: 1
    wrapper: "file:%(wrapper)s"
''' % dict(input=sample_dirs['s2'], dormscan=DORMSCAN, wrapper=WRAPPER))
code, log = snakemake(wdir, 'out/s2/cells.tsv', snakefile=os.path.join(wdir, 'Snakefile'))
if not expect(code == 0, 'wrapper: snakemake exit %d' % code):
    print(log[-4000:])
a, b = os.path.join(out, 's2', 'cells.tsv'), os.path.join(wdir, 'out', 's2', 'cells.tsv')
expect(os.path.isfile(a) and os.path.isfile(b) and read_bytes(a) == read_bytes(b),
       'wrapper: the same cells.tsv as the workflow')
finish()
