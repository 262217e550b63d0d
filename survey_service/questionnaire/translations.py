"""Translation workflow on definitions: per-language status, outdated strings, translator files (XLSX and
XLIFF 1.2) and merging them back, previews with every string's state, and diffs between versions.

**Outdated strings** are tracked per string in the definition itself (``languages.<lang>.outdated``, a
list of string keys), so every version carries its own state. When a definition is stored on top of the
latest version (``track``), a key becomes outdated in a language when its source-language text changed
while that language's text did not; it stays outdated (also through YAML or XLSForm files that do not
mention it) until a translator changes that text or confirms it by importing a translator file whose
source text matches the current one. A translator file made from an older source text marks the
strings it brings as outdated instead of confirming them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import msgspec
from defusedxml import ElementTree as SafeET
from openpyxl import Workbook

from survey_service.languages import ordered
from survey_service.questionnaire.loader import text_fields
from survey_service.questionnaire.schema import (
    LanguageInfo,
    Matrix,
    Questionnaire,
    Rating,
    Text,
    answer_choices,
)
from survey_service.spreadsheet import WorkbookRejected, open_workbook

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF_MEDIA_TYPE = "application/x-xliff+xml"
MAX_TRANSLATOR_FILE_BYTES = 5_000_000
MAX_TRANSLATOR_COLUMNS = 20


def strings(q: Questionnaire) -> dict[str, Text]:
    """Every translatable string of a definition: key -> text per language, in questionnaire order."""
    return {key: dict(container[name]) for key, container, name in text_fields(msgspec.to_builtins(q))}


# -- tracking outdated translations ------------------------------------------------------------------------


def track(
    new: Questionnaire,
    base: Questionnaire | None,
    *,
    confirmed: dict[str, set[str]] | None = None,
    stale: dict[str, set[str]] | None = None,
) -> Questionnaire:
    """``new`` with each language's ``outdated`` list brought up to date against ``base`` (see module doc).

    ``confirmed``: keys a translator confirmed per language; ``stale``: keys to mark outdated regardless.
    """
    confirmed, stale = confirmed or {}, stale or {}
    new_strings = strings(new)
    base_strings = strings(base) if base is not None else {}
    src = new.source_language
    languages = dict(new.languages)
    for lang, info in new.languages.items():
        if lang == src:
            if info.outdated:
                languages[lang] = msgspec.structs.replace(info, outdated=[])
            continue
        carried = set(base.languages[lang].outdated) if base is not None and lang in base.languages else set()
        outdated = set(info.outdated) | carried
        for key, text in new_strings.items():
            before = base_strings.get(key)
            if before is None or lang not in text:
                continue
            if text.get(lang) != before.get(lang):
                outdated.discard(key)  # the translation itself was edited in this change
            elif text.get(src) != before.get(src):
                outdated.add(key)  # the source changed under an unchanged translation
        outdated = (outdated - confirmed.get(lang, set())) | stale.get(lang, set())
        keep = [k for k in new_strings if k in outdated and lang in new_strings[k]]
        if keep != info.outdated:
            languages[lang] = msgspec.structs.replace(info, outdated=keep)
    return msgspec.structs.replace(new, languages=languages)


# -- status ------------------------------------------------------------------------------------------------


class LanguageStatus(msgspec.Struct, frozen=True, kw_only=True):
    language: str
    status: str
    note: str | None
    source: bool
    total: int
    translated: int
    missing: int
    outdated: int

    @property
    def percent(self) -> int:
        return int(100 * self.translated / self.total) if self.total else 100


def status_table(q: Questionnaire) -> list[LanguageStatus]:
    """Completeness and status of every declared language, source language first."""
    texts = strings(q)
    out = []
    for lang in [q.source_language, *[x for x in ordered(q.languages) if x != q.source_language]]:
        info = q.languages.get(lang) or LanguageInfo(status="draft")
        translated = sum(1 for t in texts.values() if t.get(lang))
        out.append(
            LanguageStatus(
                language=lang,
                status=info.status,
                note=info.note,
                source=lang == q.source_language,
                total=len(texts),
                translated=translated,
                missing=len(texts) - translated,
                outdated=len(info.outdated),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class StringRow:
    key: str
    source: str
    text: str | None
    state: str  # "ok" | "missing" | "outdated"


def string_rows(q: Questionnaire, lang: str) -> list[StringRow]:
    info = q.languages.get(lang)
    outdated = set(info.outdated) if info else set()
    rows = []
    for key, text in strings(q).items():
        value = text.get(lang)
        state = "missing" if not value else "outdated" if key in outdated else "ok"
        rows.append(StringRow(key, text.get(q.source_language, ""), value, state))
    return rows


# -- translator files --------------------------------------------------------------------------------------


def export_xlsx(q: Questionnaire, lang: str) -> bytes:
    """One language's strings for a translator: key, source text, translation (to fill in), state."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "translation"
    ws.append(["key", f"source ({q.source_language})", f"translation ({lang})", "state"])
    for row in string_rows(q, lang):
        ws.append([row.key, row.source, row.text or "", row.state])
    for cells in ws.iter_rows():
        for cell in cells:
            if cell.data_type == "f":
                cell.data_type = "s"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_xliff(q: Questionnaire, lang: str, original: str) -> bytes:
    """XLIFF 1.2: one trans-unit per string key; ``state`` says what the translator needs to do."""
    root = Element("xliff", {"version": "1.2", "xmlns": XLIFF_NS})
    file = SubElement(
        root,
        "file",
        {"source-language": q.source_language, "target-language": lang, "datatype": "plaintext", "original": original},
    )
    body = SubElement(file, "body")
    for row in string_rows(q, lang):
        unit = SubElement(body, "trans-unit", {"id": row.key, "resname": row.key})
        SubElement(unit, "source").text = row.source
        state = {"ok": "translated", "missing": "needs-translation", "outdated": "needs-review-translation"}[row.state]
        SubElement(unit, "target", {"state": state}).text = row.text or ""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")


