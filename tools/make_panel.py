#!/usr/bin/env python3
"""Build dormscan's shipped gene-set files from the upstream GMT sources.

Usage:
    python3 tools/make_panel.py [SOURCE_DIR] [--out-dir DIR]

SOURCE_DIR defaults to ../shared/signature-sources relative to the repository
root (the parent of this script's directory).  Output goes to
<repo root>/signatures/ unless --out-dir is given:

    dormancy_panel.gmt   dormancy / senescence / cell-cycle panel
    qc.gmt               QC gene sets (mitochondrial, ribosomal protein)
    gene_ids.tsv         identifier aliases for every gene in the two GMTs

Each source set is renamed to dormscan's short lowercase name, gene order is
kept, empty fields are ignored and repeated genes within a set are dropped
(first occurrence wins).  Each output line is

    name<TAB>description<TAB>gene<TAB>gene...

gene_ids.tsv has the header symbol<TAB>kind<TAB>alias and one row per alias,
sorted by symbol, kind, alias (plain code-point order).  symbol is a gene token
exactly as written in the GMTs, or one of the MARKERS below.  kind is one of

    human_ensembl   ENSG IDs of the symbol (human_ensembl_symbol_orgHs.tsv)
    human_symbol    current HGNC symbol of an outdated token (RENAMES only)
    mouse_symbol    MGI mouse orthologs (mgi_HMD_human_mouse_orthologs.tsv)
    mouse_ensembl   ENSMUSG IDs of those mouse symbols
                    (mouse_ensembl_symbol_biomart.tsv)

A renamed token gets the human_ensembl, mouse_symbol and mouse_ensembl rows of
its current symbol.  Lookups are exact and case-sensitive; no other alias or
previous-symbol resolution is done, so tokens the tables do not name (e.g. the
MT- genes, which the NCBI-based tables call COX1, ND1, ...) get no rows.
A row whose alias equals its symbol is not written.

The script stops with an error if a source file or source set is missing, if
a set name occurs twice in its source file, if a set ends up empty, or if an
identifier table lacks its expected columns.
Provenance for every set is documented in signatures/SOURCES.md.
Standard library only.
"""

import argparse
import os
import re
import sys
import tempfile

