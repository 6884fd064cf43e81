#!/usr/bin/env python3
"""check_layers.py BUILDDIR [SRCDIR] -- check the library's layering.

The folders of src/ form layers (README, Architecture):

    cli -> {pipeline, compare} -> {io, score, classify, report, store} -> geneset -> core

with two sideways reads allowed: classify may read score (the classifier
turns scores into calls) and report may read classify (the writers write the
calls' vocabulary: states, phases, QC).  Checked:

1. symbols: from the compiled objects (nm), every function or object a file
   uses from another file must be defined in its own folder or in one it may
   depend on;
2. includes: a public header (include/dormscan/) belongs to the folder that
   implements it, and a header of src/F/ to F; either may be included only
   where F may be used.  A private header (src/F/*_internal.h) stays in F.
   The library never includes the umbrella dormscan.h (that is for
   programs), and core/ uses no external library beyond compression codecs
   (htslib's BGZF for gzip output): no htslib I/O or logging, no HDF5;
3. circles: no two files of the library use each other's symbols, directly
   or round a longer loop;
4. names: every global symbol is dorm_-prefixed, and the ones the library
   exports (default visibility) are the ones include/dormscan/ declares.

Prints one line per fault and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

ORDER = {'core': 0, 'geneset': 1, 'io': 2, 'score': 2, 'store': 2, 'classify': 3,
         'report': 4, 'pipeline': 5, 'compare': 5, 'cli': 6}
SIDEWAYS = {('classify', 'score'), ('report', 'classify')}
BELOW = {  # what each folder may use besides itself
    'core': set(),
    'geneset': {'core'},
    'io': {'geneset', 'core'},
    'score': {'geneset', 'core'},
    'store': {'core'},
    'classify': {'score', 'geneset', 'core'},
    'report': {'classify', 'geneset', 'core'},
    'pipeline': {'io', 'score', 'classify', 'report', 'store', 'geneset', 'core'},
    'compare': {'io', 'classify', 'report', 'geneset', 'core'},
    'cli': set(ORDER) - {'cli'},
}
GENERATED = {'panel_data': 'geneset'}  # generated sources and their folder


def may_use(a, b):
    return a == b or b in BELOW[a]


def objects(builddir):
    d = os.path.join(builddir, 'libdormscan.a.p')
    for f in sorted(os.listdir(d)):
        if not f.endswith('.o'):
            continue
        m = re.match(r'src_([a-z]+)_(.+)\.c\.o$', f)
        if m:
            yield os.path.join(d, f), m.group(1), 'src/%s/%s.c' % (m.group(1), m.group(2))
            continue
        for name, folder in GENERATED.items():
            if name in f:
                yield os.path.join(d, f), folder, name + '.c'


def symbols(path):
    out = subprocess.run(['nm', path], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        kind, name = parts[-2], parts[-1]
        if kind == 'U':
            used.add(name)
        elif kind in 'TDBRCVW':
            defined.add(name)
    return defined, used


def exported(path):
    """Global symbols defined in path with default visibility, and all globals."""
    out = subprocess.run(['readelf', '-sW', path], capture_output=True, text=True,
                         check=True).stdout
    default, every = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 8 or parts[4] not in ('GLOBAL', 'WEAK') or parts[6] == 'UND':
            continue
        every.add(parts[7])
        if parts[5] == 'DEFAULT':
            default.add(parts[7])
    return default, every


def circles(edges, nodes):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def header_folders(srcdir, defined_in):
    """Public header -> the folder implementing the functions it declares."""
    folders = {}
    inc = os.path.join(srcdir, 'include', 'dormscan')
    for h in sorted(os.listdir(inc)):
        text = open(os.path.join(inc, h)).read()
        names = set(re.findall(r'\b(dorm_[a-z0-9_]+)\s*\(', text))
        impl = {defined_in[s][0] for s in names if s in defined_in}
        folders[h] = impl
    return folders


def main():
    builddir = sys.argv[1]
    srcdir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    faults = []
    defined_in, uses, files = {}, {}, {}
    for path, folder, name in objects(builddir):
        d, u = symbols(path)
        files[name] = folder
        uses[name] = u
        for s in d:
            defined_in[s] = (folder, name)

    edges = {}
    for name, used in uses.items():
        a = files[name]
        for s in sorted(used):
            if s not in defined_in:
                continue  # libc, htslib, HDF5 ...
            b, other = defined_in[s]
            if other != name:
                edges.setdefault(name, set()).add(other)
            if not may_use(a, b):
                faults.append('%s (%s) uses %s from %s (%s)' % (name, a, s, other, b))

    for comp in circles(edges, files):
        faults.append('circle: ' + ' <-> '.join(comp))

    public = set()
    inc_dir = os.path.join(srcdir, 'include', 'dormscan')
    for h in os.listdir(inc_dir):
        public |= set(re.findall(r'\b(dorm_[a-z0-9_]+)\s*\(', open(os.path.join(inc_dir, h)).read()))
    for path, folder, name in objects(builddir):
        default, every = exported(path)
        for sym in sorted(every):
            if not sym.startswith('dorm_'):
                faults.append('%s defines %s (no dorm_ prefix)' % (name, sym))
        for sym in sorted(default - public):
            faults.append('%s exports %s, which no public header declares' % (name, sym))

    hdr = header_folders(srcdir, defined_in)
    for name, folder in sorted(hdr.items()):
        if len(folder) > 1:
            faults.append('include/dormscan/%s is implemented in %s' % (name, ', '.join(sorted(folder))))
    for root, _, fs in os.walk(os.path.join(srcdir, 'src')):
        a = os.path.basename(root)
        if a not in ORDER:
            continue
        for f in sorted(fs):
            p = os.path.join(root, f)
            for line_no, line in enumerate(open(p), 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                inc = m.group(1)
                where = 'src/%s/%s:%d' % (a, f, line_no)
                if inc == 'dormscan/dormscan.h' and a != 'cli':
                    faults.append('%s includes the umbrella %s' % (where, inc))
                elif inc.startswith('dormscan/'):
                    for b in hdr.get(inc[len('dormscan/'):], ()):
                        if not may_use(a, b):
                            faults.append('%s includes %s (%s)' % (where, inc, b))
                elif '/' in inc and inc.split('/')[0] in ORDER:
                    b = inc.split('/')[0]
                    if b != a and inc.endswith('_internal.h'):
                        faults.append('%s includes private %s' % (where, inc))
                    elif not may_use(a, b):
                        faults.append('%s includes %s (%s)' % (where, inc, b))
            if a == 'core':
                for line_no, line in enumerate(open(p), 1):
                    if re.match(r'\s*#\s*include\s+<(htslib/(?!bgzf)|hdf5)', line):
                        faults.append('src/core/%s:%d includes %s' % (f, line_no, line.strip()))
    for f in faults:
        print(f)
    print('%d layering faults' % len(faults))
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main())
