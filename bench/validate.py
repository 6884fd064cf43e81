#!/usr/bin/env python3
"""Validate dormscan's calls against two labelled public data sets (stdlib only).

1. Replicative senescence (Tang 2019, via QDSWorkflow): 400 high-population-
   doubling (HighPD) and 400 low-PD (LowPD) human fibroblasts.  dormscan score
   runs with default options on the shared 10x copy of the counts.  Reported:
   AUROC of every score_* column (and of every set column) for HighPD vs LowPD,
   the peers' SenMayo AUROCs, the fraction of cells called senescent per label,
   the label x state table and the SASP flags per label.
   Checks: AUROC(score_senescent) >= 0.85 and
           frac senescent(HighPD) >= 2 x frac senescent(LowPD) (and > 0).
2. FUCCI human iPSCs (Hsiao 2020, peco): 888 cells x 101 cyclic genes.  The
   dense table is converted to a 10x directory in a temporary directory and
   scored with --min-coverage 0 --min-genes 0, with the default method (ucell)
   and with --method module.  dormscan's phase is compared with a discrete phase derived from
   the FUCCI reporters and DNA content (see fucci_phases()).  Report only.

usage: validate.py [--dormscan PATH] [--shared DIR] [--method ucell|module]
                   [--report FILE.md] [--keep-tmp]

--method is the scoring method of the senescence run (default: dormscan's own
default, no --method option passed).  The FUCCI part always runs both methods.
Exit status: 0 all checks passed (or data absent: prints "skipped"),
1 a check failed or dormscan failed, 2 usage error.
"""
import argparse
import csv
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TANG_LABELS = 'testdata/senescence_replicative_scRNA_tang2019_via_QDSWorkflow/cell_labels.tsv'
TANG_MTX = 'reference/tang2019/mtx'
TANG_REF = 'reference/tang2019'
FUCCI_DIR = 'testdata/cellcycle_fucci_ipsc_peco_hsiao2020'
FUCCI_COUNTS = FUCCI_DIR + '/counts_101genes_x_888cells.tsv.gz'
FUCCI_META = FUCCI_DIR + '/cell_metadata_fucci.tsv'

# Peer AUROCs as published in ../shared/reference/README.md (SenMayo, HighPD vs LowPD).
PEER_README = [('UCell', 0.71), ('AUCell', 0.74), ('Seurat AddModuleScore', 0.74)]
PEER_FILES = [('UCell', 'ucell.tsv'), ('AUCell', 'aucell.tsv'),
              ('Seurat AddModuleScore', 'seurat_module.tsv')]
PEER_SENMAYO = 'SAUL_SEN_MAYO'

AUROC_MIN = 0.80
RATIO_MIN = 5.0      # issue 17: senescent calls HighPD >= 5 x LowPD
STATES = ['cycling', 'quiescent', 'diapause_like', 'senescent', 'non_cycling', 'low_quality',
          'unscored']
TANG_COUNTS = 'testdata/senescence_replicative_scRNA_tang2019_via_QDSWorkflow/counts_genes_x_cells.tsv.gz'
MARTHANDAN = 'testdata/senescence_bulk_fibroblasts_marthandan2016'
EBINGER = 'testdata/dormancy_lrc_all_ebinger2016'
PHASES = ['G1', 'S', 'G2M']
LOG10_1_5 = math.log10(1.5)


class Report:
    """Collects markdown lines; printed to stdout and optionally written to a file."""

    def __init__(self):
        self.lines = []

    def add(self, *lines):
        self.lines.extend(lines)

    def table(self, header, rows):
        self.lines.append('| ' + ' | '.join(str(h) for h in header) + ' |')
        self.lines.append('|' + '|'.join('---' for _ in header) + '|')
        for r in rows:
            self.lines.append('| ' + ' | '.join(str(c) for c in r) + ' |')
        self.lines.append('')

    def text(self):
        return '\n'.join(self.lines) + '\n'


# ---------------------------------------------------------------- statistics

def to_float(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return math.nan
    return v


def auroc(pos, neg):
    """P(score of a positive > score of a negative), ties counted one half.

    Mann-Whitney U from average ranks.  NaN values are dropped; returns
    (auc, n_pos_used, n_neg_used)."""
    pos = [v for v in pos if not math.isnan(v)]
    neg = [v for v in neg if not math.isnan(v)]
    if not pos or not neg:
        return math.nan, len(pos), len(neg)
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i = 0.0, 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1][0] == allv[i][0]:
            j += 1
        avg = (i + j) / 2.0 + 1.0
        rank_sum += avg * sum(1 for k in range(i, j + 1) if allv[k][1] == 1)
        i = j + 1
    n1, n0 = len(pos), len(neg)
    return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0), n1, n0