# (dormscan name, source file, source set name, description)
# Description: state/role, direction; citation short form; source set name.
PANEL = [
    ("cc_s", "tirosh2016_cell_cycle.gmt", "TIROSH2016_S_PHASE",
     "proliferating S phase, up in cycling cells; "
     "Tirosh et al. 2016 Science 352:189"),
    ("cc_g2m", "tirosh2016_cell_cycle.gmt", "TIROSH2016_G2M_PHASE",
     "proliferating G2/M phase, up in cycling cells; "
     "Tirosh et al. 2016 Science 352:189"),
    ("quiescence_up", "wiecek2023_g0_arrest.gmt", "WIECEK2023_G0_ARREST_UP",
     "quiescent G0 arrest, up; Wiecek et al. 2023 Genome Biol 24:128"),
    ("quiescence_down", "wiecek2023_g0_arrest.gmt", "WIECEK2023_G0_ARREST_DN",
     "quiescent G0 arrest, down; Wiecek et al. 2023 Genome Biol 24:128"),
    ("dream_targets", "fischer2016_dream_targets.gmt", "FISCHER_DREAM_TARGETS",
     "DREAM-repressed cell-cycle genes, down in quiescence/G0; "
     "Fischer et al. 2016 Nucleic Acids Res 44:6070"),
    ("rrna_processing", "reactome_msigdb_v7.2.gmt", "REACTOME_RRNA_PROCESSING",
     "ribosome biogenesis (pathway membership), down in "
     "quiescence/diapause-like; Reactome via MSigDB C2 v7.2"),
    ("myc_targets", "msigdb_hallmark_v7.5.1.gmt", "HALLMARK_MYC_TARGETS_V1",
     "MYC targets, down in diapause-like (up in cycling); "
     "Liberzon et al. 2015 Cell Syst 1:417"),
    ("mtorc1_signaling", "msigdb_hallmark_v7.5.1.gmt",
     "HALLMARK_MTORC1_SIGNALING",
     "mTORC1 signalling, down in quiescence/diapause-like; "
     "Liberzon et al. 2015 Cell Syst 1:417"),
    ("autophagy", "reactome_msigdb_v7.2.gmt", "REACTOME_AUTOPHAGY",
     "autophagy (pathway membership), up in diapause-like/DTP; "
     "Reactome via MSigDB C2 v7.2"),
    ("senmayo", "saul2022_senmayo.gmt", "SAUL_SEN_MAYO",
     "senescence/SASP (SenMayo, bulk-derived), up; "
     "Saul et al. 2022 Nat Commun 13:4827"),
    ("senescence_fridman_up", "fridman2008_senescence.gmt",
     "FRIDMAN_SENESCENCE_UP",
     "senescent, up; Fridman & Tainsky 2008 Oncogene 27:5975"),
    ("senescence_fridman_down", "fridman2008_senescence.gmt",
     "FRIDMAN_SENESCENCE_DN",
     "senescent, down; Fridman & Tainsky 2008 Oncogene 27:5975"),
    ("senescence_cellage_up", "cellage.gmt", "CELLAGE_SIGNATURE_OVEREXPRESSED",
     "senescent (CellAge expression signature), up; "
     "CellAge database, Avelar et al. 2020 Genome Biology 21:91"),
    ("senescence_cellage_down", "cellage.gmt",
     "CELLAGE_SIGNATURE_UNDEREXPRESSED",
     "senescent (CellAge expression signature), down; "
     "CellAge database, Avelar et al. 2020 Genome Biology 21:91"),
    ("sasp_reactome", "reactome_msigdb_v7.2.gmt",
     "REACTOME_SENESCENCE_ASSOCIATED_SECRETORY_PHENOTYPE_SASP",
     "SASP (pathway membership, includes histone genes), up; "
     "Reactome via MSigDB C2 v7.2"),
    ("dtp_rehman_up", "dtp_persister_signatures.gmt", "REHMAN2021_CRC_DTP_UP",
     "diapause-like drug-tolerant persister, up, cell-cycle genes removed; "
     "Rehman et al. 2021 Cell 184:226"),
    ("dtp_rehman_down", "dtp_persister_signatures.gmt", "REHMAN2021_CRC_DTP_DN",
     "diapause-like drug-tolerant persister, down, cell-cycle genes removed; "
     "Rehman et al. 2021 Cell 184:226"),
    ("dtp_moghal_up", "dtp_persister_signatures.gmt", "MOGHAL2023_DTP_COMMON_UP",
     "drug-tolerant persister (consensus), up, cell-cycle genes removed; "
     "Moghal et al. 2023"),
    ("dtp_moghal_down", "dtp_persister_signatures.gmt",
     "MOGHAL2023_DTP_COMMON_DN",
     "drug-tolerant persister (consensus), down, cell-cycle genes removed; "
     "Moghal et al. 2023"),
]

# Sets whose genes are removed from the persister lists: the cell-cycle
# genes (DREAM targets and the Tirosh S and G2/M lists), down in every
# non-dividing state and measured by the cycling and quiescent programmes,
# so that the persister components carry what is specific to persisters.
CELL_CYCLE = [("fischer2016_dream_targets.gmt", "FISCHER_DREAM_TARGETS"),
              ("tirosh2016_cell_cycle.gmt", "TIROSH2016_S_PHASE"),
              ("tirosh2016_cell_cycle.gmt", "TIROSH2016_G2M_PHASE")]
WITHOUT_CELL_CYCLE = {"dtp_rehman_up", "dtp_rehman_down", "dtp_moghal_up",
                      "dtp_moghal_down"}

# Sets whose source lists a gene under its human and its mouse symbol (the
# Moghal consensus pools human and mouse studies): the mouse spellings (MGI
# symbols that are no HGNC symbol) are dropped, since the panel is human
# and mouse data are matched through the ortholog table.
HUMAN_ONLY = {"dtp_moghal_up", "dtp_moghal_down"}

