"""workflow/Snakefile and the Snakemake wrapper, run by snakemake on three samples.

Skipped (77) where snakemake is not on PATH.  The three samples are the bundled
example's 150 cells split into three MatrixMarket directories of 50 cells.  The
workflow builds one cohort reference and scores every sample against it, so its
per-sample tables must equal one joint `dormscan score --samples` run.
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


def run_workflow(name, targets=(), ok=True, **config):
    """Run workflow/Snakefile with these config keys; return (outdir, exit code, log).

    ok: whether snakemake must succeed (else it must fail)."""
    workdir = os.path.join(base, name)
    outdir = os.path.join(workdir, 'results')
    conf = dict(samples=sheet, outdir=outdir, dormscan=DORMSCAN)
    conf.update(config)
    conf = {k: v for k, v in conf.items() if v is not None}  # None: leave the key out
    conf_path = os.path.join(workdir, 'config.yaml')
    write_text(conf_path, json.dumps(conf, indent=1) + '\n')  # JSON is YAML
    code, log = snakemake(workdir, *targets, '--configfile', conf_path)
    if not expect((code == 0) == ok, '%s: snakemake exit %d' % (name, code)):
        print(log[-4000:])
    return outdir, code, log


def write_sheet(path, names, marks=None):
    """A sample sheet of these samples; marks: the reference column's values."""
    if marks is None:
        text = 'sample\tpath\n' + ''.join('%s\t%s\n' % (s, sample_dirs[s]) for s in names)
    else:
        text = 'sample\tpath\treference\n' + ''.join(
            '%s\t%s\t%s\n' % (s, sample_dirs[s], m) for s, m in zip(names, marks))
    write_text(path, text)
    return path


def read_json(path):
    with open(path) as f:
        return json.load(f)


def without_built_from(path):
    return [line for line in read_text(path).splitlines(True) if not line.startswith('built_from\t')]


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
sheet = write_sheet(os.path.join(base, 'samples.tsv'), SAMPLES)

# The cohort reference first, then one job per sample against it, the cohort
# summary, MultiQC when present.
out, code, log = run_workflow('plain')
reference = os.path.join(out, 'reference.tsv')
expect(os.path.isfile(reference), 'reference.tsv exists')
order = [line.split()[1].rstrip(':') for line in log.splitlines()
         if line.startswith(('rule ', 'localrule '))]
expect(order[:2] == ['reference_sheet', 'reference'] and order.count('reference') == 1 and
       order.count('score') == 3, 'the reference is built once, before the score jobs: %s' % order)
expect(read_text(os.path.join(out, 'reference_samples.tsv')) == read_text(sheet),
       'reference_samples.tsv: every sample of the sheet, in its order')
ids = set()
for s in SAMPLES:
    info = read_json(os.path.join(out, s, 'run.json'))
    expect('--reference %s ' % reference in info['command_line'] + ' ',
           '%s: scored with --reference %s: %s' % (s, reference, info['command_line']))
    expect(info['reference']['source'] == 'file' and info['reference']['path'] == reference,
           '%s: run.json names the cohort reference: %s' % (s, info['reference']))
    ids.add(info['reference_id'])
expect(len(ids) == 1, 'every sample has the same reference_id: %s' % ids)
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
# One joint run over the same sheet (its default reference: the pooled cells of
# every sample, the cells the workflow's reference is built from).
joint = os.path.join(base, 'joint')
run('score', '--samples', sheet, '-o', joint, '--quiet', check=0)
expect(os.path.isfile(cohort) and
       read_bytes(cohort) == read_bytes(os.path.join(joint, 'summary.tsv')),
       'cohort_summary.tsv equals the summary.tsv of one run over the sheet')
jh, jrows = read_table(os.path.join(joint, 'cells.tsv'))
for s in SAMPLES:
    h, rows = read_table(os.path.join(out, s, 'cells.tsv'))
    mine = [r for r in jrows if r[1] == s]
    # Every column but the sample's: QC, sets, evidence, calls.
    same = h == jh and [r[:1] + r[2:] for r in rows] == [r[:1] + r[2:] for r in mine]
    if not same and h == jh and len(rows) == len(mine):
        diff = [(h[j], rows[i][j], mine[i][j]) for i in range(len(rows))
                for j in range(len(h)) if rows[i][j] != mine[i][j]]
        print('first differences:', diff[:5])
    expect(same, '%s: cells.tsv equals the joint run\'s rows of the sample, byte for byte' % s)
joint_ref = read_json(os.path.join(joint, 'run.json'))['reference']
expect(joint_ref['populations'] == read_json(os.path.join(out, 's1', 'run.json'))['reference']['populations'],
       'the joint run\'s pooled reference has the cohort reference\'s cells: %s' % joint_ref)
direct = os.path.join(base, 'direct_reference.tsv')
run('reference', '--samples', sheet, '-o', direct, '--quiet', check=0)
expect(os.path.isfile(direct) and read_bytes(direct) == read_bytes(reference),
       'reference.tsv equals dormscan reference --samples SHEET')
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

