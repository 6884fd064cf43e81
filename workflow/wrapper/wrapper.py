"""Snakemake wrapper for `dormscan score`: per-cell dormancy states of one sample."""

__author__ = "the dormscan authors"
__copyright__ = "Copyright 2026, the dormscan authors"
__license__ = "MIT"

import os
import shlex

from snakemake.shell import shell

# The output table names the output directory; every other named output
# (summary.tsv, run.json, report.html, the MultiQC files) must sit beside it,
# because dormscan writes all of them into one directory.
output = snakemake.output
cells = output.get("cells", output[0] if len(output) else None)
if cells is None or os.path.basename(cells) not in ("cells.tsv", "cells.tsv.gz"):
    raise ValueError("dormscan wrapper: the output 'cells' must be .../cells.tsv or .../cells.tsv.gz")
outdir = os.path.dirname(cells) or "."
for path in output:
    if os.path.normpath(os.path.dirname(path) or ".") != os.path.normpath(outdir):
        raise ValueError(
            "dormscan wrapper: output %s is not in %s; dormscan writes every file of a run "
            "into one directory" % (path, outdir))

# The named input 'reference' (optional) is a file of `dormscan reference`:
# every cell is judged against it.  The other inputs are the count matrices.
reference = snakemake.input.get("reference")
if reference is not None and not isinstance(reference, str):
    reference = list(reference)
    if len(reference) != 1:
        raise ValueError("dormscan wrapper: the input 'reference' must be one file")
    reference = reference[0]
inputs = [str(p) for p in snakemake.input if reference is None or str(p) != str(reference)]
if not inputs:
    raise ValueError("dormscan wrapper: no input")

# The sample name: params.sample, else the {sample} wildcard, else dormscan's
# own (from the input's name).  It names one input only.
sample = snakemake.params.get("sample") or snakemake.wildcards.get("sample")
if sample and len(inputs) != 1:
    raise ValueError("dormscan wrapper: a sample name needs exactly one input, not %d" % len(inputs))

args = ["score"] + inputs + ["-o", outdir, "--threads", str(snakemake.threads)]
if sample:
    args += ["--sample", str(sample)]
if reference is not None:
    args += ["--reference", str(reference)]
if cells.endswith(".gz"):
    args.append("--gzip")

exe = snakemake.params.get("dormscan", "dormscan")
extra = snakemake.params.get("extra", "")
log = snakemake.log_fmt_shell(stdout=True, stderr=True)
command = " ".join(shlex.quote(a) for a in [str(exe)] + args)

shell("{command} {extra} {log}")
