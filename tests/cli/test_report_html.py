"""report.html: one self-contained page (inline CSS and SVG, nothing fetched)
that shows every state, agrees with summary.tsv and run.json, escapes sample
names, is byte-identical across identical runs, and renders in headless
Chromium (that part is skipped when chromium is not on PATH)."""
import json
import os
import re
import shutil
import struct
import subprocess
import zlib

from common import EXAMPLE, expect, finish, read_table, run, tmpdir

STATES = ('cycling', 'quiescent', 'diapause_like', 'senescent', 'non_cycling', 'low_quality')
# The page's fixed state colours (RGB), as drawn in the composition bars.
COLOURS = {'cycling': (0xD5, 0x5E, 0x00), 'quiescent': (0x00, 0x72, 0xB2),
           'diapause_like': (0x00, 0x9E, 0x73), 'senescent': (0xCC, 0x79, 0xA7),
           'non_cycling': (0xE6, 0x9F, 0x00), 'low_quality': (0xB0, 0xB0, 0xB0)}
EM_DASH = '\u2014'


def read_png(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit RGB/RGBA PNG, stdlib only."""
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b'IHDR':
            width, height, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError('unsupported PNG layout')
        elif kind == b'IDAT':
            idat += body
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def colour_masks(bpp, rows):
    """Per state colour (within 3 per channel), one bit mask of matching pixels per row."""
    masks = {st: [] for st in COLOURS}
    for line in rows:
        row = dict.fromkeys(COLOURS, 0)
        for x in range(0, len(line), bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            for state, (cr, cg, cb) in COLOURS.items():
                if abs(r - cr) <= 3 and abs(g - cg) <= 3 and abs(b - cb) <= 3:
                    row[state] |= 1 << (x // bpp)
                    break
        for state in COLOURS:
            masks[state].append(row[state])
    return masks


def has_block(masks, height=12, width=24):
    """A solid height x width block in the masks: a bar segment, larger than a
    legend swatch and unlike the thin histogram outlines."""
    for y in range(len(masks) - height + 1):
        m = masks[y]
        for k in range(1, height):
            m &= masks[y + k]
            if not m:
                break
        run = m
        for k in range(1, width):
            run &= m >> k
        if run:
            return True
    return False


def check_self_contained(html, label):
    """Nothing on the page can fetch: no URL other than the SVG namespace, every
    src/href a same-page fragment, no scripts, no linked or imported style."""
    svg_ns = 'http://www.w3.org/2000/svg"'
    for m in re.finditer(r'https?://', html, re.I):
        before = html[max(0, m.start() - 7):m.start()]
        context = html[max(0, m.start() - 30):m.end() + 40]
        if not expect(before == 'xmlns="' and html.startswith(svg_ns, m.start()),
                      '%s: a URL outside an xmlns attribute: %r' % (label, context)):
            break
    refs = re.findall(r'\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["\']?([^"\'\s>]*)',
                      html, re.I)
    expect(all(r.startswith('#') for r in refs), '%s: src/href only to fragments: %s' %
           (label, [r for r in refs if not r.startswith('#')][:5]))
    expect(not re.search(r'<script\b', html, re.I), '%s: no script at all' % label)
    expect(not re.search(r'<(link|iframe|img|object|embed|base)\b', html, re.I),
           '%s: no linked or embedded resources' % label)
    expect('@import' not in html and 'url(' not in html, '%s: no CSS imports or url()' % label)


base = tmpdir()
out = os.path.join(base, 'out')
os.environ['SOURCE_DATE_EPOCH'] = '1000000000'  # the page's date, fixed (2001-09-09 UTC)
run('score', EXAMPLE, '-o', out, check=0)
path = os.path.join(out, 'report.html')
if not expect(os.path.isfile(path), 'score writes OUTDIR/report.html'):
    finish()
raw = open(path, 'rb').read()
html = raw.decode('utf-8')
expect(html.startswith('<!DOCTYPE html>'), 'an HTML5 document')
expect(html.rstrip().endswith('</html>'), 'a complete document')
expect('<meta charset="utf-8">' in html, 'declares UTF-8')
expect(html.count('<svg') >= 1 + 5 + 3, 'inline SVG: composition, 5 programmes, 3 QC panels (%d)'
       % html.count('<svg'))
check_self_contained(html, 'example')
for st in STATES:
    expect(st in html, 'the page names state %s' % st)
for e in ('cycling', 'quiescent', 'diapause_like', 'senescent', 'sasp'):
    expect('score_%s (evidence z)' % e in html, 'a distribution panel for programme %s' % e)
for q in ('genes detected per cell', 'log10 UMIs per cell', '% mitochondrial UMIs'):
    expect(q in html, 'QC panel: %s' % q)
expect(html.count('<h1>') == 1 and '<h1>dormscan report</h1>' in html, 'one title')
expect(', run of 2001-09-09</p>' in html, 'the date (SOURCE_DATE_EPOCH)')
expect('Input: example (%s)' % EXAMPLE in html, 'the input and its path')
expect('<title>QC cut-off: 200</title>' in html and '<title>QC cut-off: 20</title>' in html,
       'the default cut-offs (200 genes, 20% mitochondrial) are marked')
expect('% of the state' not in html, 'state histograms in cells')

# The bars agree with summary.tsv (exact counts in the tooltips).
sh, srows = read_table(os.path.join(out, 'summary.tsv'))
row = dict(zip(sh, srows[0]))
for st in STATES:
    n = int(row['n_' + st])
    if n:
        want = 'example %s %s: %d of %s cells (' % (EM_DASH, st, n, row['n_cells'])
        expect(want in html, 'composition tooltip: %s' % want)
want = 'SASP flag: %s of %s cells (' % (row['n_sasp'], row['n_cells'])
expect(want in html, 'SASP tooltip: %s' % want)

# Every signature set of run.json's coverage is in the coverage table, with its counts.
meta = json.load(open(os.path.join(out, 'run.json')))
sets = [c for c in meta['samples'][0]['coverage'] if 'set' in c]
expect(len(sets) > 10, 'run.json lists the panel sets (%d)' % len(sets))
for c in sets:
    cell = '<td>%s</td><td class="num">%d / %d</td>' % (c['set'], c['found'], c['total'])
    expect(cell in html, 'coverage row for %s' % c['set'])

# Identical runs give identical bytes.
run('score', EXAMPLE, '-o', out, check=0)
expect(open(path, 'rb').read() == raw, 'the same run writes the same report.html')

# Sample names are escaped; several samples each get a bar.
sheet = os.path.join(base, 'samples.tsv')
with open(sheet, 'w') as f:
    f.write('a<b&c\t%s\nsecond\t%s\n' % (EXAMPLE, EXAMPLE))
out2 = os.path.join(base, 'two')
run('score', '--samples', sheet, '-o', out2, check=0)
path2 = os.path.join(out2, 'report.html')
if expect(os.path.isfile(path2), 'report.html with --samples'):
    html2 = open(path2, encoding='utf-8').read()
    check_self_contained(html2, 'two samples')
    expect('a&lt;b&amp;c' in html2, 'the sample name is escaped')
    expect('a<b' not in html2 and 'b&c' not in html2, 'the raw sample name never appears')
    expect('second %s cycling: ' % EM_DASH in html2, 'a bar for the second sample')
    per = html2.split('<h3>Evidence per sample</h3>')[1].split('</section>')[0] if '<h3>Evidence per sample</h3>' in html2 else ''
    expect(per.count('<svg') == 5 and per.count('<title>second: 150 cells') == 5
           and 'a&lt;b&amp;c: 150 cells' in per, 'per-sample distributions of each programme')
expect('<h3>Evidence per sample</h3>' not in html, 'one sample: no per-sample distributions')

# Render it headless and look for the state colours in the picture.
chromium = shutil.which('chromium') or shutil.which('chromium-browser')
if not chromium:
    print('SKIP (rendering only): chromium is not on PATH (Debian: apt-get install chromium)')
else:
    png = os.path.join(base, 'report.png')
    cmd = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
           '--hide-scrollbars', '--user-data-dir=' + os.path.join(base, 'chromium-profile'),
           '--screenshot=' + png, '--window-size=1200,2000', 'file://' + os.path.abspath(path)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=180,
                           stdin=subprocess.DEVNULL)
        status = 'exit %d' % p.returncode
    except subprocess.TimeoutExpired:
        status = 'timed out'
    if expect(os.path.isfile(png), 'chromium wrote a screenshot (%s)' % status):
        size = os.path.getsize(png)
        expect(size > 20000, 'the screenshot is not blank: %d bytes' % size)
        width, height, bpp, rows = read_png(png)
        expect((width, height) == (1200, 2000), 'screenshot size %dx%d' % (width, height))
        masks = colour_masks(bpp, rows)
        n_cells = int(row['n_cells'])
        for st in STATES:
            # A segment of 5% or more is at least 36 px wide at this window size.
            if int(row['n_' + st]) * 20 >= n_cells:
                expect(has_block(masks[st]), 'the %s bar segment is drawn in its colour' % st)
        print('rendered %s (%d bytes)' % (png, size))

finish()