class TranslationFileError(ValueError):
    """A translator file that cannot be used; ``problems`` name the row or unit."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{w}: {m}" for w, m in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Incoming:
    """One string from a translator file: where it came from, the source text it was made from, the text."""

    where: str
    source: str | None
    text: str


def read_translator_file(data: bytes, lang: str) -> dict[str, Incoming]:
    """XLSX or XLIFF (by content) -> key -> incoming string; ``TranslationFileError`` on bad files."""
    if len(data) > MAX_TRANSLATOR_FILE_BYTES:
        raise TranslationFileError([("file", f"larger than {MAX_TRANSLATOR_FILE_BYTES} bytes")])
    if data[:2] == b"PK":
        return _read_xlsx(data, lang)
    return _read_xliff(data, lang)


def _read_xlsx(data: bytes, lang: str) -> dict[str, Incoming]:
    try:
        wb = open_workbook(data, max_cells_per_row=MAX_TRANSLATOR_COLUMNS)
    except WorkbookRejected as exc:
        raise TranslationFileError([("file", str(exc))]) from None
    problems: list[tuple[str, str]] = []
    out: dict[str, Incoming] = {}
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=False)
        header = [str(c.value or "").strip() for c in next(rows, [])]
        if not header or header[0] != "key" or len(header) < 3:
            raise TranslationFileError([("row 1", "expected the columns key, source (xx), translation (xx)")])
        if f"({lang})" not in header[2]:
            problems.append(("row 1, column C", f"this file is for {header[2]!r}, not for language {lang!r}"))
        for number, cells in enumerate(rows, start=2):
            values = [c.value for c in cells]
            if any(getattr(c, "data_type", None) == "f" for c in cells):
                problems.append((f"row {number}", "formulas are not supported"))
                continue
            key = str(values[0] or "").strip() if values else ""
            if not key:
                continue
            source = str(values[1]) if len(values) > 1 and values[1] is not None else None
            text = str(values[2]).strip() if len(values) > 2 and values[2] is not None else ""
            if key in out:
                problems.append((f"row {number}", f"string {key!r} appears twice"))
            out[key] = Incoming(f"row {number}", source, text)
    finally:
        wb.close()
    if problems:
        raise TranslationFileError(problems)
    return out


def _read_xliff(data: bytes, lang: str) -> dict[str, Incoming]:
    try:
        root = SafeET.fromstring(data)
    except Exception:  # defusedxml raises its own errors for entities, and ParseError for bad XML
        raise TranslationFileError([("file", "not a readable XLIFF (XML) file")]) from None
    ns = {"x": XLIFF_NS}
    file = root.find("x:file", ns)
    if root.tag != f"{{{XLIFF_NS}}}xliff" or file is None:
        raise TranslationFileError([("file", "expected an XLIFF 1.2 document (xliff/file/body/trans-unit)")])
    problems: list[tuple[str, str]] = []
    if file.get("target-language") != lang:
        problems.append(("file", f"target-language is {file.get('target-language')!r}, not {lang!r}"))
    out: dict[str, Incoming] = {}
    for number, unit in enumerate(file.iterfind("x:body/x:trans-unit", ns), start=1):
        key = unit.get("id") or ""
        where = f"trans-unit {key or '#' + str(number)}"
        if not key:
            problems.append((where, "a trans-unit needs an id (the string key)"))
            continue
        if key in out:
            problems.append((where, "appears twice"))
        source = unit.find("x:source", ns)
        target = unit.find("x:target", ns)
        out[key] = Incoming(
            where,
            "".join(source.itertext()) if source is not None else None,
            "".join(target.itertext()).strip() if target is not None else "",
        )
    if problems:
        raise TranslationFileError(problems)
    return out


@dataclass
class MergeReport:
    """What merging a translator file did: counts and the keys that need attention."""

    updated: int = 0
    confirmed: int = 0
    missing: list[str] = field(default_factory=list)  # keys without a translation (in the file or before)
    stale: list[str] = field(default_factory=list)  # made from an older source text: marked outdated


def merge_translations(
    q: Questionnaire, lang: str, incoming: dict[str, Incoming], status: str | None = None
) -> tuple[Questionnaire, MergeReport, dict[str, set[str]], dict[str, set[str]]]:
    """``q`` with the translator's strings for ``lang`` (a new language is added as a draft).

    Unknown keys are refused (``TranslationFileError`` naming them). Returns the new definition, a report,
    and the confirmed and stale keys for ``track``.
    """
    if lang == q.source_language:
        raise TranslationFileError([("file", f"{lang!r} is the source language; edit the questionnaire itself")])
    raw = msgspec.to_builtins(q)
    targets = {key: (container, name) for key, container, name in text_fields(raw)}
    unknown = [
        (inc.where, f"string {key!r} is not in this questionnaire")
        for key, inc in incoming.items()
        if key not in targets
    ]
    if unknown:
        raise TranslationFileError(unknown)
    report = MergeReport()
    confirmed: set[str] = set()
    stale: set[str] = set()
    for key, (container, name) in targets.items():
        text: dict[str, str] = container[name]
        inc = incoming.get(key)
        if inc is None or not inc.text:
            if not text.get(lang):
                report.missing.append(key)
            continue
        if inc.source is not None and inc.source.strip() != (text.get(q.source_language) or "").strip():
            stale.add(key)
            report.stale.append(key)
        else:
            confirmed.add(key)
            report.confirmed += 1
        if text.get(lang) != inc.text:
            report.updated += 1
            text[lang] = inc.text
    languages = raw.setdefault("languages", {})
    info = languages.setdefault(lang, {"status": "draft"})
    if status:
        info["status"] = status
    merged = msgspec.convert(raw, Questionnaire)
    return merged, report, {lang: confirmed}, {lang: stale}


# -- preview -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shown:
    """A string as staff see it in a preview: its text and state ("", "untranslated", "outdated", "draft")."""

    text: str
    state: str


@dataclass
class PreviewQuestion:
    code: str
    type: str
    text: Shown
    help: Shown | None
    required: bool
    show_if: str | None
    choices: list[tuple[str, Shown, bool]]  # (code, label, non-substantive)
    statements: list[tuple[str, Shown]]
    scale: str | None  # "0–10: <min label> … <max label>" for ratings
    min_label: Shown | None = None
    max_label: Shown | None = None


@dataclass
class PreviewSection:
    id: str
    title: Shown
    intro: Shown | None
    show_if: str | None
    questions: list[PreviewQuestion]


def preview(q: Questionnaire, lang: str) -> tuple[Shown, Shown | None, list[PreviewSection]]:
    """The questionnaire in ``lang`` with every string's state; missing strings fall back to the source."""
    info = q.languages.get(lang)
    outdated = set(info.outdated) if info else set()
    draft = info is None or info.status == "draft"
    src = q.source_language

    def show(key: str, text: Text | None) -> Shown | None:
        if not text:
            return None
        if text.get(lang):
            state = "outdated" if key in outdated else "draft" if draft and lang != src else ""
            return Shown(text[lang], state)
        return Shown(text.get(src) or next(iter(text.values()), ""), "untranslated")

    def must(key: str, text: Text) -> Shown:
        return show(key, text) or Shown("", "untranslated")

    sections = []
    for s in q.sections:
        questions = []
        for x in s.questions:
            rating = isinstance(x, Rating)
            questions.append(
                PreviewQuestion(
                    code=x.code,
                    type=str(x.__struct_config__.tag),
                    text=must(f"{x.code}.text", x.text),
                    help=show(f"{x.code}.help", x.help),
                    required=x.required,
                    show_if=x.show_if,
                    choices=[
                        (str(c.code), must(f"{x.code}.choice.{c.code}", c.label), c.missing) for c in answer_choices(x)
                    ],
                    statements=[(st.code, must(f"{st.code}.text", st.text)) for st in x.statements]
                    if isinstance(x, Matrix)
                    else [],
                    scale=f"{x.min}–{x.max}" if isinstance(x, Rating) else None,
                    min_label=show(f"{x.code}.min_label", x.min_label) if rating else None,  # type: ignore[union-attr]
                    max_label=show(f"{x.code}.max_label", x.max_label) if rating else None,  # type: ignore[union-attr]
                )
            )
        sections.append(
            PreviewSection(
                id=s.id,
                title=must(f"section.{s.id}.title", s.title),
                intro=show(f"section.{s.id}.intro", s.intro),
                show_if=s.show_if,
                questions=questions,
            )
        )
    return must("title", q.title), show("description", q.description), sections


