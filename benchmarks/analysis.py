"""Benchmark of the report's statistics: raking plus every item's shares with SEs and CIs by group.

Synthetic data: 1,000,000 respondents, 26 items (4-point with "don't know", 0–10, yes/no; item
non-response), 4 reporting groups (age, gender, language, area) which are also the raking variables.
Times raking and ``shares_table`` (logit intervals) and prints the figures; the last line is

    analysis: 1000000 rows, T s, peak M MB[, R ratio X]

where the R ratio compares with R ``survey`` on the same estimates when Rscript with the survey
package is available (see ``--r-items``: R is timed on a subset of the items and scaled to all 26).

usage: python benchmarks/analysis.py [--rows N] [--r-items K] [--no-r]
"""

from __future__ import annotations

import argparse
import csv
import importlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np


def _package() -> ModuleType:
    """The analysis package; this script's own name would shadow it when run as a file."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    return importlib.import_module("analysis")


ROWS = 1_000_000
N_ITEMS = 26
POPULATION = {
    "age": [10500.0, 13200.0, 22800.0, 21500.0],
    "gender": [34300.0, 33700.0],
    "lang": [64200.0, 3800.0],
    "area": [21000.0, 9000.0, 15000.0, 12000.0, 11000.0],
}
SAMPLE_P = {
    "age": [0.12, 0.18, 0.35, 0.35],
    "gender": [0.55, 0.45],
    "lang": [0.82, 0.18],
    "area": [0.30, 0.12, 0.22, 0.18, 0.18],
}

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
items <- strsplit(args[2], ",")[[1]]
groups <- c("age", "gender", "lang", "area")
for (g in groups) d[[g]] <- factor(d[[g]])
for (it in items) d[[it]][is.na(d[[it]]) | d[[it]] %in% 9] <- NA  # savetxt writes NaN
pop <- c(`(Intercept)` = @N@, @POP@)
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~1, weights = ~w0, data = d)
cal <- calibrate(des, ~age + gender + lang + area, population = pop, calfun = "raking", epsilon = 1e-10)
t1 <- proc.time()[["elapsed"]]
logit_ci <- function(p, se, df) {
  h <- qt(0.975, df) * se / (p * (1 - p))
  cbind(plogis(qlogis(p) - h), plogis(qlogis(p) + h))
}
res <- list()
for (it in items) {
  f <- as.formula(paste0("~factor(", it, ")"))
  m <- svymean(f, cal, na.rm = TRUE)
  ci <- logit_ci(coef(m), SE(m), degf(cal))
  res[[length(res) + 1]] <- list(it, "all", m)
  for (g in groups) {
    b <- svyby(f, as.formula(paste0("~", g)), cal, svymean, na.rm = TRUE)
    ci <- logit_ci(coef(b), as.vector(as.matrix(SE(b))), degf(cal))
    res[[length(res) + 1]] <- list(it, g, b)
  }
}
t2 <- proc.time()[["elapsed"]]
long <- do.call(rbind, lapply(res, function(r) {
  key <- names(coef(r[[3]]))
  data.frame(item = r[[1]], group = r[[2]], level = ifelse(grepl(":", key), sub(":.*", "", key), "all"),
             category = sub(".*\\)", "", key), value = unname(coef(r[[3]])),
             se = as.vector(as.matrix(SE(r[[3]]))))
}))
write.csv(long, args[3], row.names = FALSE)
cat(t1 - t0, t2 - t1, "\n")
"""


