"""Synthetic good-relations survey waves for oracle tests.

Writes, for one seed, two survey waves (responses CSV), the population margins CSV and a
small XLSForm-like item list. R (oracle.R) then computes the reference estimates.

usage: python gen.py SEED N1 N2 OUTDIR [--small-group]
"""

import csv
import sys
from pathlib import Path

import numpy as np

AGE = ["18_29", "30_44", "45_64", "65_plus"]
GENDER = ["female", "male"]
LANG = ["domestic", "foreign"]
# Kouvola's areas: the centre and the municipalities merged in 2009 (as the default questionnaire)
AREA = ["centre", "kuusankoski", "anjalankoski", "elimaki", "valkeala", "jaala"]

# population counts (adults), Kouvola-like
POP = {
    "age": {"18_29": 10500, "30_44": 13200, "45_64": 22800, "65_plus": 21500},
    "gender": {"female": 34300, "male": 33700},
    "lang": {"domestic": 64200, "foreign": 3800},
    "area": {
        "centre": 23600,
        "kuusankoski": 15600,
        "anjalankoski": 12600,
        "elimaki": 6300,
        "valkeala": 8500,
        "jaala": 1400,
    },
}


def draw(rng, n, shift, small_group):
    age = rng.choice(4, n, p=[0.12, 0.18, 0.35, 0.35])
    gender = rng.choice(2, n, p=[0.55, 0.45])
    lang = rng.choice(2, n, p=[0.82, 0.18])  # foreign-language speakers oversampled
    area = rng.choice(6, n, p=[0.33, 0.23, 0.18, 0.09, 0.13, 0.04])
    latent = rng.normal(0, 1, n) - 0.5 * lang + 0.15 * age + shift
    out = {
        "age": [AGE[i] for i in age],
        "gender": [GENDER[i] for i in gender],
        "lang": [LANG[i] for i in lang],
        "area": [AREA[i] for i in area],
    }

    def likert(k, loc, scale=1.0):
        z = latent * scale + rng.normal(0, 1, n) + loc
        cuts = np.quantile(rng.normal(0, 1.4, 20000), np.linspace(0, 1, k + 1)[1:-1])
        return k - np.searchsorted(cuts, z)  # 1 = best

    bel = likert(4, 0.3).astype(object)
    geton = likert(4, 0.6).astype(object)
    safe = likert(4, 0.9).astype(object)
    trust = np.clip(np.round(5.5 + 1.6 * latent + rng.normal(0, 1.5, n)), 0, 10).astype(int).astype(object)
    disc = np.where(rng.random(n) < 1 / (1 + np.exp(1.6 + 0.9 * latent - 1.2 * lang)), "yes", "no").astype(object)
    ints = [likert(5, 0.2, 0.8).astype(object) for _ in range(4)]
    # don't know (code 9) and item non-response
    for arr, dk in ((bel, 0.04), (geton, 0.06), (safe, 0.02)):
        arr[rng.random(n) < dk] = 9
    for arr in (bel, geton, safe, trust, disc, *ints):
        arr[rng.random(n) < 0.03] = ""
    disc[rng.random(n) < 0.03] = "no_answer"
    out.update({"BEL": bel, "GETON": geton, "SAFE": safe, "TRUST": trust, "DISC": disc})
    for i, arr in enumerate(ints, 1):
        out[f"INT{i}"] = arr
    if small_group:
        # a tiny area: must be suppressed in published tables
        idx = rng.choice(n, 12, replace=False)
        for i in idx:
            out["area"][i] = "island"
    return out


def write(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for i in range(n):
            w.writerow([cols[c][i] for c in names])


def main():
    seed, n1, n2, outdir = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    small = "--small-group" in sys.argv
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    write(outdir / "wave1.csv", draw(rng, n1, 0.0, small))
    write(outdir / "wave2.csv", draw(rng, n2, 0.25, small))
    pop = {k: dict(v) for k, v in POP.items()}
    if small:
        pop["area"]["island"] = 400
        pop["area"]["centre"] -= 400
    with open(outdir / "margins.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variable", "category", "population"])
        for var, cats in pop.items():
            for cat, cnt in cats.items():
                w.writerow([var, cat, cnt])


if __name__ == "__main__":
    main()