# A reference column marks s1 and s3: the reference is built from their cells
# only, and every sample (s2 too) is scored against it.
marked_sheet = write_sheet(os.path.join(base, 'marked.tsv'), SAMPLES, ['true', 'No', '1'])
marked, code, log = run_workflow('marked', samples=marked_sheet)
ref_sheet = write_sheet(os.path.join(base, 's1_s3.tsv'), ['s1', 's3'])
expect(read_text(os.path.join(marked, 'reference_samples.tsv')) == read_text(ref_sheet),
       'marked: reference_samples.tsv lists s1 and s3')
direct13 = os.path.join(base, 'direct_s1_s3.tsv')
run('reference', '--samples', ref_sheet, '-o', direct13, '--quiet', check=0)
marked_ref = os.path.join(marked, 'reference.tsv')
expect(os.path.isfile(marked_ref) and without_built_from(marked_ref) == without_built_from(direct13),
       'marked: reference.tsv equals dormscan reference of s1 and s3 (apart from built_from)')
# The reference cells: the cells of s1 and s3 that pass the QC.
good = 0
for s in ('s1', 's3'):
    h, rows = read_table(os.path.join(out, s, 'cells.tsv'))
    good += sum(r[h.index('state')] != 'low_quality' for r in rows)
for s in SAMPLES:
    info = read_json(os.path.join(marked, s, 'run.json'))
    pops = info['reference']['populations']
    expect(pops[0]['name'] == 'all' and pops[0]['cells'] == good,
           'marked: %s was judged against the %d QC-passing cells of s1 and s3: %s' % (s, good, pops))
expect(os.path.isfile(os.path.join(marked, 'cohort_summary.tsv')), 'marked: the cohort merge ran')
direct_out = os.path.join(base, 'direct_s2')
run('score', sample_dirs['s2'], '--sample', 's2', '--reference', direct13, '-o', direct_out,
    '--quiet', check=0)
expect(read_bytes(os.path.join(direct_out, 'cells.tsv')) ==
       read_bytes(os.path.join(marked, 's2', 'cells.tsv')),
       'marked: s2/cells.tsv equals dormscan score of s2 against the s1+s3 reference')

# The same reference samples from config key reference_samples (the sheet stays
# one that dormscan score --samples reads); only the reference is asked for.
listed, code, log = run_workflow('listed', targets=['reference'],
                                 reference_samples=['s3', 's1'])
expect(read_bytes(os.path.join(listed, 'reference.tsv')) == read_bytes(marked_ref),
       'reference_samples [s3, s1]: the reference of the sheet column (in sheet order)')

# Config key reference: an existing file, no reference job.
given, code, log = run_workflow('given', reference=direct13)
expect(not os.path.exists(os.path.join(given, 'reference.tsv')) and 'rule reference' not in log,
       'reference given: no reference job')
for s in SAMPLES:
    expect(read_bytes(os.path.join(given, s, 'cells.tsv')) ==
           read_bytes(os.path.join(marked, s, 'cells.tsv')),
           'reference given: %s/cells.tsv equals the marked run\'s' % s)
    expect(read_json(os.path.join(given, s, 'run.json'))['reference']['path'] == direct13,
           'reference given: %s scored against it' % s)

# Cell types: config celltype (a column of the groups table) goes to the
# reference and to every score job; the workflow still equals a joint run.
groups = os.path.join(base, 'groups.tsv')
write_text(groups, 'barcode\ttype\n' + ''.join('%s\t%s\n' % (b, 'AB'[i % 2]) for i, b in enumerate(bc)))
typed, code, log = run_workflow('typed', groups=groups, celltype='type')
if expect(os.path.isfile(os.path.join(typed, 'reference.tsv')), 'celltype: reference.tsv exists'):
    pops = [line.split('\t')[1:] for line in read_text(os.path.join(typed, 'reference.tsv')).splitlines()
            if line.startswith('population\t')]
    expect(pops == [['all', '150'], ['A', '75'], ['B', '75']], 'celltype: populations %s' % pops)
joint_typed = os.path.join(base, 'joint_typed')
run('score', '--samples', sheet, '--groups', groups, '--celltype', 'type', '-o', joint_typed,
    '--quiet', check=0)
jh, jrows = read_table(os.path.join(joint_typed, 'cells.tsv'))
rows = []
for s in SAMPLES:
    if expect(os.path.isfile(os.path.join(typed, s, 'cells.tsv')), 'celltype: %s/cells.tsv' % s):
        h, r = read_table(os.path.join(typed, s, 'cells.tsv'))
        rows += r
        expect(h == jh, 'celltype: %s has the joint run\'s columns' % s)
expect(rows == jrows, 'celltype: the samples\' rows equal the joint run\'s')
expect(os.path.isfile(os.path.join(typed, 'cohort_summary.tsv')) and
       read_bytes(os.path.join(typed, 'cohort_summary.tsv')) ==
       read_bytes(os.path.join(joint_typed, 'summary.tsv')),
       'celltype: cohort_summary.tsv equals the joint run\'s summary.tsv')

