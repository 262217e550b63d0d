"""The synthetic oracle survey's questionnaire as an XLSForm workbook, written cell by cell with openpyxl
(as a person would in a spreadsheet). The end-to-end report test imports it with the XLSForm importer;
tests/data/synthetic-questionnaire holds the same definition as YAML, and a unit test keeps the two equal.

Standard XLSForm plus the project's columns: ``question_type`` (``rating`` on a 0-10 select_one),
``dimension``, ``indicator`` (``share:1 2``), ``scale``, ``reverse``, ``sensitive``, ``report_by``;
choices column ``missing`` (non-substantive); a ``table-list`` group is a matrix (INT1-INT4).
"""

from __future__ import annotations

import io

from openpyxl import Workbook

SURVEY_HEADER = [
    "type", "name", "label::Suomi (fi)", "label::English (en)", "appearance", "question_type",
    "dimension", "indicator", "scale", "reverse", "sensitive", "report_by",
]  # fmt: skip
FOUR = [
    ("1", "Erittäin", "Very"),
    ("2", "Melko", "Fairly"),
    ("3", "Ei kovin", "Not very"),
    ("4", "Ei lainkaan", "Not at all"),
]
CONTACT = [
    ("1", "Päivittäin", "Daily"), ("2", "Viikoittain", "Weekly"), ("3", "Kuukausittain", "Monthly"),
    ("4", "Harvemmin", "Less often"), ("5", "Ei koskaan", "Never"),
]  # fmt: skip
BACKGROUND = {
    "age": ("Ikäryhmä", "Age group", [
        ("18_29", "18–29", "18–29"), ("30_44", "30–44", "30–44"),
        ("45_64", "45–64", "45–64"), ("65_plus", "65+", "65+"),
    ]),
    "gender": ("Sukupuoli", "Gender", [("female", "Nainen", "Female"), ("male", "Mies", "Male")]),
    "lang": ("Kieliryhmä", "Language group", [
        ("domestic", "Suomen- tai ruotsinkieliset", "Finnish or Swedish speakers"),
        ("foreign", "Vieraskieliset", "Foreign-language speakers"),
    ]),
    "area": ("Asuinalue", "Area", [
        ("centre", "Kouvolan keskusta", "Kouvola centre"), ("kuusankoski", "Kuusankoski", "Kuusankoski"),
        ("anjalankoski", "Anjalankoski", "Anjalankoski"), ("elimaki", "Elimäki", "Elimäki"),
        ("valkeala", "Valkeala", "Valkeala"), ("jaala", "Jaala", "Jaala"),
    ]),
}  # fmt: skip
TRUST_ENDS = {
    0: ("Ei voi olla liian varovainen", "You can't be too careful"),
    10: ("Useimpiin voi luottaa", "Most people can be trusted"),
}


def _row(type_: str, name: str, fi: str = "", en: str = "", **extra: str) -> list[str | None]:
    cells: dict[str, str] = {"type": type_, "name": name, "label::Suomi (fi)": fi, "label::English (en)": en, **extra}
    return [cells.get(h) or None for h in SURVEY_HEADER]


def build() -> bytes:
    """The XLSForm workbook as .xlsx bytes."""
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    survey.append(SURVEY_HEADER)
    survey.append(_row("begin_group", "items", "Väestösuhteet", "Good relations", appearance="field-list"))
    for code, dimension, fi, en in (
        ("BEL", "participation", "Kuinka vahvasti koet kuuluvasi asuinalueeseesi?",
         "How strongly do you feel you belong to your local area?"),
        ("GETON", "attitudes", "Tulevatko eri taustaiset ihmiset toimeen keskenään?",
         "Do people from different backgrounds get on well together?"),
        ("SAFE", "security", "Kuinka turvalliseksi tunnet olosi pimeällä?", "How safe do you feel after dark?"),
    ):  # fmt: skip
        survey.append(_row("select_one four", code, fi, en, dimension=dimension, indicator="share:1 2", reverse="yes"))
    survey.append(
        _row("select_one trust", "TRUST", "Voiko useimpiin ihmisiin luottaa?", "Can most people be trusted?",
             appearance="likert", question_type="rating", dimension="attitudes")
    )  # fmt: skip
    survey.append(
        _row("select_one disc", "DISC", "Onko sinua syrjitty viimeisten 12 kuukauden aikana?",
             "Have you been discriminated against in the past 12 months?", dimension="discrimination", sensitive="yes")
    )  # fmt: skip
    survey.append(
        _row("begin_group", "INT", "Kuinka usein olet tekemisissä eri taustaisten ihmisten kanssa?",
             "How often are you in contact with people of a different background?",
             appearance="table-list", dimension="interaction", scale="INT", reverse="yes")
    )  # fmt: skip
    for i, (fi, en) in enumerate(
        [("Työssä tai opiskelussa", "At work or in studies"), ("Asuinalueella", "In the local area"),
         ("Vapaa-ajalla", "In free time"), ("Palveluissa", "In services")], start=1
    ):  # fmt: skip
        survey.append(_row("select_one contact", f"INT{i}", fi, en))
    survey.append(_row("end_group", "INT"))
    survey.append(_row("end_group", "items"))
    survey.append(_row("begin_group", "background", "Taustatiedot", "Background", appearance="field-list"))
    for code, (fi, en, _) in BACKGROUND.items():
        survey.append(
            _row(
                f"select_one {code}",
                code,
                fi,
                en,
                dimension="background",
                report_by="yes" if code in ("lang", "area") else "",
            )
        )
    survey.append(_row("end_group", "background"))

    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::Suomi (fi)", "label::English (en)", "missing"])
    for name, fi, en in [*FOUR, ("9", "En osaa sanoa", "Don't know")]:
        choices.append(["four", name, fi, en, "yes" if name == "9" else None])
    for value in range(11):
        fi, en = {
            0: ("Ei voi olla liian varovainen", "You can't be too careful"),
            10: ("Useimpiin voi luottaa", "Most people can be trusted"),
        }.get(value, (str(value), str(value)))
        choices.append(["trust", str(value), fi, en, None])
    for name, fi, en in (
        ("yes", "Kyllä", "Yes"),
        ("no", "Ei", "No"),
        ("no_answer", "En halua vastata", "Prefer not to say"),
    ):
        choices.append(["disc", name, fi, en, "yes" if name == "no_answer" else None])
    for name, fi, en in CONTACT:
        choices.append(["contact", name, fi, en, None])
    for code, (_, _, rows) in BACKGROUND.items():
        for name, fi, en in rows:
            choices.append([code, name, fi, en, None])

    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Synteettinen väestösuhdekysely", "synthetic", "Suomi (fi)"])
    languages = wb.create_sheet("languages")
    languages.append(["code", "name", "status", "title"])
    languages.append(["fi", "Suomi (fi)", "approved", "Synteettinen väestösuhdekysely"])
    languages.append(["en", "English (en)", "reviewed", "Synthetic good-relations survey"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
