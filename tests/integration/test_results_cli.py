"""The results commands as a user runs them: plan, weights, responses import, report, export, demo."""

from __future__ import annotations

import json
from pathlib import Path

from survey_service.db.engine import Database
from tests.conftest import migrate
from tests.helpers import ORACLE, ROOT, synthetic_wave
from tests.integration.test_cli import CLI, run


def _on_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the command with stdout and stderr on a pseudo-terminal; returns what it showed."""
    import os
    import pty
    import subprocess

    main, secondary = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], stdout=secondary, stderr=secondary, env={**os.environ, **env}, cwd=ROOT)
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(timeout=120)
    os.close(main)
    return shown.decode(errors="replace")


async def test_plan_import_weights_report_and_export_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrate(url)
    db = Database(url)
    await synthetic_wave(db, "syn-1", 2023)
    await synthetic_wave(db, "syn-2", 2024)
    await db.dispose()
    env = {"SURVEY_DATABASE_URL": url}
    steps = [
        (
            ["plan", "create", "kk", "--name", "Kaikkien Kouvola 2023–2025", "--start", "2023", "--end", "2025"],
            "plan kk: created (2023–2025)",
        ),
        (["plan", "add-wave", "kk", "syn-1"], "survey syn-1: wave of plan kk"),
        (["plan", "add-wave", "kk", "syn-2"], "survey syn-2: wave of plan kk"),
        (["plan", "set-baseline", "kk", "syn-1"], "plan kk: baseline syn-1"),
        (
            ["plan", "target", "set", "kk", "BEL", "--direction", "increase", "--value", "0.7", "--year", "2025"],
            "plan kk: target BEL increase, 0.7 by 2025",
        ),
        (["responses", "import", "syn-1", str(ORACLE / "wave1.csv")], "survey syn-1: 1800 responses imported"),
        (
            ["responses", "import", "syn-2", str(ORACLE / "wave2.csv"), "--mode", "paper"],
            "survey syn-2: 2100 responses imported",
        ),
        (
            ["weights", "set", "syn-1", str(ORACLE / "margins.csv")],
            "survey syn-1: margins for age, gender, lang, area (raking)",
        ),
        (
            ["weights", "set", "syn-2", str(ORACLE / "margins.csv")],
            "survey syn-2: margins for age, gender, lang, area (raking)",
        ),
    ]
    for args, expected in steps:
        result = run(args, env)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.strip() == expected
    listed = run(["plan", "list"], env)
    assert "syn-1 (2023)*, syn-2 (2024)" in listed.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("variable,category,population\nlang,domestic,64200\nlang,elvish,10\n")
    refused = run(["weights", "set", "syn-1", str(bad)], env)
    assert refused.returncode == 1
    assert "line 3: 'elvish' is not a category of lang" in refused.stderr
    report = tmp_path / "syn-2.json"
    made = run(["report", "syn-2", "--format", "json", "--lang", "en", "--output", str(report)], env)
    assert made.returncode == 0, made.stderr
    data = json.loads(report.read_text())
    assert data["previous"] == "syn-1" and data["plan"]["baseline"] == "syn-1"
    assert data["targets"][0]["item"] == "BEL" and data["targets"][0]["status"] in {"on_track", "off_track"}
    assert run(["report", "syn-2", "--format", "pdf"], env).returncode == 2  # pdf needs --output
    html = run(["report", "syn-2", "--format", "html"], env)
    assert html.stdout.startswith("<!doctype html>") and "report syn-2" not in html.stderr  # no bar in a pipe
    on_terminal = _on_terminal(["report", "syn-2", "--format", "pdf", "--output", str(tmp_path / "r.pdf")], env)
    assert "report syn-2" in on_terminal and "100%" in on_terminal  # the progress bar
    exported = tmp_path / "syn-1.csv"
    out = run(["export", "syn-1", "--format", "csv", "--labels", "en", "--output", str(exported)], env)
    assert out.stdout.strip() == f"survey syn-1: 1800 responses written to {exported}"
    assert (tmp_path / "syn-1.csv.codebook.csv").is_file()
    assert "Finnish or Swedish speakers" in exported.read_text("utf-8-sig")


def test_demo_builds_a_labelled_synthetic_plan_with_a_full_report(tmp_path: Path) -> None:
    env = {
        "SURVEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "SURVEY_QUESTIONNAIRES_DIR": str(ROOT / "questionnaires"),
        "SURVEY_VAR_DIR": str(tmp_path / "var"),
    }
    for args in (["db", "upgrade"], ["questionnaire", "load"]):
        assert run(args, env).returncode == 0
    first = run(["demo"], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("plan Kaikkien Kouvola 2023–2026 (synthetic demo): created")
    html = (tmp_path / "var" / "demo" / "report-fi.html").read_text()
    assert "Synteettinen esittelyaineisto." in html and "(synteettinen demo)" in html
    again = run(["demo"], env)
    assert again.stdout.startswith("plan Kaikkien Kouvola 2023–2026 (synthetic demo): exists")
    report = run(["report", "kaikkien-kouvola-demo-2026", "--lang", "en"], env)
    data = json.loads(report.stdout)
    assert data["synthetic"] is True and len(data["plan"]["waves"]) == 4
    assert {c["from_survey"] for c in data["changes"]} == {f"kaikkien-kouvola-demo-{y}" for y in (2023, 2024, 2025)}
    assert data["language_group"] == "LANG_GROUP" and data["gaps"]
    # the known trend: favourable shares rise from the baseline
    rising = [c for c in data["changes"] if c["from_survey"].endswith("2023") and c["difference"] is not None]
    assert sum(c["difference"] > 0 for c in rising) > 0.8 * len(rising)
