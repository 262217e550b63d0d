"""The dependency audit fails on a known-vulnerable pin and on a package it could not check."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _audit_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_audit", ROOT / ".ci" / "audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ADVISORY = {"package": "Jinja2", "id": "GHSA-cpwx-vrp4-4pq7", "aliases": ["CVE-2025-27516"], "affected": "<3.1.6"}


def test_a_known_vulnerable_pin_is_found_and_a_fixed_one_is_not() -> None:
    audit = _audit_module().audit
    advisory = {**ADVISORY, "summary": "sandbox breakout"}
    findings, unchecked = audit([("jinja2", "3.1.2"), ("requests", "2.32.4")], [advisory])
    assert findings == ["jinja2 3.1.2: GHSA-cpwx-vrp4-4pq7 (CVE-2025-27516) sandbox breakout"] and unchecked == []
    assert audit([("jinja2", "3.1.6")], [advisory]) == ([], [])


def test_a_package_whose_version_cannot_be_compared_is_reported_unchecked() -> None:
    findings, unchecked = _audit_module().audit([("oddball", "banana"), ("", "1.0")], [])
    assert findings == [] and len(unchecked) == 2


def _run(advisories: list[dict[str, object]], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "advisories.json"
    path.write_text(json.dumps({"updated": "2026-12-01", "advisories": advisories}))
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "audit"), "--advisories", str(path)], capture_output=True, text=True, timeout=120
    )


def test_the_ci_audit_fails_when_an_installed_package_is_affected(tmp_path: Path) -> None:
    version = importlib.metadata.version("pytest")
    affected = {"package": "pytest", "id": "TEST-0001", "aliases": [], "affected": f"<={version}", "summary": "x"}
    done = _run([affected], tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"VULNERABLE  pytest {version}: TEST-0001" in done.stdout
    clean = _run([{**affected, "affected": f">{version}"}], tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_the_shipped_advisory_database_is_readable_and_covers_ranges_that_parse() -> None:
    module = _audit_module()
    db = json.loads((ROOT / ".ci" / "advisories.json").read_text())
    _, unchecked = module.audit([(a["package"], "0.0.1") for a in db["advisories"]], db["advisories"])
    assert unchecked == []