def synthetic(rows: int, seed: int = 2024) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Background codes (small integers) and item answers (float32, NaN = no answer, 9 = don't know)."""
    rng = np.random.default_rng(seed)
    background = {name: rng.choice(len(p), rows, p=p).astype(np.int8) for name, p in SAMPLE_P.items()}
    latent = rng.normal(0, 1, rows) - 0.5 * background["lang"] + 0.15 * background["age"]
    items: dict[str, np.ndarray] = {}
    for j in range(N_ITEMS):
        noise = rng.normal(0, 1, rows)
        kind = j % 3
        if kind == 0:
            answer = (4 - np.searchsorted([-1.2, 0.0, 1.2], latent + noise)).astype(np.float32)
            answer[rng.random(rows) < 0.04] = 9
        elif kind == 1:
            answer = np.clip(np.round(5.5 + 1.6 * latent + 1.5 * noise), 0, 10).astype(np.float32)
        else:
            answer = (latent + noise > 0.3).astype(np.float32)
        answer[rng.random(rows) < 0.03] = np.nan
        items[f"Q{j + 1:02d}"] = answer
    return background, items


def run_analysis(
    background: dict[str, np.ndarray], items: dict[str, np.ndarray]
) -> tuple[float, float, dict[str, Any]]:
    """Rake to the margins, then all shares with SEs and logit CIs overall and by the four groups."""
    an = _package()
    rows = next(iter(background.values())).size
    population = sum(POPULATION["age"])
    margins = {name: dict(enumerate(values)) for name, values in POPULATION.items()}
    start = time.perf_counter()
    design = an.rake(an.Design(weights=np.full(rows, population / rows)), background, margins)
    raked = time.perf_counter()
    tables = an.shares_table(design, items, background, exclude=(9,))
    done = time.perf_counter()
    return raked - start, done - raked, tables


def time_r(
    background: dict[str, np.ndarray], items: dict[str, np.ndarray], n_items: int
) -> tuple[float, float, list[dict[str, str]]] | None:
    """Seconds R survey needs to calibrate and to estimate ``n_items`` items' shares, and R's estimates."""
    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(survey)"], capture_output=True).returncode:
        return None
    rows = next(iter(background.values())).size
    population = sum(POPULATION["age"])
    names = list(items)[:n_items]
    pop_terms = ", ".join(
        f"{var}{k} = {value}" for var, values in POPULATION.items() for k, value in enumerate(values) if k > 0
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.csv"
        columns = {**{k: v.astype(int) for k, v in background.items()}, **{k: items[k] for k in names}}
        table = np.column_stack([np.full(rows, population / rows)] + [columns[k] for k in columns])
        np.savetxt(data, table, delimiter=",", header=",".join(["w0", *columns]), comments="", fmt="%.10g")
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.replace("@N@", str(population)).replace("@POP@", pop_terms))
        estimates = Path(tmp) / "estimates.csv"
        out = subprocess.run(
            [rscript, str(script), str(data), ",".join(names), str(estimates)], capture_output=True, text=True
        )
        if out.returncode:
            print(out.stderr, file=sys.stderr, flush=True)
            return None
        with estimates.open(newline="") as f:
            rows_r = list(csv.DictReader(f))
    calibrate_s, shares_s = (float(v) for v in out.stdout.split())
    return calibrate_s, shares_s, rows_r


def largest_differences(tables: dict[str, Any], rows_r: list[dict[str, str]]) -> tuple[float, float]:
    """Largest absolute difference of shares and relative difference of SEs between R and us."""
    value_diff = se_diff = 0.0
    for row in rows_r:
        table = tables[row["item"]]
        group = None if row["group"] == "all" else row["group"]
        level = None if group is None else int(row["level"])
        est = table.estimate(int(float(row["category"])), group, level)
        value_diff = max(value_diff, abs(est.value - float(row["value"])))
        se_diff = max(se_diff, abs(est.se / float(row["se"]) - 1))
    return value_diff, se_diff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument(
        "--r-items",
        type=int,
        default=3,
        help="items R is timed on (one of each kind by default), scaled to all",
    )
    parser.add_argument("--no-r", action="store_true", help="skip the comparison with R")
    args = parser.parse_args()

    t0 = time.perf_counter()
    background, items = synthetic(args.rows)
    print(f"data: {args.rows} rows x {N_ITEMS} items, 4 groups, generated in {time.perf_counter() - t0:.1f} s")
    rake_s, shares_s, tables = run_analysis(background, items)
    estimates = sum(t.value.size for t in tables.values())
    total_s = rake_s + shares_s
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"raking on 4 variables: {rake_s:.2f} s")
    print(f"shares with SE and logit CI, overall + 4 groups: {estimates} estimates in {shares_s:.2f} s")
    tail = ""
    if not args.no_r:
        r = time_r(background, items, args.r_items)
        if r is not None:
            r_calibrate, r_shares, rows_r = r
            r_total = r_calibrate + r_shares * N_ITEMS / args.r_items
            value_diff, se_diff = largest_differences(tables, rows_r)
            print(
                f"R survey: calibrate(raking) {r_calibrate:.1f} s; svymean + svyby(~factor(item)) for "
                f"{args.r_items} of {N_ITEMS} items {r_shares:.1f} s, logit CIs from the SEs; "
                f"scaled to {N_ITEMS} items: {r_total:.0f} s"
            )
            print(
                f"same estimates as R on those items ({len(rows_r)} shares): largest share difference "
                f"{value_diff:.1e}, largest relative SE difference {se_diff:.1e}"
            )
            tail = f", R ratio {r_total / total_s:.0f}"
        else:
            print("R survey: not available, no ratio")
    print(f"analysis: {args.rows} rows, {total_s:.1f} s, peak {peak_mb:.0f} MB{tail}")


if __name__ == "__main__":
    main()
