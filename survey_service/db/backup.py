"""Online, consistent backups of the embedded SQLite database (SQLite's backup API)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the database at ``url`` to ``target`` page by page while writers keep working.

    The copy is a single consistent snapshot (the backup restarts if a writer changes a copied page) and is
    written to a temporary file first, so ``target`` is never a half-written database. Returns the number of
    pages copied.
    """
    source_path = make_url(url).database
    if not source_path or source_path == ":memory:":
        raise ValueError("no SQLite database file to back up")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # a copy of every answer: owner only
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    destination = sqlite3.connect(partial)
    try:
        source.backup(destination, pages=1024)
        pages = destination.execute("PRAGMA page_count").fetchone()[0]
        if destination.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError("the backup copy failed its integrity check")
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
        source.close()
    os.replace(partial, target)
    return int(pages)
