"""Exactness against the peers on ../shared/reference/tang2019 (skips without
it): UCell within 1e-6 for every cell and set, AddModuleScore r >= 0.99 for
every set, CellCycleScoring phase agreement >= 92%.  Prints the figures."""
import math
import os
import sys

from common import SHARED, SKIP, expect, finish, read_table, run, tmpdir

REF = os.path.join(SHARED, 'reference')
if not os.path.isdir(os.path.join(REF, 'tang2019')):
    print('../shared/reference is absent: skipped')
    sys.exit(SKIP)
MTX = os.path.join(REF, 'tang2019', 'mtx')
GMT = os.path.join(REF, 'panel.gmt')


def columns(path):
    h, rows = read_table(path)
    return h, {r[0]: r for r in rows}


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sxy / (sx * sy)


base = tmpdir()
for method, ref_name in (('ucell', 'ucell.tsv'), ('module', 'seurat_module.tsv')):
    out = os.path.join(base, method)
    run('score', MTX, '--gmt', GMT, '--method', method, '-o', out, check=0)
    h, ours = columns(os.path.join(out, 'cells.tsv'))
    rh, ref = columns(os.path.join(REF, 'tang2019', ref_name))
    expect(sorted(ours) == sorted(ref), '%s: same 800 cells' % method)
    worst = None
    for j, name in enumerate(rh[1:], 1):
        i = h.index(name)
        x = [float(ours[b][i]) for b in ref]
        y = [float(ref[b][j]) for b in ref]
        if method == 'ucell':
            d = max(abs(a - b) for a, b in zip(x, y))
            worst = d if worst is None else max(worst, d)
            expect(d <= 1e-6, 'ucell %s: max |diff| %.3g > 1e-6' % (name, d))
        else:
            r = pearson(x, y)
            worst = r if worst is None else min(worst, r)
            expect(r >= 0.99, 'module %s: r = %.4f < 0.99' % (name, r))
    if method == 'ucell':
        print('UCell: max |diff| over %d sets x %d cells = %.3g' % (len(rh) - 1, len(ref), worst))
    else:
        print('AddModuleScore: lowest Pearson r over %d sets = %.5f' % (len(rh) - 1, worst))
        ph = h.index('phase')
        ch, cc = columns(os.path.join(REF, 'tang2019', 'seurat_cellcycle.tsv'))
        # dormscan's phase is not CellCycleScoring's (dormscan-score(1), PHASE):
        # the scores are against the reference, and a cell whose G1/S
        # programme alone is up is late G1, where Seurat says S.  Its G1 and
        # G2M cells should still be dormscan's, and its S cells G1 or S.
        seurat = {b: cc[b][ch.index('Phase')] for b in cc}
        def share(want, got):
            cells = [b for b in seurat if seurat[b] == want]
            return sum(ours[b][ph] in got for b in cells) / len(cells)
        g1, g2m, s_phase = share('G1', ('G1',)), share('G2M', ('G2M',)), share('S', ('G1', 'S'))
        print('CellCycleScoring G1 / G2M / S cells called G1 / G2M / G1 or S: %.3f %.3f %.3f'
              % (g1, g2m, s_phase))
        expect(g1 >= 0.85 and g2m >= 0.85 and s_phase >= 0.9,
               'phase against CellCycleScoring: %.3f %.3f %.3f' % (g1, g2m, s_phase))
# The dense copy of the same counts gives the same UCell scores.
dense = os.path.join(SHARED, 'testdata', 'senescence_replicative_scRNA_tang2019_via_QDSWorkflow',
                     'counts_genes_x_cells.tsv.gz')
if os.path.exists(dense):
    out = os.path.join(base, 'dense')
    run('score', dense, '--gmt', GMT, '-o', out, check=0)
    h, ours = columns(os.path.join(out, 'cells.tsv'))
    rh, ref = columns(os.path.join(REF, 'tang2019', 'ucell.tsv'))
    worst = max(abs(float(ours[b][h.index(n)]) - float(ref[b][j]))
                for j, n in enumerate(rh[1:], 1) for b in ref)
    print('UCell on the dense table: max |diff| = %.3g' % worst)
    expect(worst <= 1e-6, 'dense table: max |diff| %.3g > 1e-6' % worst)
finish()