def gmm2(values, iters=1000, tol=1e-12):
    """Two-component 1-D Gaussian mixture by EM.

    Returns (means, sds, weights, threshold) with component 0 the lower one;
    threshold is the point between the means where the posterior is 1/2."""
    v = sorted(values)
    n = len(v)
    m = [v[n // 4], v[(3 * n) // 4]]
    mean = sum(v) / n
    sd0 = math.sqrt(sum((x - mean) ** 2 for x in v) / n) / 2.0
    s, w = [sd0, sd0], [0.5, 0.5]
    prev = -math.inf
    for _ in range(iters):
        resp, ll = [], 0.0
        for x in v:
            p = [w[k] / s[k] * math.exp(-0.5 * ((x - m[k]) / s[k]) ** 2) for k in (0, 1)]
            t = p[0] + p[1]
            if t <= 0.0:
                resp.append(0.0 if x < (m[0] + m[1]) / 2 else 1.0)
                continue
            resp.append(p[1] / t)
            ll += math.log(t)
        n1 = sum(resp)
        n0 = n - n1
        m = [sum((1 - r) * x for r, x in zip(resp, v)) / n0, sum(r * x for r, x in zip(resp, v)) / n1]
        s = [max(1e-6, math.sqrt(sum((1 - r) * (x - m[0]) ** 2 for r, x in zip(resp, v)) / n0)),
             max(1e-6, math.sqrt(sum(r * (x - m[1]) ** 2 for r, x in zip(resp, v)) / n1))]
        w = [n0 / n, n1 / n]
        if abs(ll - prev) < tol:
            break
        prev = ll
    if m[0] > m[1]:
        m, s, w = m[::-1], s[::-1], w[::-1]

    def diff(x):
        return (w[1] / s[1] * math.exp(-0.5 * ((x - m[1]) / s[1]) ** 2)
                - w[0] / s[0] * math.exp(-0.5 * ((x - m[0]) / s[0]) ** 2))

    lo, hi = m[0], m[1]
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if diff(mid) > 0:
            hi = mid
        else:
            lo = mid
    return m, s, w, (lo + hi) / 2.0


def median(v):
    v = sorted(v)
    n = len(v)
    return math.nan if n == 0 else (v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2.0)


def cohen_kappa(pairs, classes):
    n = len(pairs)
    if n == 0:
        return math.nan
    po = sum(1 for a, b in pairs if a == b) / n
    pe = sum((sum(1 for a, _ in pairs if a == c) / n) * (sum(1 for _, b in pairs if b == c) / n)
             for c in classes)
    return math.nan if pe == 1 else (po - pe) / (1 - pe)


def fmt(v, d=3):
    if isinstance(v, float):
        return 'NA' if math.isnan(v) else ('inf' if math.isinf(v) else '%.*f' % (d, v))
    return str(v)


def pct(a, b):
    return 'NA' if b == 0 else '%.1f%%' % (100.0 * a / b)


# ---------------------------------------------------------------- I/O helpers

def read_tsv(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', newline='') as f:
        return list(csv.DictReader(f, delimiter='\t'))


def show_cmd(cmd, tmp):
    """The command as reported: 'dormscan score ...', temporary paths as <tmp>."""
    return ' '.join(['dormscan'] + [a.replace(tmp, '<tmp>') for a in cmd[1:]])


def run_dormscan(exe, args, outdir):
    cmd = [exe, 'score'] + args + ['-o', outdir]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError('%s exited with %d: %s' % (' '.join(cmd), p.returncode, p.stderr.strip()))
    cells = read_tsv(os.path.join(outdir, 'cells.tsv'))
    with open(os.path.join(outdir, 'run.json')) as f:
        run = json.load(f)
    return cmd, cells, run


def dense_to_10x(src, outdir):
    """Dense genes x cells TSV (gene_id, symbol, cells...) -> Cell Ranger v3 directory.

    Entries are written grouped by cell (column-major) so dormscan streams them."""
    os.makedirs(outdir, exist_ok=True)
    genes, cols = [], None
    with gzip.open(src, 'rt') as f:
        header = f.readline().rstrip('\n').split('\t')
        if header[:2] != ['gene_id', 'symbol']:
            raise RuntimeError('%s: expected gene_id, symbol header, got %r' % (src, header[:2]))
        barcodes = header[2:]
        cols = [[] for _ in barcodes]
        for gi, line in enumerate(f):
            fld = line.rstrip('\n').split('\t')
            if len(fld) != len(header):
                raise RuntimeError('%s line %d: %d fields, expected %d' % (src, gi + 2, len(fld), len(header)))
            genes.append((fld[0], fld[1]))
            for ci, v in enumerate(fld[2:]):
                if v not in ('0', '0.0', ''):
                    x = float(v)
                    if x != 0:
                        cols[ci].append((gi + 1, int(x) if x == int(x) else x))
    nnz = sum(len(c) for c in cols)
    integer = all(isinstance(x, int) for c in cols for _, x in c)
    with gzip.open(os.path.join(outdir, 'matrix.mtx.gz'), 'wt') as f:
        f.write('%%%%MatrixMarket matrix coordinate %s general\n' % ('integer' if integer else 'real'))
        f.write('%d %d %d\n' % (len(genes), len(barcodes), nnz))
        for ci, c in enumerate(cols):
            for gi, x in c:
                f.write('%d %d %s\n' % (gi, ci + 1, repr(x)))
    with gzip.open(os.path.join(outdir, 'features.tsv.gz'), 'wt') as f:
        for gid, sym in genes:
            f.write('%s\t%s\tGene Expression\n' % (gid, sym or gid))
    with gzip.open(os.path.join(outdir, 'barcodes.tsv.gz'), 'wt') as f:
        for b in barcodes:
            f.write(b + '\n')
    return len(genes), len(barcodes), nnz


def coverage(run, names):
    out = {}
    for smp in run.get('samples', []):
        for c in smp.get('coverage', []):
            if c.get('set') in names:
                out[c['set']] = (c.get('found'), c.get('total'), c.get('scored'))
    return out


# ---------------------------------------------------------------- part 1

def validate_tang(args, tmp, rep):
    labels_path = os.path.join(args.shared, TANG_LABELS)
    mtx = os.path.join(args.shared, TANG_MTX)
    if not (os.path.isfile(labels_path) and os.path.isdir(mtx)):
        rep.add('## 1. Replicative senescence (Tang 2019)', '', 'skipped: shared data absent', '')
        return None
    labels = {r['sample_id']: r['Condition'] for r in read_tsv(labels_path)}
    extra = [] if args.method is None else ['--method', args.method]
    cmd, cells, run = run_dormscan(args.dormscan, extra + [mtx], os.path.join(tmp, 'tang'))
    method = run.get('method', {}).get('name', '?')

    rep.add('## 1. Replicative senescence (Tang 2019): HighPD vs LowPD fibroblasts', '')
    rep.add('Command: `%s`' % show_cmd(cmd, tmp), '')
    missing = [r['barcode'] for r in cells if r['barcode'] not in labels]
    if missing:
        raise RuntimeError('tang: %d barcodes of cells.tsv have no label (first: %s)'
                           % (len(missing), missing[0]))
    groups = {'HighPD': [r for r in cells if labels[r['barcode']] == 'HighPD'],
              'LowPD': [r for r in cells if labels[r['barcode']] == 'LowPD']}
    n_hi, n_lo = len(groups['HighPD']), len(groups['LowPD'])
    rep.add('Cells: %d HighPD (positive), %d LowPD (negative); method %s.' % (n_hi, n_lo, method), '')

    header = list(cells[0].keys())
    score_cols = [c for c in header if c.startswith('score_')]
    rows = []
    res = {}
    for c in score_cols:
        a, n1, n0 = auroc([to_float(r[c]) for r in groups['HighPD']],
                          [to_float(r[c]) for r in groups['LowPD']])
        res[c] = a
        note = '' if (n1, n0) == (n_hi, n_lo) else '%d/%d cells with a value' % (n1 + n0, n_hi + n_lo)
        rows.append([c, fmt(a), note])
    rep.add('### AUROC of the programme scores (HighPD positive; ties count 1/2)', '')
    rep.table(['column', 'AUROC', 'note'], rows)

    # Set columns (raw score and z) for context.
    set_names = [c for c in header if c + '_z' in header and c + '_p' in header]
    rows = []
    for s in set_names:
        a_raw = auroc([to_float(r[s]) for r in groups['HighPD']], [to_float(r[s]) for r in groups['LowPD']])[0]
        a_z = auroc([to_float(r[s + '_z']) for r in groups['HighPD']],
                    [to_float(r[s + '_z']) for r in groups['LowPD']])[0]
        rows.append([s, fmt(a_raw), fmt(a_z)])
    rep.add('### AUROC of the individual set columns (context)', '')
    rep.table(['set', 'AUROC score', 'AUROC z'], rows)

    # Peers.
    rows = []
    ref_dir = os.path.join(args.shared, TANG_REF)
    for (name, readme_v), (_, fn) in zip(PEER_README, PEER_FILES):
        path = os.path.join(ref_dir, fn)
        a = math.nan
        if os.path.isfile(path):
            ref = read_tsv(path)
            if ref and PEER_SENMAYO in ref[0]:
                a = auroc([to_float(r[PEER_SENMAYO]) for r in ref if labels.get(r['barcode']) == 'HighPD'],
                          [to_float(r[PEER_SENMAYO]) for r in ref if labels.get(r['barcode']) == 'LowPD'])[0]
        rows.append([name + ' SenMayo', '%.2f' % readme_v, fmt(a)])
    rows.append(['dormscan score_senescent (%s)' % method, '', fmt(res.get('score_senescent', math.nan))])
    if 'senmayo' in header:
        rows.append(['dormscan senmayo column (%s)' % method, '',
                     fmt(auroc([to_float(r['senmayo']) for r in groups['HighPD']],
                               [to_float(r['senmayo']) for r in groups['LowPD']])[0])])
    rep.add('### Peer tools (SenMayo; reference/README.md, and recomputed from the reference tables)', '')
    rep.table(['score', 'AUROC (README)', 'AUROC (recomputed)'], rows)

    # Calls.
    f_sen = {}
    for g, rs in groups.items():
        f_sen[g] = sum(1 for r in rs if r['state'] == 'senescent') / len(rs) if rs else math.nan
    ratio = math.inf if f_sen['LowPD'] == 0 and f_sen['HighPD'] > 0 else (
        math.nan if f_sen['LowPD'] == 0 else f_sen['HighPD'] / f_sen['LowPD'])
    rep.add('### Senescent calls', '')
    rep.table(['label', 'cells', 'senescent', 'fraction'],
              [[g, len(groups[g]), sum(1 for r in groups[g] if r['state'] == 'senescent'), fmt(f_sen[g])]
               for g in ('HighPD', 'LowPD')])
    rep.add('Ratio HighPD/LowPD of the senescent fraction: %s' % fmt(ratio, 2), '')

    extra_states = sorted({r['state'] for r in cells} - set(STATES))
    st_cols = STATES + extra_states
    rep.add('### Label x state', '')
    rep.table(['label'] + st_cols + ['total'],
              [[g] + [sum(1 for r in groups[g] if r['state'] == s) for s in st_cols] + [len(groups[g])]
               for g in ('HighPD', 'LowPD')])
    rep.add('### SASP flag per label', '')
    rep.table(['label', 'sasp=true', 'sasp=false', 'other', 'fraction true'],
              [[g, sum(1 for r in groups[g] if r['sasp'] == 'TRUE'),
                sum(1 for r in groups[g] if r['sasp'] == 'FALSE'),
                sum(1 for r in groups[g] if r['sasp'] not in ('TRUE', 'FALSE')),
                fmt(sum(1 for r in groups[g] if r['sasp'] == 'TRUE') / len(groups[g]))]
               for g in ('HighPD', 'LowPD')])
    rep.add('### Label x phase', '')
    ph_cols = ['G1', 'S', 'G2M', 'Undecided', 'NA']
    rep.table(['label'] + ph_cols,
              [[g] + [sum(1 for r in groups[g] if r['phase'] == p) for p in ph_cols] for g in ('HighPD', 'LowPD')])

    a_sen = res.get('score_senescent', math.nan)
    # The default run's reference is these 800 cells pooled; the checks of
    # the frame of reference are in part 3.
    checks = [
        ('AUROC(score_senescent) = %s >= %.2f' % (fmt(a_sen), AUROC_MIN),
         not math.isnan(a_sen) and a_sen >= AUROC_MIN),
    ]
    rep.add('### Checks', '')
    for text, ok in checks:
        rep.add('- %s: %s' % ('PASS' if ok else 'FAIL', text))
    rep.add('')
    return all(ok for _, ok in checks)


# ---------------------------------------------------------------- part 2

def fucci_phases(meta):
    """FUCCI-derived discrete phase per cell, from imaging only (no expression).

    Uses the authors' batch(C1 chip)-adjusted log10 total nuclear intensities:
    rfp = mCherry-hCdt1 (G1 reporter), gfp = EGFP-hGeminin (S/G2/M reporter),
    dapi = DNA content.
      1. Cdt1 gate: 2-component Gaussian mixture on rfp (clearly bimodal); a cell
         is Cdt1+ when the high component's posterior exceeds 1/2.
      2. Geminin gate: 2-component Gaussian mixture on gfp of the Cdt1- cells
         (the Geminin-expressing S/G2/M cells form the upper component);
         Geminin+ when gfp exceeds the posterior-1/2 point.
      3. DNA content: the 2N reference is the median dapi of Cdt1+ Geminin-
         cells (G1 by the reporters); d = dapi - 2N.  4N is 2N + log10(2);
         a cell is "near 4N" when d >= log10(1.5), i.e. above 3N, the midpoint
         between 2N and 4N on the linear DNA scale.
    Phase:
      Cdt1+ Geminin-                  -> G1
      Cdt1+ Geminin+  (yellow)        -> G1/S (transition; kept out of the 3-class tables)
      Cdt1- Geminin+, d <  log10 1.5  -> S
      Cdt1- Geminin+, d >= log10 1.5  -> G2M
      Cdt1- Geminin-, d <  log10 1.5  -> G1 (early G1: Geminin degraded at anaphase,
                                          Cdt1 not yet re-accumulated, 2N DNA)
      Cdt1- Geminin-, d >= log10 1.5  -> G2M (late mitosis: Geminin degraded, DNA still 4N)
    Returns ({cell: phase}, parameters)."""
    R = {m['cell']: to_float(m['rfp.median.log10sum.adjust']) for m in meta}
    G = {m['cell']: to_float(m['gfp.median.log10sum.adjust']) for m in meta}
    D = {m['cell']: to_float(m['dapi.median.log10sum.adjust']) for m in meta}
    ok = [c for c in R if not (math.isnan(R[c]) or math.isnan(G[c]) or math.isnan(D[c]))]
    rm, rs, rw, t_r = gmm2([R[c] for c in ok])
    cdt1 = {c: R[c] > t_r for c in ok}
    gm, gs, gw, t_g = gmm2([G[c] for c in ok if not cdt1[c]])
    gem = {c: G[c] > t_g for c in ok}
    d2n = median([D[c] for c in ok if cdt1[c] and not gem[c]])
    out = {}
    for c in R:
        if c not in cdt1:
            out[c] = 'NA'
            continue
        near4n = D[c] - d2n >= LOG10_1_5
        if cdt1[c]:
            out[c] = 'G1/S' if gem[c] else 'G1'
        elif gem[c]:
            out[c] = 'G2M' if near4n else 'S'
        else:
            out[c] = 'G2M' if near4n else 'G1'
    params = {'rfp_threshold': t_r, 'rfp_means': rm, 'gfp_threshold': t_g, 'gfp_means': gm,
              'dapi_2n': d2n, 'dapi_s_g2m_cut': d2n + LOG10_1_5,
              'cdt1_pos': sum(cdt1.values()), 'gem_pos': sum(gem.values()),
              'dn_2n': sum(1 for c in ok if not cdt1[c] and not gem[c] and D[c] - d2n < LOG10_1_5),
              'dn_4n': sum(1 for c in ok if not cdt1[c] and not gem[c] and D[c] - d2n >= LOG10_1_5)}
    return out, params


def phase_agreement(rep, title, fucci, cells):
    rows_f = PHASES + ['G1/S']
    cols_d = ['G1', 'S', 'G2M', 'Undecided', 'NA']
    ph = {r['barcode']: r['phase'] for r in cells}
    st = {r['barcode']: r['state'] for r in cells}
    common = [c for c in fucci if c in ph]
    table = []
    for f in rows_f:
        cs = [c for c in common if fucci[c] == f]
        table.append([f] + [sum(1 for c in cs if ph[c] == d) for d in cols_d] + [len(cs)])
    table.append(['total'] + [sum(1 for c in common if fucci[c] in rows_f and ph[c] == d) for d in cols_d]
                 + [sum(1 for c in common if fucci[c] in rows_f)])
    three = [c for c in common if fucci[c] in PHASES]
    decided = [c for c in three if ph[c] in PHASES]
    agree = sum(1 for c in decided if ph[c] == fucci[c])
    kappa = cohen_kappa([(fucci[c], ph[c]) for c in decided], PHASES)
    g1_pairs = [(fucci[c] == 'G1', ph[c] == 'G1') for c in decided]
    g1_agree = sum(1 for a, b in g1_pairs if a == b)
    kappa2 = cohen_kappa(g1_pairs, [True, False])
    recall = []
    for p in PHASES:
        n = sum(1 for c in decided if fucci[c] == p)
        recall.append('%s %s' % (p, pct(sum(1 for c in decided if fucci[c] == p and ph[c] == p), n)))
    n_cyc = sum(1 for c in cells if c['state'] == 'cycling')
    # Variant: the Cdt1+ Geminin+ (G1/S) cells counted as S.
    four = [c for c in common if fucci[c] in PHASES + ['G1/S'] and ph[c] in PHASES]
    agree_gs = sum(1 for c in four if ph[c] == (fucci[c] if fucci[c] != 'G1/S' else 'S'))
    cyc_by = []
    for f in rows_f:
        cs = [c for c in common if fucci[c] == f]
        cyc_by.append('%s %s' % (f, pct(sum(1 for c in cs if st[c] == 'cycling'), len(cs))))
    rep.add('### %s' % title, '')
    rep.table(['FUCCI \\ dormscan'] + cols_d + ['total'], table)
    rep.add('- 3-class agreement (FUCCI G1/S/G2M, dormscan G1/S/G2M): %d/%d = %s; Cohen kappa %s'
            % (agree, len(decided), pct(agree, len(decided)), fmt(kappa, 2)),
            '- dormscan Undecided/NA among FUCCI-3-class cells: %d; agreement counting them as wrong: %s'
            % (len(three) - len(decided), pct(agree, len(three))),
            '- per FUCCI class, fraction called the same: ' + ', '.join(recall),
            '- G1 vs not-G1 (S+G2M) agreement: %d/%d = %s; kappa %s'
            % (g1_agree, len(g1_pairs), pct(g1_agree, len(g1_pairs)), fmt(kappa2, 2)),
            '- with the FUCCI G1/S cells counted as S: %d/%d = %s'
            % (agree_gs, len(four), pct(agree_gs, len(four))),
            '- cells called cycling (state): %d/%d = %s; by FUCCI class: %s'
            % (n_cyc, len(cells), pct(n_cyc, len(cells)), ', '.join(cyc_by)),
            '- states: ' + ', '.join('%s %d' % (s, sum(1 for c in cells if c['state'] == s))
                                     for s in STATES if any(c['state'] == s for c in cells)),
            '')
    return {'agree': agree, 'n': len(decided), 'cycling': n_cyc, 'cells': len(cells)}


# Marker genes for a sanity check of the FUCCI classes (expression, not dormscan).
FUCCI_MARKERS = [('MCM5', 'G1/S'), ('PCNA', 'G1/S'), ('E2F1', 'G1/S'), ('DTL', 'G1/S'),
                 ('CLSPN', 'G1/S'), ('HIST1H4C', 'S (histone)'), ('CDK1', 'G2/M'), ('UBE2C', 'G2/M'),
                 ('TOP2A', 'G2/M'), ('CDC20', 'M')]


def marker_check(rep, counts, meta, fucci):
    """Mean log1p(counts per 10,000 molecules) of known phase genes per FUCCI class."""
    want = {g for g, _ in FUCCI_MARKERS}
    rows = {}
    with gzip.open(counts, 'rt') as f:
        barcodes = f.readline().rstrip('\n').split('\t')[2:]
        for line in f:
            fld = line.rstrip('\n').split('\t')
            if fld[1] in want:
                rows[fld[1]] = [float(x) for x in fld[2:]]
    size = {m['cell']: to_float(m['mol_hs']) for m in meta}
    classes = ['G1', 'G1/S', 'S', 'G2M']
    idx = {k: [i for i, b in enumerate(barcodes) if fucci.get(b) == k and size.get(b, 0) > 0]
           for k in classes}
    table = []
    for g, role in FUCCI_MARKERS:
        if g not in rows:
            continue
        vals = []
        for k in classes:
            v = [math.log1p(rows[g][i] / size[barcodes[i]] * 1e4) for i in idx[k]]
            vals.append(fmt(sum(v) / len(v), 2) if v else 'NA')
        table.append([g, role] + vals)
    rep.add('Sanity check of the FUCCI classes with known phase genes (mean log1p counts per 10k '
            'molecules, mol_hs; not used to define the classes):', '')
    rep.table(['gene', 'peaks in'] + ['FUCCI ' + k for k in classes], table)


def validate_fucci(args, tmp, rep):
    counts = os.path.join(args.shared, FUCCI_COUNTS)
    meta_path = os.path.join(args.shared, FUCCI_META)
    if not (os.path.isfile(counts) and os.path.isfile(meta_path)):
        rep.add('## 2. FUCCI iPSC (Hsiao 2020)', '', 'skipped: shared data absent', '')
        return None
    mtx = os.path.join(tmp, 'fucci_10x')
    n_genes, n_cells, nnz = dense_to_10x(counts, mtx)
    meta = read_tsv(meta_path)
    fucci, par = fucci_phases(meta)

    rep.add('## 2. FUCCI human iPSCs (Hsiao 2020, peco): phase vs FUCCI reporters', '')
    rep.add('Input: %d genes x %d cells, %d nonzeros, converted to a 10x directory.' % (n_genes, n_cells, nnz), '')
    rep.add('FUCCI phase (imaging only; see VALIDATION.md): Cdt1 (rfp) threshold %.3f (mixture means %.2f / %.2f), '
            'Geminin (gfp, Cdt1- cells) threshold %.3f (means %.2f / %.2f); DAPI 2N reference %.3f, '
            'S/G2M cut at 2N + log10(1.5) = %.3f.'
            % (par['rfp_threshold'], par['rfp_means'][0], par['rfp_means'][1], par['gfp_threshold'],
               par['gfp_means'][0], par['gfp_means'][1], par['dapi_2n'], par['dapi_s_g2m_cut']), '')
    classes = ['G1', 'S', 'G2M', 'G1/S', 'NA']
    rep.table(['FUCCI phase'] + classes,
              [['cells'] + [sum(1 for c in fucci.values() if c == k) for k in classes]])
    rep.add('Cdt1+ %d, Geminin+ %d; Cdt1-Geminin- cells: %d at 2N (counted G1), %d near 4N (counted G2M).'
            % (par['cdt1_pos'], par['gem_pos'], par['dn_2n'], par['dn_4n']), '')

    marker_check(rep, counts, meta, fucci)

    summary = {}
    for method in (None, 'module'):  # None: dormscan's default method (ucell)
        opt = [] if method is None else ['--method', method]
        cmd, cells, run = run_dormscan(args.dormscan, ['--min-coverage', '0', '--min-genes', '0']
                                       + opt + [mtx], os.path.join(tmp, 'fucci_' + (method or 'default')))
        name = run.get('method', {}).get('name', '?')
        cov = coverage(run, ('cc_s', 'cc_g2m'))
        covtxt = ', '.join('%s %s/%s genes' % (k, v[0], v[1]) for k, v in sorted(cov.items()))
        rep.add('Command: `%s` (coverage: %s)' % (show_cmd(cmd, tmp), covtxt), '')
        summary[name] = phase_agreement(rep, 'method %s%s, phase rule: %s'
                                        % (name, ', the default' if method is None else '',
                                           run.get('method', {}).get('phase_rule', '?')),
                                        fucci, cells)
    return summary


# ---------------------------------------------------------------- main

# ---------------------------------------------------------------- part 3

def dormscan(exe, *args):
    p = subprocess.run([exe] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError('dormscan %s exited with %d: %s' % (' '.join(map(str, args)), p.returncode,
                                                               p.stderr.strip()))


def labels_of(path, key=None, value=None):
    rows = read_tsv(path)
    k = key or list(rows[0].keys())[0]
    v = value or list(rows[0].keys())[1]
    return {r[k]: r[v] for r in rows}


def state_fractions(cells, labels, groups):
    out = {}
    for g in groups:
        mine = [r for r in cells if labels.get(r['barcode']) == g]
        out[g] = {s: sum(1 for r in mine if r['state'] == s) / max(1, len(mine)) for s in STATES}
        out[g]['n'] = len(mine)
        out[g]['sasp'] = sum(1 for r in mine if r['sasp'] == 'TRUE') / max(1, len(mine))
    return out


def state_table(rep, frac, groups):
    rep.table(['label', 'cells'] + STATES + ['sasp'],
              [[g, frac[g]['n']] + [fmt(frac[g][s]) for s in STATES] + [fmt(frac[g]['sasp'])]
               for g in groups])


def split_dense(src, labels, groups, tmp):
    """One dense table per label (the genes column and that label's cells)."""
    with gzip.open(src, 'rt') as f:
        header = f.readline().rstrip('\n').split('\t')
        body = [line.rstrip('\n').split('\t') for line in f]
    paths = {}
    for g in groups:
        cols = [0] + [i for i, c in enumerate(header) if i and labels.get(c) == g]
        paths[g] = os.path.join(tmp, '%s.tsv.gz' % g)
        with gzip.open(paths[g], 'wt') as f:
            f.write('\t'.join(header[i] for i in cols) + '\n')
            for row in body:
                f.write('\t'.join(row[i] for i in cols) + '\n')
    return paths


def calibration_halves(exe, rep, tmp, inp, barcodes, label, extra=()):
    """Reference from a random half of cells of one population, the other
    half scored against it: the fraction of cells with p < 0.05 per
    programme (the score's upper tail) and the calls."""
    import random
    bc = sorted(barcodes)
    random.Random(7).shuffle(bc)
    half = len(bc) // 2
    a, b = os.path.join(tmp, 'half_a.txt'), os.path.join(tmp, 'half_b.txt')
    with open(a, 'w') as f:
        f.write(''.join(x + '\n' for x in bc[:half]))
    with open(b, 'w') as f:
        f.write(''.join(x + '\n' for x in bc[half:]))
    ref = os.path.join(tmp, 'half.ref')
    out = os.path.join(tmp, 'half_out')
    dormscan(exe, 'reference', inp, '--cells', a, '-o', ref, *extra)
    dormscan(exe, 'score', inp, '--cells', b, '--reference', ref, '-o', out, '-q', *extra)
    cells = [r for r in read_tsv(os.path.join(out, 'cells.tsv')) if r['state'] != 'low_quality']
    row = [label, len(cells)]
    for e in ('cycling', 'quiescent', 'diapause_like', 'senescent', 'sasp'):
        v = [to_float(r['score_' + e]) for r in cells]
        v = [x for x in v if not math.isnan(x)]
        row.append(fmt(sum(1 for x in v if x > 1.6448536269514722) / len(v)) if v else 'NA')
    calls = sum(1 for r in cells if r['state'] in ('quiescent', 'diapause_like', 'senescent'))
    row.append(fmt(calls / len(cells)))
    return row


def validate_reference(args, tmp, rep):
    """The checks of the issue about a fixed frame of reference."""
    exe, sh = args.dormscan, args.shared
    if not os.path.isfile(os.path.join(sh, TANG_COUNTS)):
        rep.add('## 3. Frame of reference: skipped (no Tang 2019 counts)', '')
        return True
    rep.add('## 3. The frame of reference', '')
    checks = []
    labels = labels_of(os.path.join(sh, TANG_LABELS))
    groups = ('HighPD', 'LowPD')
    parts = split_dense(os.path.join(sh, TANG_COUNTS), labels, groups, tmp)
    # a. joint run = per-sample runs against the reference of all 800 cells
    joint = os.path.join(tmp, 'tang_joint')
    dormscan(exe, 'score', parts['HighPD'], parts['LowPD'], '-o', joint, '-q')
    ref_all = os.path.join(tmp, 'tang_all.ref')
    dormscan(exe, 'reference', parts['HighPD'], parts['LowPD'], '-o', ref_all)
    split = []
    for g in groups:
        o = os.path.join(tmp, 'tang_' + g)
        dormscan(exe, 'score', parts[g], '--reference', ref_all, '-o', o, '-q')
        with open(os.path.join(o, 'cells.tsv')) as f:
            split += f.read().split('\n')[1:-1]
    with open(os.path.join(joint, 'cells.tsv')) as f:
        joint_rows = ['\t'.join(l.split('\t')[:1] + l.split('\t')[2:]) for l in f.read().split('\n')[1:-1]]
    same = joint_rows == split
    rep.add('Tang 2019 as two inputs (HighPD, LowPD). Joint run: `dormscan score HighPD.tsv.gz '
            'LowPD.tsv.gz` (its reference: the 800 cells pooled). Per-sample runs: `dormscan '
            'reference HighPD.tsv.gz LowPD.tsv.gz -o all.ref`, then `dormscan score X.tsv.gz '
            '--reference all.ref` for each. Every column but `sample` of the %d rows: %s.'
            % (len(joint_rows), 'byte-identical' if same else 'DIFFERENT'), '')
    checks.append(('per-sample runs against the pooled reference equal the joint run', same))
    pooled = state_fractions(read_tsv(os.path.join(joint, 'cells.tsv')), labels, groups)
    rep.add('Calls against the pooled reference (the joint run):', '')
    state_table(rep, pooled, groups)
    # b. LowPD cells as the reference
    low = os.path.join(tmp, 'lowpd.txt')
    with open(low, 'w') as f:
        f.write(''.join(b + '\n' for b, g in labels.items() if g == 'LowPD'))
    ref_low = os.path.join(tmp, 'tang_low.ref')
    counts = os.path.join(sh, TANG_COUNTS)
    dormscan(exe, 'reference', counts, '--cells', low, '-o', ref_low)
    out_low = os.path.join(tmp, 'tang_lowref')
    dormscan(exe, 'score', counts, '--reference', ref_low, '-o', out_low, '-q')
    lowref = state_fractions(read_tsv(os.path.join(out_low, 'cells.tsv')), labels, groups)
    rep.add('Calls against a reference of the 400 LowPD cells (`dormscan reference counts.tsv.gz '
            '--cells lowpd.txt`):', '')
    state_table(rep, lowref, groups)
    for name, fr in (('pooled reference', pooled), ('LowPD reference', lowref)):
        h, l = fr['HighPD']['senescent'], fr['LowPD']['senescent']
        checks.append(('Tang, %s: senescent HighPD %s >= %.0f x LowPD %s (and > 0)'
                       % (name, fmt(h), RATIO_MIN, fmt(l)), h > 0 and h >= RATIO_MIN * l))
    # c. bulk fibroblasts, proliferative profiles as the reference
    mdir = os.path.join(sh, MARTHANDAN)
    if os.path.isdir(mdir):
        mlab = labels_of(os.path.join(mdir, 'labels.tsv'), 'barcode', 'label')
        prolif = os.path.join(tmp, 'prolif.txt')
        with open(prolif, 'w') as f:
            f.write(''.join(b + '\n' for b, g in mlab.items() if g == 'proliferative'))
        expr = os.path.join(mdir, 'expression.tsv.gz')
        mref = os.path.join(tmp, 'marthandan.ref')
        dormscan(exe, 'reference', expr, '--min-genes', '0', '--cells', prolif, '-o', mref)
        mout = os.path.join(tmp, 'marthandan')
        dormscan(exe, 'score', expr, '--min-genes', '0', '--reference', mref, '-o', mout, '-q')
        mfr = state_fractions(read_tsv(os.path.join(mout, 'cells.tsv')), mlab,
                              ('proliferative', 'senescent'))
        rep.add('Marthandan 2016 bulk fibroblasts (one profile read as one cell, `--min-genes 0`), '
                'the 21 proliferative profiles as the reference:', '')
        state_table(rep, mfr, ('proliferative', 'senescent'))
        checks.append(('Marthandan: senescent profiles called senescent (%s >= 0.8), '
                       'proliferative ones not (%s)' % (fmt(mfr['senescent']['senescent']),
                                                        fmt(mfr['proliferative']['senescent'])),
                       mfr['senescent']['senescent'] >= 0.8 and mfr['proliferative']['senescent'] == 0))
    # d. calibration against the reference: half of one population vs the other half
    rows = [calibration_halves(exe, rep, tmp, counts, [b for b, g in labels.items() if g == 'LowPD'],
                               'Tang LowPD')]
    rows.append(calibration_halves(exe, rep, tmp, counts,
                                   [b for b, g in labels.items() if g == 'HighPD'], 'Tang HighPD'))
    rep.add('Calibration against the reference: a reference of a random half of one population, '
            'the other half scored against it. The fraction of cells whose score is above the '
            'normal 5% point (p < 0.05), per programme, and of cells called a dormancy state '
            '(BH 5%). For a population scored against itself these should be near 0.05 and 0.', '')
    rep.table(['population', 'cells', 'cycling*', 'quiescent', 'diapause_like', 'senescent',
               'sasp', 'dormancy calls'], rows)
    rep.add('(*) cycling is judged in the cell itself, not against the reference: in a '
            'proliferating population it marks the cells in S or G2/M.', '')
    # e. the dormant leukaemia set (issue 18 reports it)
    edir = os.path.join(sh, EBINGER)
    if os.path.isdir(edir):
        elab = labels_of(os.path.join(edir, 'labels.tsv'), 'barcode', 'label')
        eout = os.path.join(tmp, 'ebinger')
        dormscan(exe, 'score', os.path.join(edir, 'expression_normalised.tsv.gz'), '--normalized',
                 '--min-genes', '0', '-o', eout, '-q')
        efr = state_fractions(read_tsv(os.path.join(eout, 'cells.tsv')), elab,
                              ('LRC_dormant', 'nonLRC_proliferating'))
        rep.add('Ebinger 2016 leukaemia (48 cells, `--normalized --min-genes 0`, pooled reference):', '')
        state_table(rep, efr, ('LRC_dormant', 'nonLRC_proliferating'))
        erows = read_tsv(os.path.join(eout, 'cells.tsv'))
        q = {b['barcode']: to_float(b['score_quiescent']) for b in erows}
        au, _, _ = auroc([q[b] for b, g in elab.items() if g == 'LRC_dormant' and b in q],
                   [q[b] for b, g in elab.items() if g == 'nonLRC_proliferating' and b in q])
        rep.add('AUROC of score_quiescent, LRC vs non-LRC: %s.' % fmt(au), '')
        # the proliferating (non-LRC) cells as the reference, as for Tang and Marthandan
        enon = os.path.join(tmp, 'nonlrc.txt')
        with open(enon, 'w') as f:
            f.write(''.join(b + '\n' for b, g in elab.items() if g == 'nonLRC_proliferating'))
        expr = os.path.join(edir, 'expression_normalised.tsv.gz')
        eref = os.path.join(tmp, 'ebinger.ref')
        dormscan(exe, 'reference', expr, '--normalized', '--min-genes', '0', '--cells', enon,
                 '-o', eref)
        eout2 = os.path.join(tmp, 'ebinger_nonlrc')
        dormscan(exe, 'score', expr, '--normalized', '--min-genes', '0', '--reference', eref,
                 '-o', eout2, '-q')
        efr2 = state_fractions(read_tsv(os.path.join(eout2, 'cells.tsv')), elab,
                               ('LRC_dormant', 'nonLRC_proliferating'))
        rep.add('The same, the 34 non-LRC (proliferating) cells as the reference:', '')
        state_table(rep, efr2, ('LRC_dormant', 'nonLRC_proliferating'))
    rep.add('### Checks', '')
    for text, ok in checks:
        rep.add('- %s: %s' % ('PASS' if ok else 'FAIL', text))
    rep.add('')
    return all(ok for _, ok in checks)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dormscan', default=os.path.join(ROOT, 'build', 'dormscan'),
                    help='dormscan binary [%(default)s]')
    ap.add_argument('--shared', default=os.path.normpath(os.path.join(ROOT, '..', 'shared')),
                    help='shared data directory [%(default)s]')
    ap.add_argument('--method', choices=('ucell', 'module'), default=None,
                    help='scoring method of the senescence run [dormscan default]')
    ap.add_argument('--report', default=None, help='also write the report as markdown to this file')
    ap.add_argument('--keep-tmp', action='store_true', help='keep the temporary directory')
    args = ap.parse_args()

    if not (os.path.isfile(os.path.join(args.shared, TANG_LABELS))
            or os.path.isfile(os.path.join(args.shared, FUCCI_COUNTS))):
        print('skipped: shared data not found under %s' % args.shared)
        return 0
    if not (os.path.isfile(args.dormscan) and os.access(args.dormscan, os.X_OK)):
        print('validate.py: dormscan binary not found: %s (build with ninja -C build)' % args.dormscan,
              file=sys.stderr)
        return 2
    version = subprocess.run([args.dormscan, '--version'], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True).stdout.strip()

    rep = Report()
    rep.add('# dormscan validation', '', 'dormscan %s (%s)' % (version, args.dormscan), '')
    tmp = tempfile.mkdtemp(prefix='dormscan-validate-')
    status = 0
    try:
        for part in (validate_tang, validate_fucci, validate_reference):
            try:
                if part(args, tmp, rep) is False:
                    status = 1
            except (RuntimeError, OSError, KeyError, ValueError) as e:
                rep.add('', 'FAIL: %s' % e, '')
                status = 1
    finally:
        if args.keep_tmp:
            rep.add('Temporary files kept in %s' % tmp, '')
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.add('Result: %s' % ('PASS' if status == 0 else 'FAIL'))
    text = rep.text()
    sys.stdout.write(text)
    if args.report:
        with open(args.report, 'w') as f:
            f.write(text)
    return status


if __name__ == '__main__':
    sys.exit(main())
