"""Reading questionnaire definitions from YAML folders and files into ``Questionnaire`` Structs.

A folder holds ``questionnaire.yaml`` (structure and the languages written inline) and optionally
``translations/<lang>.yaml`` files, each a flat map of string keys (see ``text_fields``) to text.
Everything is merged into one raw mapping, then decoded once with msgspec and checked by ``validate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import yaml

from survey_service.questionnaire.schema import Questionnaire

MAX_FILE_BYTES = 2_000_000
# A definition with more problems than this is reported with the first ones and a count of the rest: the
# list is read by a person, and an unbounded one costs memory and time to build and render.
MAX_PROBLEMS = 100
DEFINITION_FILE = "questionnaire.yaml"
TRANSLATIONS_DIR = "translations"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a definition, located as precisely as we can."""

    file: str
    location: str  # e.g. "question GETON_AREA" or "section attitudes" or "questionnaire"
    field: str  # e.g. "text.sv" or "show_if"
    message: str

    def __str__(self) -> str:
        where = ": ".join(p for p in (self.file, self.location, self.field) if p)
        return f"{where}: {self.message}"


@dataclass
class DefinitionError(Exception):
    """A definition that cannot be used; ``problems`` lists every issue found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.problems) > MAX_PROBLEMS:
            rest = len(self.problems) - MAX_PROBLEMS
            last = Problem(self.problems[MAX_PROBLEMS].file, "", "", f"{rest} more problem(s) not listed")
            self.problems = [*self.problems[:MAX_PROBLEMS], last]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (YAML 1.2): codes like yes, no, on stay strings.

    Anchors and aliases are refused: a few nested aliases expand into a document whose size grows with the
    power of their nesting (a "billion laughs"), and a definition never needs them.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed in a definition", event.start_mark
            )
        return super().compose_node(parent, index)


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(text: str | bytes, file: str) -> Any:
    """YAML text -> plain Python data, with a size limit and a located error."""
    if len(text) > MAX_FILE_BYTES:
        raise DefinitionError([Problem(file, "", "", f"file is larger than {MAX_FILE_BYTES} bytes")])
    try:
        return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError([Problem(file, where, "", f"not valid YAML: {problem}")]) from None


_QUESTION_TEXTS = ("text", "help", "min_label", "max_label", "unit", "constraint_message", "required_message")


def text_fields(raw: Any) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Every translatable string of a raw (builtins) definition as (key, container, field name).

    Keys: ``title``, ``description``, ``section.<id>.title|intro``, ``<CODE>.text|help|min_label|max_label|
    unit|constraint_message|required_message|indicator``, ``<CODE>.choice.<choice code>``, and
    ``<STATEMENT>.text`` for matrix rows. The same keys name strings in translation files and in translator
    exports.
    """
    if not isinstance(raw, dict):
        return
    for name in ("title", "description"):
        if name in raw:
            yield name, raw, name
    for section in _dicts(raw.get("sections")):
        sid = section.get("id")
        for name in ("title", "intro"):
            if name in section:
                yield f"section.{sid}.{name}", section, name
        for q in _dicts(section.get("questions")):
            code = q.get("code")
            for name in _QUESTION_TEXTS:
                if name in q:
                    yield f"{code}.{name}", q, name
            if isinstance(q.get("indicator"), dict) and "label" in q["indicator"]:
                yield f"{code}.indicator", q["indicator"], "label"
            for list_name in ("choices", "extra_choices"):
                for choice in _dicts(q.get(list_name)):
                    if "label" in choice:
                        yield f"{code}.choice.{choice.get('code')}", choice, "label"
            for st in _dicts(q.get("statements")):
                if "text" in st:
                    yield f"{st.get('code')}.text", st, "text"
    for recode in _dicts(raw.get("derived")):
        code = recode.get("code")
        if "text" in recode:
            yield f"{code}.text", recode, "text"
        labels = recode.get("labels")
        if isinstance(labels, dict):
            for k in labels:
                yield f"{code}.choice.{k}", labels, k


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def merge_translation(raw: dict[str, Any], translation: Any, file: str) -> list[Problem]:
    """Merge a translation file (``language``, ``status``, ``strings``) into a raw definition in place."""
    problems: list[Problem] = []
    if not isinstance(translation, dict):
        return [Problem(file, "", "", "expected a mapping with keys language, status and strings")]
    unknown = set(translation) - {"language", "status", "note", "outdated", "strings"}
    if unknown:
        problems.append(Problem(file, "", ", ".join(sorted(unknown)), "unknown key(s)"))
    lang = translation.get("language")
    strings = translation.get("strings")
    if not isinstance(lang, str) or not lang:
        problems.append(Problem(file, "", "language", "expected a language code"))
    if not isinstance(strings, dict):
        problems.append(Problem(file, "", "strings", "expected a mapping of string keys to text"))
    if problems:
        return problems
    assert isinstance(lang, str) and isinstance(strings, dict)
    info = {"status": translation.get("status", "draft")}
    if translation.get("note"):
        info["note"] = translation["note"]
    if translation.get("outdated"):
        info["outdated"] = translation["outdated"]
    languages = raw.setdefault("languages", {})
    if isinstance(languages, dict):
        if lang in languages:
            problems.append(Problem(file, "", "language", f"language {lang!r} is already defined elsewhere"))
        languages[lang] = info
    targets = {key: (container, name) for key, container, name in text_fields(raw)}
    for key, text in strings.items():
        if key not in targets:
            problems.append(Problem(file, f"string {key}", "", "does not match any string of the questionnaire"))
            continue
        container, name = targets[key]
        if not isinstance(container.get(name), dict):
            continue
        container[name][lang] = text
    return problems


