"""Audit the installed Python packages against the advisory database kept in this repository.

    python .ci/audit.py check [--advisories FILE]   every installed distribution; exit 1 on a known
                                                    vulnerability or on a package that could not be checked
    python .ci/audit.py update [--advisories FILE]  add what PyPI's project pages report for the installed
                                                    packages (one request per package), then review the diff

PyPI's per-release pages, which pip-audit's PyPI service reads, cannot be reached from the build machines
(every package came back "could not be audited"), and neither can OSV; so the advisories live in
``.ci/advisories.json``, reviewed like code. A package counts as checked when its name and version can be
read and its version parses (PEP 440), so that the affected ranges can be compared with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import sys
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ADVISORIES = Path(__file__).with_name("advisories.json")


def installed() -> list[tuple[str, str]]:
    """(name, version) of every distribution the running interpreter sees."""
    out = []
    for dist in importlib.metadata.distributions():
        out.append((dist.metadata.get("Name") or "", dist.version or ""))
    return sorted(out)


def audit(packages: Iterable[tuple[str, str]], advisories: list[dict]) -> tuple[list[str], list[str]]:
    """(findings, packages that could not be checked) for ``packages`` against ``advisories``."""
    by_name: dict[str, list[dict]] = {}
    for adv in advisories:
        by_name.setdefault(canonicalize_name(adv["package"]), []).append(adv)
    findings, unchecked = [], []
    for name, version in packages:
        try:
            parsed = Version(version)
        except InvalidVersion:
            unchecked.append(f"{name or '?'} {version or '?'}: the version cannot be compared (not PEP 440)")
            continue
        if not name:
            unchecked.append(f"? {version}: a distribution without a name")
            continue
        for adv in by_name.get(canonicalize_name(name), []):
            try:
                affected = SpecifierSet(adv["affected"])
            except InvalidSpecifier:
                unchecked.append(f"{name} {version}: advisory {adv['id']} has an unreadable range {adv['affected']!r}")
                continue
            if affected.contains(parsed, prereleases=True):
                findings.append(f"{name} {version}: {adv['id']} ({', '.join(adv.get('aliases', []))}) {adv['summary']}")
    return findings, unchecked


def check(path: Path) -> int:
    db = json.loads(path.read_text())
    packages = installed()
    findings, unchecked = audit(packages, db["advisories"])
    age = (dt.date.today() - dt.date.fromisoformat(db["updated"])).days
    print(f"audited {len(packages)} packages against {len(db['advisories'])} advisories (updated {age} days ago)")
    for line in findings:
        print("VULNERABLE  " + line)
    for line in unchecked:
        print("UNCHECKED   " + line)
    if findings or unchecked:
        print(f"audit failed: {len(findings)} known vulnerabilities, {len(unchecked)} packages not checked")
        return 1
    return 0


def update(path: Path) -> int:
    db = json.loads(path.read_text())
    known = {(canonicalize_name(a["package"]), a["id"]) for a in db["advisories"]}
    added = 0
    for name, _version in installed():
        url = f"https://pypi.org/pypi/{canonicalize_name(name)}/json"
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                page = json.load(r)
        except OSError as exc:
            print(f"{name}: not updated ({exc})", file=sys.stderr)
            continue
        latest = page["info"]["version"]
        for v in page.get("vulnerabilities") or []:
            if (canonicalize_name(name), v["id"]) in known:
                continue
            fixed = sorted(v.get("fixed_in") or [], key=Version)
            affected = f"<{fixed[0]}" if fixed else f"<={latest}"
            summary = (v.get("summary") or v.get("details") or "").strip().splitlines()[0][:200]
            db["advisories"].append(
                {
                    "package": name,
                    "id": v["id"],
                    "aliases": v.get("aliases", []),
                    "affected": affected,
                    "summary": summary,
                }
            )
            added += 1
    db["updated"] = dt.date.today().isoformat()
    path.write_text(json.dumps(db, indent=2, ensure_ascii=False) + "\n")
    print(f"{added} advisories added; review the diff of {path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["check", "update"])
    parser.add_argument("--advisories", type=Path, default=ADVISORIES)
    args = parser.parse_args()
    return check(args.advisories) if args.command == "check" else update(args.advisories)


if __name__ == "__main__":
    sys.exit(main())