# -- diff --------------------------------------------------------------------------------------------------


class Change(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One difference between two versions: ``item`` (questionnaire, section X, question X, derived X),
    ``field`` (e.g. ``text``, ``choice 9.missing``), ``language`` for texts, and the two values."""

    item: str
    field: str
    language: str | None = None
    change: str  # "added" | "removed" | "changed"
    old: Any = None
    new: Any = None


def _flatten(q: Questionnaire) -> dict[tuple[str, str, str | None], Any]:
    """(item, field, language) -> value for everything a diff compares, in questionnaire order."""
    out: dict[tuple[str, str, str | None], Any] = {}

    def put(item: str, name: str, value: Any) -> None:
        if value is not None and value != [] and value is not False and value != "":
            out[(item, name, None)] = value

    def texts(item: str, name: str, value: dict[str, str] | None) -> None:
        for lang, text in (value or {}).items():
            out[(item, name, lang)] = text

    raw = msgspec.to_builtins(q)
    texts("questionnaire", "title", raw["title"])
    texts("questionnaire", "description", raw.get("description"))
    put("questionnaire", "source_language", raw["source_language"])
    for lang, info in raw["languages"].items():
        for k, v in info.items():
            put("questionnaire", f"languages.{lang}.{k}", " ".join(v) if isinstance(v, list) else v)
    put("questionnaire", "reporting_groups", ", ".join(raw.get("reporting_groups", [])))
    put("questionnaire", "sections", ", ".join(s["id"] for s in raw["sections"]))
    for s in raw["sections"]:
        item = f"section {s['id']}"
        texts(item, "title", s["title"])
        texts(item, "intro", s.get("intro"))
        put(item, "show_if", s.get("show_if"))
        put(item, "questions", ", ".join(x["code"] for x in s["questions"]))
        for x in s["questions"]:
            item = f"question {x['code']}"
            for k, v in x.items():
                if k in _TEXTS:
                    texts(item, k, v)
                elif k in {"choices", "extra_choices"}:
                    put(item, k, ", ".join(str(c["code"]) for c in v))
                    for c in v:
                        texts(item, f"choice {c['code']}", c["label"])
                        for flag in ("missing", "exclusive"):
                            put(item, f"choice {c['code']}.{flag}", c.get(flag))
                elif k == "statements":
                    put(item, "statements", ", ".join(st["code"] for st in v))
                    for st in v:
                        texts(item, f"statement {st['code']}", st["text"])
                        put(item, f"statement {st['code']}.reverse", st.get("reverse"))
                elif k == "indicator":
                    put(item, "indicator.favourable", " ".join(str(c) for c in v["favourable"]))
                    texts(item, "indicator.label", v.get("label"))
                elif k != "code":
                    put(item, k, v)
    for r in raw.get("derived", []):
        item = f"derived {r['code']}"
        texts(item, "text", r["text"])
        put(item, "source", r["source"])
        put(item, "map", ", ".join(f"{a}→{b}" for a, b in sorted(r["map"].items())))
        for code, label in r["labels"].items():
            texts(item, f"label {code}", label)
    return out


_TEXTS = {"text", "help", "min_label", "max_label", "unit", "constraint_message", "required_message"}


def diff(a: Questionnaire, b: Questionnaire) -> list[Change]:
    """What changed from ``a`` to ``b``: one row per item/field/language; a question, section or derived
    variable that is only in one version is one row (added/removed), not one per field."""
    fa, fb = _flatten(a), _flatten(b)
    items_a = list(dict.fromkeys(k[0] for k in fa))
    items_b = list(dict.fromkeys(k[0] for k in fb))
    changes = [Change(item=i, field="", change="removed") for i in items_a if i not in items_b]
    changes += [Change(item=i, field="", change="added") for i in items_b if i not in items_a]
    keys = list(fa) + [k for k in fb if k not in fa]
    for key in keys:
        item, name, lang = key
        if item not in items_a or item not in items_b:
            continue
        old, new = fa.get(key), fb.get(key)
        if old != new:
            change = "added" if old is None else "removed" if new is None else "changed"
            changes.append(Change(item=item, field=name, language=lang, change=change, old=old, new=new))
    return changes