QC = [
    ("qc_mito", "qc_mito_ribo_gencode27.gmt", "QC_HUMAN_MITOCHONDRIAL_MT",
     "QC mitochondrial chrM genes (MT- prefix), no direction; "
     "GENCODE v27 hg38 gene table"),
    ("qc_ribo", "qc_mito_ribo_gencode27.gmt",
     "QC_HUMAN_RIBOSOMAL_PROTEIN_RPS_RPL",
     "QC cytosolic ribosomal protein genes (RPS/RPL), no direction; "
     "GENCODE v27 hg38 gene table"),
]

OUTPUTS = [("dormancy_panel.gmt", PANEL), ("qc.gmt", QC)]

GENE_IDS_FILE = "gene_ids.tsv"

# Single marker genes scored on their own; always given alias rows.
MARKERS = ["CDKN1A", "CDKN2A", "CDKN1B", "LMNB1", "GLB1"]

# Outdated tokens in the shipped sets -> current HGNC symbol.  Only renames
# documented in the caveats of signature-sources/SOURCES.md are listed (the
# three Tirosh 2016 cell-cycle genes, and H2AFZ, used by the CellAge list);
# do not add guesses here.
RENAMES = {
    "MLF1IP": "CENPU",
    "FAM64A": "PIMREG",
    "HN1": "JPT1",
    "H2AFZ": "H2AZ1",
}

# (source file, columns used: key column, value column)
HUMAN_ENSEMBL_TABLE = ("human_ensembl_symbol_orgHs.tsv",
                       "hgnc_symbol", "ensembl_gene_id")
ORTHOLOG_TABLE = ("mgi_HMD_human_mouse_orthologs.tsv",
                  "human_symbol", "mouse_symbol")
MOUSE_ENSEMBL_TABLE = ("mouse_ensembl_symbol_biomart.tsv",
                       "mgi_symbol", "ensembl_gene_id")

# Sets derived from a gene table by a naming rule: (dormscan name, table,
# pattern over its symbols, description).  Replication-dependent histone
# genes: the HGNC nomenclature names the clustered, replication-dependent
# core histone genes H2AC#, H2BC#, H3C#, H4C# ("C": cluster) and the
# replication-dependent linker histones H1-1 .. H1-6 (Seal RL et al. 2022,
# Epigenetics & Chromatin 15:1).  Their mRNAs are made during DNA
# replication and degraded when it ends: the S-phase programme.
DERIVED = [
    ("cc_histone", HUMAN_ENSEMBL_TABLE,
     r"^(H2AC[0-9]+|H2BC[0-9]+|H3C[0-9]+|H4C[0-9]+|H1-[1-6])$",
     "S phase (replication-dependent histone genes), up in cycling cells; "
     "HGNC nomenclature, Seal et al. 2022 Epigenetics Chromatin 15:1"),
]



def die(msg):
    sys.stderr.write("make_panel.py: error: %s\n" % msg)
    sys.exit(1)


def read_gmt(path):
    """Return {set name: [genes in file order]} for one GMT file."""
    sets = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                fields = line.split("\t")
                name = fields[0].strip()
                if len(fields) < 2 or not name:
                    die("%s:%d: malformed GMT line" % (path, lineno))
                if name in sets:
                    die("%s:%d: set %s occurs more than once"
                        % (path, lineno, name))
                sets[name] = [g.strip() for g in fields[2:] if g.strip()]
    except OSError as exc:
        die("cannot read source file %s: %s" % (path, exc.strerror))
    return sets


