#!/usr/bin/env python3
"""Generate dormscan's own small test inputs under testdata/ (stdlib only).

The example is a synthetic 10x Cell Ranger v3 directory: 150 cells over the
genes of the shipped panel plus filler genes, drawn from gamma-Poisson counts
with a fixed seed.  Five groups of 30 cells raise different programmes:
cycling (S, histone and G2/M genes, MYC targets), quiescent (G0 up genes; G0 down
genes, DREAM targets, rRNA processing and ribosomal protein genes low; p27),
diapause-like (the persister lists' up genes high, down genes low), senescent
(SenMayo, CellAge up, CDKN1A/CDKN2A, LMNB1 low) and background.
Output is byte-identical on every run.

usage: make_testdata.py [OUTDIR]   (default: testdata/ beside this script)
"""
import gzip
import io
import math
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_FILLER = 3000
GROUPS = [('cycling', 30), ('quiescent', 30), ('diapause', 30), ('senescent', 30),
          ('background', 30)]


def read_gmt(path):
    sets = {}
    for line in open(path):
        f = line.rstrip('\n').split('\t')
        sets[f[0]] = f[2:]
    return sets


def poisson(rng, lam):
    if lam < 30:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def write_gz(path, text):
    buf = io.BytesIO()
    with gzip.GzipFile(filename='', mode='wb', fileobj=buf, mtime=0) as gz:
        gz.write(text.encode())
    with open(path, 'wb') as f:
        f.write(buf.getvalue())


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'testdata')
    panel = read_gmt(os.path.join(ROOT, 'signatures', 'dormancy_panel.gmt'))
    qc = read_gmt(os.path.join(ROOT, 'signatures', 'qc.gmt'))
    genes = []
    for s in list(panel.values()) + list(qc.values()):
        for g in s:
            if g not in genes:
                genes.append(g)
    genes += ['FILLER%04d' % i for i in range(N_FILLER)]
    index = {g: i for i, g in enumerate(genes)}
    rng = random.Random(20261129)
    base = [rng.lognormvariate(-1.0, 1.5) for _ in genes]   # per-gene mean expression
    for g in qc['qc_ribo']:
        base[index[g]] = rng.uniform(20, 60)
    for g in qc['qc_mito']:
        base[index[g]] = rng.uniform(1, 10)
    boost = {
        'cycling': [('cc_s', 8), ('cc_g2m', 8), ('cc_histone', 8), ('myc_targets', 3)],
        'quiescent': [('quiescence_up', 5), ('quiescence_down', 0.4), ('dream_targets', 0.3),
                      ('rrna_processing', 0.4), ('qc_ribo', 0.4)],
        'diapause': [('dtp_rehman_up', 4), ('dtp_rehman_down', 0.3), ('dtp_moghal_up', 4),
                     ('dtp_moghal_down', 0.3), ('cc_s', 0.3), ('cc_g2m', 0.3)],
        'senescent': [('senmayo', 5), ('senescence_cellage_up', 4),
                      ('cc_s', 0.2), ('cc_g2m', 0.2)],
        'background': [],
    }
    markers = {'senescent': {'CDKN1A': 20, 'CDKN2A': 10, 'LMNB1': 0.05},
               'quiescent': {'CDKN1B': 8}}
    sets = dict(panel, **qc)
    columns, barcodes = [], []
    for group, n in GROUPS:
        factor = [1.0] * len(genes)
        for name, f in boost[group]:
            for g in sets[name]:
                factor[index[g]] *= f
        for g, f in markers.get(group, {}).items():
            if g in index:
                factor[index[g]] *= f
        for c in range(n):
            depth = rng.lognormvariate(0, 0.4)
            col = {}
            for i, mu in enumerate(base):
                lam = mu * factor[i] * depth * rng.gammavariate(2.0, 0.5)
                v = poisson(rng, lam)
                if v:
                    col[i] = v
            columns.append(col)
            barcodes.append('%s_%02d-1' % (group.upper()[:4], c + 1))
    nnz = sum(len(c) for c in columns)
    lines = ['%%MatrixMarket matrix coordinate integer general',
             '%metadata_json: {"software_version": "dormscan make_testdata.py", "format_version": 2}',
             '%d %d %d' % (len(genes), len(columns), nnz)]
    for j, col in enumerate(columns):
        for i in sorted(col):
            lines.append('%d %d %d' % (i + 1, j + 1, col[i]))
    d = os.path.join(out, 'example')
    os.makedirs(d, exist_ok=True)
    write_gz(os.path.join(d, 'matrix.mtx.gz'), '\n'.join(lines) + '\n')
    write_gz(os.path.join(d, 'features.tsv.gz'),
             ''.join('DORM%07d\t%s\tGene Expression\n' % (i + 1, g) for i, g in enumerate(genes)))
    write_gz(os.path.join(d, 'barcodes.tsv.gz'), ''.join(b + '\n' for b in barcodes))
    with open(os.path.join(d, 'labels.tsv'), 'w') as f:
        f.write('barcode\tgroup\n')
        for b in barcodes:
            f.write('%s\t%s\n' % (b, {'CYCL': 'cycling', 'QUIE': 'quiescent', 'DIAP': 'diapause',
                                      'SENE': 'senescent', 'BACK': 'background'}[b[:4]]))
    print('%s: %d genes x %d cells, %d nonzeros' % (d, len(genes), len(columns), nnz))


if __name__ == '__main__':
    main()
