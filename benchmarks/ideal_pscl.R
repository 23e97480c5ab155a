# pscl::ideal on one vote matrix written by benchmarks/ideal_pscl.py.
# Usage: Rscript benchmarks/ideal_pscl.R MATRIX.csv OUT.csv MAXITER BURNIN THIN [SEED]
# MATRIX.csv: first column iso3, then one column per roll call, 1 yes / 0 no / NA.
# Prints "seconds=<elapsed of ideal() alone>".
suppressPackageStartupMessages(library(pscl))
cmd <- commandArgs(trailingOnly = TRUE)
mi <- as.integer(cmd[3]); bi <- as.integer(cmd[4]); th <- as.integer(cmd[5])
m <- read.csv(cmd[1], check.names = FALSE, na.strings = "NA", stringsAsFactors = FALSE)
votes <- as.matrix(m[, -1, drop = FALSE])
rc <- rollcall(votes, yea = 1, nay = 0, missing = NA, notInLegis = NULL,
               legis.names = m[[1]], desc = basename(cmd[1]))
set.seed(if (length(cmd) >= 6) as.integer(cmd[6]) else 1L)
t <- system.time(fit <- ideal(rc, d = 1, maxiter = mi, burnin = bi,
                              thin = th, normalize = TRUE, store.item = FALSE,
                              verbose = FALSE))
write.csv(data.frame(iso3 = rownames(fit$xbar), pscl = fit$xbar[, 1]), cmd[2], row.names = FALSE)
cat(sprintf("seconds=%.3f\n", t[["elapsed"]]))