def build(entries, src_dir, cache):
    lines = []
    for name, fname, src_set, desc in entries:
        path = os.path.join(src_dir, fname)
        if path not in cache:
            cache[path] = read_gmt(path)
        sets = cache[path]
        if src_set not in sets:
            die("source set %s not found in %s (needed for %s)"
                % (src_set, path, name))
        seen = set()
        genes = []
        dups = []
        removed = set()
        if name in WITHOUT_CELL_CYCLE:
            removed = cell_cycle_genes(src_dir, cache)
        mouse_only = set()
        if name in HUMAN_ONLY:
            mouse_only = mouse_only_symbols(src_dir, cache)
        n_removed = n_mouse = 0
        for g in sets[src_set]:
            if g in mouse_only:
                n_mouse += 1
                continue
            if g in removed:
                n_removed += 1
                continue
            if g in seen:
                dups.append(g)
                continue
            seen.add(g)
            genes.append(g)
        if not genes:
            die("source set %s in %s has no genes" % (src_set, path))
        if dups:
            sys.stderr.write("make_panel.py: %s: dropped %d duplicate gene(s) "
                             "from %s: %s\n" % (name, len(dups), src_set,
                                                " ".join(dups)))
        full_desc = "%s; source %s" % (desc, src_set)
        for field in (name, full_desc):
            if "\t" in field or "\n" in field:
                die("tab or newline in name/description of %s" % name)
        lines.append("\t".join([name, full_desc] + genes) + "\n")
        sys.stderr.write("make_panel.py: %-24s %4d genes  <- %s%s%s\n"
                         % (name, len(genes), src_set,
                            " (%d cell-cycle genes removed)" % n_removed
                            if removed else "",
                            " (%d mouse symbols dropped)" % n_mouse
                            if mouse_only else ""))
    return lines


def mouse_only_symbols(src_dir, cache):
    """MGI symbols (mouse table) that are no HGNC symbol (human table)."""
    key = "mouse_only"
    if key not in cache:
        mouse = read_map(src_dir, MOUSE_ENSEMBL_TABLE)
        human = read_map(src_dir, HUMAN_ENSEMBL_TABLE)
        cache[key] = set(mouse) - set(human)
    return cache[key]


def build_derived(entries, src_dir):
    """GMT lines of the DERIVED sets, genes in the table's order."""
    lines = []
    for name, table, pattern, desc in entries:
        rx = re.compile(pattern)
        genes = []
        for sym in read_column(src_dir, table[0], table[1]):
            if rx.match(sym) and sym not in genes:
                genes.append(sym)
        if not genes:
            die("no symbol of %s matches %s (needed for %s)"
                % (table[0], pattern, name))
        full_desc = "%s; symbols of %s matching %s" % (desc, table[0], pattern)
        lines.append("\t".join([name, full_desc] + genes) + "\n")
        sys.stderr.write("make_panel.py: %-24s %4d genes  <- %s (%s)\n"
                         % (name, len(genes), table[0], pattern))
    return lines


def read_column(src_dir, fname, col):
    """The values of one named column of a TSV table, in file order."""
    path = os.path.join(src_dir, fname)
    try:
        with open(path, encoding="utf-8") as fh:
            header = fh.readline().rstrip("\r\n").split("\t")
            if col not in header:
                die("%s: header lacks column %s" % (path, col))
            i = header.index(col)
            return [line.rstrip("\r\n").split("\t")[i] for line in fh
                    if line.strip()]
    except OSError as exc:
        die("cannot read identifier table %s: %s" % (path, exc.strerror))


def cell_cycle_genes(src_dir, cache):
    """The genes of the CELL_CYCLE sets."""
    genes = set()
    for fname, src_set in CELL_CYCLE:
        path = os.path.join(src_dir, fname)
        if path not in cache:
            cache[path] = read_gmt(path)
        if src_set not in cache[path]:
            die("source set %s not found in %s" % (src_set, path))
        genes.update(cache[path][src_set])
    return genes


def read_map(src_dir, table):
    """Return {key: set(values)} from two named columns of a TSV table."""
    fname, key_col, val_col = table
    path = os.path.join(src_dir, fname)
    result = {}
    try:
        with open(path, encoding="utf-8") as fh:
            header = fh.readline().rstrip("\r\n").split("\t")
            if key_col not in header or val_col not in header:
                die("%s: header lacks column %s or %s"
                    % (path, key_col, val_col))
            ki = header.index(key_col)
            vi = header.index(val_col)
            for lineno, line in enumerate(fh, 2):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                fields = line.split("\t")
                if len(fields) != len(header):
                    die("%s:%d: expected %d fields, found %d"
                        % (path, lineno, len(header), len(fields)))
                key = fields[ki].strip()
                val = fields[vi].strip()
                if key and val:
                    result.setdefault(key, set()).add(val)
    except OSError as exc:
        die("cannot read identifier table %s: %s" % (path, exc.strerror))
    return result


