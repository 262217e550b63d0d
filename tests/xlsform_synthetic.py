"""The synthetic oracle survey's questionnaire as an XLSForm workbook (built with openpyxl).

Same variables and codes as tests/data/synthetic-questionnaire (the YAML used until the XLSForm
importer is available): survey / choices / settings sheets, ``label::Language (code)`` columns, and the
project's metadata columns (``dimension``, ``indicator`` as ``share:1 2``, ``scale``, ``report_by``;
choices column ``missing``). In XLSForm the four contact items are separate select_one questions.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

LABELS = ("label::Suomi (fi)", "label::English (en)")
FOUR = [
    ("1", "Erittäin", "Very"),
    ("2", "Melko", "Fairly"),
    ("3", "Ei kovin", "Not very"),
    ("4", "Ei lainkaan", "Not at all"),
]
DONT_KNOW = ("9", "En osaa sanoa", "Don't know")
CONTACT = [
    ("1", "Päivittäin", "Daily"),
    ("2", "Viikoittain", "Weekly"),
    ("3", "Kuukausittain", "Monthly"),
    ("4", "Harvemmin", "Less often"),
    ("5", "Ei koskaan", "Never"),
]


def build(path: Path) -> Path:
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", *LABELS, "dimension", "indicator", "scale", "report_by"])
    survey.append(["begin_group", "items", "Väestösuhteet", "Good relations", "", "", "", ""])
    items = [
        (
            "BEL",
            "participation",
            "Kuinka vahvasti koet kuuluvasi asuinalueeseesi?",
            "How strongly do you feel you belong to your local area?",
        ),
        (
            "GETON",
            "attitudes",
            "Tulevatko eri taustaiset ihmiset toimeen keskenään?",
            "Do people from different backgrounds get on well together?",
        ),
        ("SAFE", "security", "Kuinka turvalliseksi tunnet olosi pimeällä?", "How safe do you feel after dark?"),
    ]
    for code, dimension, fi, en in items:
        survey.append(["select_one four", code, fi, en, dimension, "share:1 2", "", ""])
    survey.append(
        [
            "integer",
            "TRUST",
            "Voiko useimpiin ihmisiin luottaa?",
            "Can most people be trusted?",
            "attitudes",
            "",
            "",
            "",
        ]
    )
    survey.append(
        [
            "select_one yesno",
            "DISC",
            "Onko sinua syrjitty viimeisten 12 kuukauden aikana?",
            "Have you been discriminated against in the past 12 months?",
            "discrimination",
            "",
            "",
            "",
        ]
    )
    for i, (fi, en) in enumerate(
        [
            ("Työssä tai opiskelussa", "At work or in studies"),
            ("Asuinalueella", "In the local area"),
            ("Vapaa-ajalla", "In free time"),
            ("Palveluissa", "In services"),
        ],
        start=1,
    ):
        survey.append(["select_one contact", f"INT{i}", fi, en, "interaction", "", "INT", ""])
    survey.append(["end_group", "", "", "", "", "", "", ""])
    survey.append(["begin_group", "background", "Taustatiedot", "Background", "", "", "", ""])
    for code, fi, en in (
        ("age", "Ikäryhmä", "Age group"),
        ("gender", "Sukupuoli", "Gender"),
        ("lang", "Kieliryhmä", "Language group"),
        ("area", "Asuinalue", "Area"),
    ):
        survey.append(
            [f"select_one {code}", code, fi, en, "background", "", "", "yes" if code in ("lang", "area") else ""]
        )
    survey.append(["end_group", "", "", "", "", "", "", ""])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", *LABELS, "missing"])
    for name, fi, en in [*FOUR, DONT_KNOW]:
        choices.append(["four", name, fi, en, "yes" if name == "9" else ""])
    for name, fi, en in (
        ("yes", "Kyllä", "Yes"),
        ("no", "Ei", "No"),
        ("no_answer", "En halua vastata", "Prefer not to say"),
    ):
        choices.append(["yesno", name, fi, en, "yes" if name == "no_answer" else ""])
    for name, fi, en in CONTACT:
        choices.append(["contact", name, fi, en, ""])
    lists = {
        "age": [
            ("18_29", "18–29", "18–29"),
            ("30_44", "30–44", "30–44"),
            ("45_64", "45–64", "45–64"),
            ("65_plus", "65+", "65+"),
        ],
        "gender": [("female", "Nainen", "Female"), ("male", "Mies", "Male")],
        "lang": [
            ("domestic", "Suomen- tai ruotsinkieliset", "Finnish or Swedish speakers"),
            ("foreign", "Vieraskieliset", "Foreign-language speakers"),
        ],
        "area": [
            ("centre", "Keskusta", "Centre"),
            ("north", "Pohjoinen", "North"),
            ("south", "Etelä", "South"),
            ("east", "Itä", "East"),
            ("west", "Länsi", "West"),
        ],
    }
    for list_name, rows in lists.items():
        for name, fi, en in rows:
            choices.append([list_name, name, fi, en, ""])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Synteettinen väestösuhdekysely", "synthetic", "Suomi (fi)"])
    wb.save(path)
    return path
