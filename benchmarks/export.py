"""Export 1,000,000 responses to CSV and print the time and the peak memory of the export.

usage: python benchmarks/export.py [--responses N] [--database URL]

Fills a fresh SQLite database (in a temporary folder, unless --database names one) with N synthetic
responses to the synthetic test questionnaire, then exports them in a separate process, so that the
reported peak resident memory is the export's own. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _env(var_dir: str) -> None:
    os.environ.setdefault("SURVEY_VAR_DIR", var_dir)
    os.environ.setdefault("SURVEY_SECRET_KEY", "benchmark")


async def fill(url: str, n: int) -> None:
    import numpy as np
    from sqlalchemy import insert

    from survey_service.db.engine import Database
    from survey_service.db.models import Response
    from tests.helpers import synthetic_wave

    db = Database(url)
    survey = await synthetic_wave(db, "bench", 2026)
    rng = np.random.default_rng(1)
    codes = {
        "age": np.array(["18_29", "30_44", "45_64", "65_plus"], dtype=object),
        "gender": np.array(["female", "male"], dtype=object),
        "lang": np.array(["domestic", "foreign"], dtype=object),
        "area": np.array(["centre", "kuusankoski", "anjalankoski", "elimaki", "valkeala", "jaala"], dtype=object),
        "DISC": np.array(["yes", "no", "no_answer"], dtype=object),
    }
    batch = 20_000
    day = date(2026, 5, 1)
    for start in range(0, n, batch):
        m = min(batch, n - start)
        cols = {k: v[rng.integers(0, len(v), m)] for k, v in codes.items()}
        for item in ("BEL", "GETON", "SAFE"):
            cols[item] = rng.choice([1, 2, 3, 4, 9], m)
        cols["TRUST"] = rng.integers(0, 11, m)
        for i in range(1, 5):
            cols[f"INT{i}"] = rng.integers(1, 6, m)
        rows = [
            {
                "survey_id": survey.id,
                "questionnaire_version_id": survey.questionnaire_version_id,
                "language": "fi",
                "mode": "web",
                "status": "complete",
                "answers": {k: (v[j].item() if hasattr(v[j], "item") else v[j]) for k, v in cols.items()},
                "started_on": day,
                "submitted_on": day,
            }
            for j in range(m)
        ]
        async with db.write() as session:
            await session.execute(insert(Response), rows)
    await db.dispose()


async def export(url: str, output: Path) -> int:
    from survey_service.db.engine import Database
    from survey_service.domain.exports.services import export_to

    db = Database(url)
    try:
        return await export_to(db, "bench", "csv", output)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="survey-bench-")
    _env(tmp)
    if args.export_only:
        start = time.perf_counter()
        n = asyncio.run(export(args.database, Path(args.output)))
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n}\t{seconds:.1f}\t{peak_mb:.0f}")
        return
    url = args.database or f"sqlite+aiosqlite:///{tmp}/bench.db"
    if args.database is None:
        from alembic import command

        from survey_service.cli import alembic_config

        command.upgrade(alembic_config(url), "head")
    start = time.perf_counter()
    asyncio.run(fill(url, args.responses))
    print(f"filled {args.responses:,} responses in {time.perf_counter() - start:.1f} s")
    output = Path(tmp) / "bench.csv"
    result = subprocess.run(
        [sys.executable, __file__, "--export-only", "--database", url, "--output", str(output)],
        capture_output=True,
        text=True,
        check=True,
    )
    n, seconds, peak = result.stdout.split()
    size_mb = output.stat().st_size / 1024 / 1024
    print(f"exported {int(n):,} responses to CSV ({size_mb:.0f} MB) in {float(seconds):.1f} s")
    print(f"peak resident memory of the export process: {float(peak):.0f} MB")


if __name__ == "__main__":
    main()
