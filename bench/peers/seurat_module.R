# Seurat's AddModuleScore on a Cell Ranger directory, the peer of
# `dormscan score --method module` (bench/run_bench.sh runs both side by side).
# usage: Rscript seurat_module.R MATRIX_DIR GMT OUT_TSV
suppressMessages(library(Seurat))
args <- commandArgs(trailingOnly = TRUE)
counts <- Read10X(args[1])
obj <- CreateSeuratObject(counts)
obj <- NormalizeData(obj, verbose = FALSE)
gmt <- strsplit(readLines(args[2]), "\t")
sets <- lapply(gmt, function(x) x[-(1:2)])
names(sets) <- vapply(gmt, `[`, "", 1)
present <- rownames(obj)
sets <- lapply(sets, function(s) intersect(s, present))
sets <- sets[lengths(sets) > 0]
obj <- AddModuleScore(obj, features = sets, name = "set", seed = 1)
scores <- obj[[paste0("set", seq_along(sets))]]
colnames(scores) <- names(sets)
write.table(scores, args[3], sep = "\t", quote = FALSE)