def load_raw(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a definition folder or file into one raw mapping; returns it and language -> file name."""
    path = Path(path)
    main = path / DEFINITION_FILE if path.is_dir() else path
    if not main.is_file():
        raise DefinitionError([Problem(str(main), "", "", "file not found")])
    raw = parse_yaml(main.read_bytes(), str(main))
    if not isinstance(raw, dict):
        raise DefinitionError([Problem(str(main), "", "", "expected a mapping at the top of the file")])
    lang_files = (
        {lang: str(main) for lang in raw.get("languages") or {}} if isinstance(raw.get("languages"), dict) else {}
    )
    problems: list[Problem] = []
    tdir = main.parent / TRANSLATIONS_DIR
    if main.name == DEFINITION_FILE and tdir.is_dir():
        for tfile in sorted(tdir.glob("*.yaml")):
            translation = parse_yaml(tfile.read_bytes(), str(tfile))
            problems += merge_translation(raw, translation, str(tfile))
            if isinstance(translation, dict) and isinstance(translation.get("language"), str):
                lang_files[translation["language"]] = str(tfile)
    if problems:
        raise DefinitionError(problems)
    return raw, lang_files


def decode(raw: Any, file: str = "", lang_files: dict[str, str] | None = None) -> Questionnaire:
    """Raw data -> ``Questionnaire`` (structure only), with a located error."""
    try:
        return msgspec.convert(raw, Questionnaire)
    except msgspec.ValidationError as exc:
        raise DefinitionError([_locate(raw, str(exc), file, lang_files or {})]) from None


def load(path: Path | str, *, complete: bool = True) -> Questionnaire:
    """Load and validate a definition folder or file; raises ``DefinitionError`` listing every problem.

    ``complete=False`` (drafts) lets languages other than the source language miss strings.
    """
    from survey_service.questionnaire.validate import validate

    raw, lang_files = load_raw(Path(path))
    main = str(Path(path) / DEFINITION_FILE) if Path(path).is_dir() else str(path)
    questionnaire = decode(raw, main, lang_files)
    problems = validate(questionnaire, main, lang_files, complete=complete)
    if problems:
        raise DefinitionError(problems)
    return questionnaire


_PATH_PART = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]|(\[\.\.\.\])")
_ITEM_KINDS = {
    "sections": "section",
    "questions": "question",
    "choices": "choice",
    "extra_choices": "choice",
    "statements": "statement",
    "derived": "derived variable",
}


def _locate(raw: Any, message: str, file: str, lang_files: dict[str, str]) -> Problem:
    """Turn msgspec's ``... - at `$.sections[0].questions[2].text.sv``` into a location and a field."""
    text, _, path = message.partition(" - at `")
    location, fields = "questionnaire", list[str]()
    node: Any = raw
    for m in _PATH_PART.finditer(path.rstrip("`").removeprefix("$")):
        if m.group(3):  # msgspec does not name mapping keys: find the offending value ourselves
            bad = [k for k, v in node.items() if not isinstance(v, str)] if isinstance(node, dict) else []
            fields.append(str(bad[0]) if bad else "[...]")
            node = node[bad[0]] if bad else None
            continue
        key: str | int = m.group(1) if m.group(1) is not None else int(m.group(2))
        parent_list = fields[-1] if fields else ""
        node = node[key] if _has(node, key) else None
        if isinstance(key, int) and parent_list in _ITEM_KINDS:
            kind = _ITEM_KINDS[parent_list]
            name = node.get("code", node.get("id", f"#{key + 1}")) if isinstance(node, dict) else f"#{key + 1}"
            fields.pop()
            if kind in {"section", "question", "derived variable"}:
                location, fields = f"{kind} {name}", []
            else:
                fields.append(f"{kind} {name}")
        else:
            fields.append(str(key))
    lang = fields[-1] if fields else ""
    return Problem(lang_files.get(lang, file), location, ".".join(fields), text)


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
