"""DDI-Codebook 2.5 metadata of a wave: the study, the data file, and every variable with its question
text and categories in every language of the questionnaire (as data archives such as FSD expect)."""

from __future__ import annotations

from lxml import etree

from survey_service.questionnaire.schema import Questionnaire
from survey_service.results.exports import META_COLUMNS, META_LABELS, WAVE_COLUMNS, WEIGHT, meta_label
from survey_service.results.variables import variables

NAMESPACE = "ddi:codebook:2_5"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    for key, value in attrs.items():
        el.set(XML_LANG if key == "lang" else key, value)
    if text is not None:
        el.text = text
    return el


def codebook(
    q: Questionnaire,
    *,
    survey: str,
    title: dict[str, str],
    year: int,
    n_responses: int,
    file_name: str,
    weighted: bool = False,
) -> bytes:
    """The DDI-Codebook 2.5 XML document (UTF-8 bytes) of the CSV export; ``weighted``: it has the weight."""
    langs = list(q.languages)
    root = etree.Element(f"{{{NAMESPACE}}}codeBook", nsmap={None: NAMESPACE}, version="2.5", ID=f"survey-{survey}")
    root.set(XML_LANG, q.source_language)
    study = _el(root, "stdyDscr")
    citation = _el(study, "citation")
    titles = _el(citation, "titlStmt")
    _el(titles, "titl", title.get(q.source_language) or next(iter(title.values())), lang=q.source_language)
    for lang in langs:
        if lang != q.source_language and title.get(lang):
            _el(titles, "parTitl", title[lang], lang=lang)
    _el(titles, "IDNo", survey)
    info = _el(study, "stdyInfo")
    summary = _el(info, "sumDscr")
    _el(summary, "collDate", str(year), date=str(year), event="single")
    _el(summary, "dataKind", "survey data")
    dataset = _el(root, "fileDscr", ID="F1")
    txt = _el(dataset, "fileTxt")
    _el(txt, "fileName", file_name)
    dims = _el(txt, "dimensns")
    all_vars = variables(q)
    _el(dims, "caseQnty", str(n_responses))
    meta = [*WAVE_COLUMNS, *META_COLUMNS, *([WEIGHT] if weighted else [])]
    _el(dims, "varQnty", str(len(all_vars) + len(meta)))
    data = _el(root, "dataDscr")
    for i, name in enumerate(meta, start=1):
        is_number = name in ("year", WEIGHT)
        var = _el(data, "var", ID=f"V{i}", name=name, files="F1", intrvl="contin" if name == WEIGHT else "discrete")
        for lang in [lang for lang in langs if lang in META_LABELS[name]] or ["en"]:
            _el(var, "labl", meta_label(name, lang), lang=lang)
        _el(var, "varFormat", type="numeric" if is_number else "character", schema="other")
    for i, v in enumerate(all_vars, start=len(meta) + 1):
        continuous = v.kind in ("rating", "number", "year")
        var = _el(data, "var", ID=f"V{i}", name=v.code, files="F1", intrvl="contin" if continuous else "discrete")
        for lang in langs:
            if v.text.get(lang):
                _el(var, "labl", v.text[lang], lang=lang)
        qstn = _el(var, "qstn", ID=f"Q{i}")
        for lang in langs:
            if v.text.get(lang):
                _el(qstn, "qstnLit", v.text[lang], lang=lang)
        if v.minimum is not None or v.maximum is not None:
            rng = _el(var, "valrng")
            attrs = {}
            if v.minimum is not None:
                attrs["min"] = f"{v.minimum:g}"
            if v.maximum is not None:
                attrs["max"] = f"{v.maximum:g}"
            _el(rng, "range", **attrs)
        for c in v.choices:
            cat = _el(var, "catgry", missing="Y" if c.missing else "N")
            _el(cat, "catValu", str(c.code))
            for lang in langs:
                if c.label.get(lang):
                    _el(cat, "labl", c.label[lang], lang=lang)
        if v.kind == "derived" and v.source:
            derivation = _el(var, "derivation")
            mapping = ", ".join(f"{k} → {t}" for k, t in v.recode.items())
            _el(
                derivation,
                "drvdesc",
                f"Recoded from {v.source}: {mapping} ('*' = any other substantive answer)",
                lang="en",
            )
        numeric = v.kind in ("rating", "number", "year") or (
            bool(v.choices) and all(isinstance(c.code, int) for c in v.choices)
        )
        _el(var, "varFormat", type="numeric" if numeric and v.kind != "multiple" else "character", schema="other")
        if v.kind == "multiple":
            _el(var, "notes", "Multiple choice: the chosen codes separated by spaces.", lang="en")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
