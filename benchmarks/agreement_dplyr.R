# Peer benchmark: dyad-year agreement (a) with dplyr, as an R analyst would write it.
# Usage: Rscript benchmarks/agreement_dplyr.R VOTES.csv OUT.csv
#   VOTES.csv: rcid,year,iso3,vote (vote 1 yes, 2 abstain, 3 no) -- written by agreement_r.py
#   OUT.csv:   a,b,year,n,agree
# Prints "elapsed_seconds=<s>" for the computation only (reading the CSV excluded).
suppressPackageStartupMessages(library(dplyr))
args <- commandArgs(trailingOnly = TRUE)
votes <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = character(0))
start <- proc.time()[["elapsed"]]
# One year at a time: a self-join of all years at once needs ~140 million rows.
per_year <- lapply(split(votes, votes$year), function(v) {
  v %>%
    inner_join(v, by = "rcid", suffix = c("_a", "_b"), relationship = "many-to-many") %>%
    filter(iso3_a < iso3_b) %>%
    group_by(a = iso3_a, b = iso3_b) %>%
    summarise(n = n(), agree = mean(vote_a == vote_b), .groups = "drop") %>%
    mutate(year = v$year[1])
})
result <- bind_rows(per_year)
elapsed <- proc.time()[["elapsed"]] - start
cat(sprintf("elapsed_seconds=%.3f\n", elapsed))
write.csv(result[, c("a", "b", "year", "n", "agree")], args[2], row.names = FALSE)