def build_gene_ids(tokens, src_dir):
    """Return the lines of gene_ids.tsv for the given gene tokens."""
    human_ens = read_map(src_dir, HUMAN_ENSEMBL_TABLE)
    orthologs = read_map(src_dir, ORTHOLOG_TABLE)
    mouse_ens = read_map(src_dir, MOUSE_ENSEMBL_TABLE)
    for old, new in sorted(RENAMES.items()):
        if new not in human_ens:
            die("renamed symbol %s (for %s) not in %s"
                % (new, old, HUMAN_ENSEMBL_TABLE[0]))

    rows = set()
    for token in tokens:
        current = RENAMES.get(token, token)
        if current != token:
            rows.add((token, "human_symbol", current))
        for ens in human_ens.get(current, ()):
            rows.add((token, "human_ensembl", ens))
        for msym in orthologs.get(current, ()):
            rows.add((token, "mouse_symbol", msym))
            for ens in mouse_ens.get(msym, ()):
                rows.add((token, "mouse_ensembl", ens))
    rows = sorted(r for r in rows if r[2] != r[0])
    for row in rows:
        for field in row:
            if not field or "\t" in field or "\n" in field:
                die("bad field %r in gene_ids row %r" % (field, row))

    kinds = {}
    for _, kind, _ in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
    with_kind = {}
    for sym, kind, _ in rows:
        with_kind.setdefault(kind, set()).add(sym)
    sys.stderr.write("make_panel.py: gene_ids: %d symbols, %d rows (%s)\n"
                     % (len(tokens), len(rows),
                        ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))
    for kind in ("human_ensembl", "mouse_symbol"):
        missing = [t for t in tokens if t not in with_kind.get(kind, ())]
        sys.stderr.write("make_panel.py: gene_ids: %d symbol(s) without %s "
                         "rows: %s\n" % (len(missing), kind, " ".join(missing)))
    same = [t for t in tokens
            if RENAMES.get(t, t) in orthologs.get(RENAMES.get(t, t), ())]
    if same:
        sys.stderr.write("make_panel.py: gene_ids: %d symbol(s) whose mouse "
                         "ortholog is spelled the same (row omitted): %s\n"
                         % (len(same), " ".join(same)))
    return ["symbol\tkind\talias\n"] + ["\t".join(r) + "\n" for r in rows]


def write_atomic(path, lines):
    out_dir = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(lines)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(
        description="Regenerate dormscan's gene-set GMT files and "
                    "gene_ids.tsv.")
    ap.add_argument("source_dir", nargs="?",
                    default=os.path.join(repo_root, os.pardir, "shared",
                                         "signature-sources"),
                    help="directory holding the source GMT files and "
                         "identifier tables "
                         "(default: ../shared/signature-sources relative to "
                         "the repository root)")
    ap.add_argument("--out-dir", default=os.path.join(repo_root, "signatures"),
                    help="output directory (default: <repo root>/signatures)")
    args = ap.parse_args(argv)

    src_dir = os.path.normpath(args.source_dir)
    if not os.path.isdir(src_dir):
        die("source directory %s does not exist" % src_dir)
    out_dir = os.path.normpath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)

    names = [e[0] for _, entries in OUTPUTS for e in entries]
    names += [e[0] for e in DERIVED]
    if len(names) != len(set(names)):
        die("duplicate dormscan set name in the panel definition")

    cache = {}
    built = [(fname, build(entries, src_dir, cache))
             for fname, entries in OUTPUTS]
    built[0][1][2:2] = build_derived(DERIVED, src_dir)  # after cc_s, cc_g2m
    tokens = set(MARKERS)
    for _, lines in built:
        for line in lines:
            tokens.update(line.rstrip("\n").split("\t")[2:])
    gene_ids = build_gene_ids(sorted(tokens), src_dir)
    # Write only after every set was found, so a failure leaves old files.
    for fname, lines in built:
        path = os.path.join(out_dir, fname)
        write_atomic(path, lines)
        sys.stderr.write("make_panel.py: wrote %s (%d sets)\n"
                         % (path, len(lines)))
    path = os.path.join(out_dir, GENE_IDS_FILE)
    write_atomic(path, gene_ids)
    sys.stderr.write("make_panel.py: wrote %s (%d rows)\n"
                     % (path, len(gene_ids) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