# A condition column in the sheet: dormscan compare over the samples (two
# pre, one post: too few for a test, so proportions with NA p-values), and
# its table in the MultiQC report.
cond_sheet = os.path.join(base, 'samples_condition.tsv')
write_text(cond_sheet, 'sample\tpath\tcondition\n' + ''.join(
    '%s\t%s\t%s\n' % (s, sample_dirs[s], c) for s, c in zip(SAMPLES, ('pre', 'pre', 'post'))))
compared, code, log = run_workflow('compare', samples=cond_sheet)
table = os.path.join(compared, 'compare', 'compare.tsv')
if expect(os.path.isfile(table), 'compare: compare/compare.tsv exists'):
    h, rows = read_table(table)
    expect(h[:3] == ['state', 'prop_post', 'prop_pre'] and rows and
           all(r[h.index('p_value')] == 'NA' for r in rows),
           'compare: proportions by condition, p-values NA with one post sample: %s' % h)
    expect("condition 'post' has 1 sample" in read_text(os.path.join(compared, 'logs', 'compare.log')),
           'compare: the log says why there is no test')
if shutil.which('multiqc'):
    expect('dormscan_compare' in read_text(os.path.join(compared, 'multiqc_report.html')),
           'compare: the MultiQC report has the comparison table')

# A bad sample sheet or configuration stops the workflow before any job, naming the problem.
def refused(name, sheet_text, message, **config):
    d = os.path.join(base, name)
    conf = dict(samples=os.path.join(d, 'samples.tsv'), outdir=os.path.join(d, 'o'))
    conf.update(config)
    write_text(conf['samples'], sheet_text)
    write_text(os.path.join(d, 'config.yaml'), json.dumps(conf))
    code, log = snakemake(d, '--configfile', os.path.join(d, 'config.yaml'))
    expect(code != 0 and message in log, '%s: exit %d, message %r in: %s' % (name, code, message,
                                                                            log[-400:]))
    expect(not os.path.exists(os.path.join(d, 'o')), '%s: nothing written' % name)


one, two = sample_dirs['s1'], sample_dirs['s2']
refused('bad', 's1\t%s\ns1\t%s\n' % (one, two), "sample 's1' is given twice")
refused('bad_value', 'sample\tpath\treference\ns1\t%s\ttrue\ns2\t%s\tmaybe\n' % (one, two),
        "%s line 3: reference column of sample 's2' is 'maybe'; expected true/false, yes/no or 1/0"
        % os.path.join(base, 'bad_value', 'samples.tsv'))
refused('bad_fields', 'sample\tpath\treference\ns1\t%s\ttrue\ns2\t%s\n' % (one, two),
        "%s line 3: expected sample<TAB>path<TAB>reference, got 2 field(s)"
        % os.path.join(base, 'bad_fields', 'samples.tsv'))
refused('bad_none', 's1\t%s\tno\ns2\t%s\t0\n' % (one, two), 'marks no sample as reference')
refused('bad_both', 's1\t%s\tyes\ns2\t%s\tno\n' % (one, two), 'give the reference samples one way only',
        reference_samples=['s1'])
refused('bad_listed', 's1\t%s\n' % one, "'reference_samples': 's9' is not a sample of",
        reference_samples=['s9'])
refused('bad_given', 's1\t%s\n' % one, "config key 'reference': no such file",
        reference=os.path.join(base, 'nonexistent.tsv'))
refused('bad_celltype', 's1\t%s\n' % one, "config key 'celltype' names a column", celltype='type')

# The Snakemake wrapper, from a local path, with the cohort reference as its
# reference input, gives the workflow's table.
wdir = os.path.join(base, 'wrapper')
write_text(os.path.join(wdir, 'Snakefile'), '''
rule dormscan_score:
    input:
        "%(input)s",
        reference="%(reference)s",
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
''' % dict(input=sample_dirs['s2'], reference=reference, dormscan=DORMSCAN, wrapper=WRAPPER))
code, log = snakemake(wdir, 'out/s2/cells.tsv', snakefile=os.path.join(wdir, 'Snakefile'))
if not expect(code == 0, 'wrapper: snakemake exit %d' % code):
    print(log[-4000:])
a, b = os.path.join(out, 's2', 'cells.tsv'), os.path.join(wdir, 'out', 's2', 'cells.tsv')
expect(os.path.isfile(a) and os.path.isfile(b) and read_bytes(a) == read_bytes(b),
       'wrapper: the same cells.tsv as the workflow')
# Without the key 'dormscan' and with no dormscan on PATH (the README builds
# it in build/ but does not install it), the workflow finds build/dormscan.
if os.path.realpath(DORMSCAN) == os.path.realpath(os.path.join(SRCDIR, 'build', 'dormscan')):
    path_env = ENV['PATH']
    ENV['PATH'] = os.pathsep.join(p for p in path_env.split(os.pathsep)
                                  if not os.path.exists(os.path.join(p, 'dormscan')))
    out, code, log = run_workflow('built_binary', dormscan=None)
    expect(code == 0 and os.path.exists(os.path.join(out, 'cohort_summary.tsv')),
           'the workflow finds build/dormscan: %s' % log[-500:])
    ENV['PATH'] = path_env
finish()
