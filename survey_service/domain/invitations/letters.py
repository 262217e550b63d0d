"""Printable invitation letters: one A4 page per invitation with the survey title, a short text in the
invitation's language, the link, the short code and a QR code of the link (segno, inline SVG).

Letters are made in the same request as the tokens, because only then do the tokens exist: the database
keeps their hashes only, so letters can never be made again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno
from markupsafe import Markup

from survey_service.db.models import Survey
from survey_service.domain.invitations.services import IssuedInvitation, invitation_link
from survey_service.domain.questionnaires.services import definition_of
from survey_service.questionnaire.localize import pick, text_direction
from survey_service.web import i18n
from survey_service.web.templating import STATIC, render

# Error correction M (15 %) survives a crease or a smudge on paper; the size comes from letters.css (45 mm).
QR_ERROR = "m"
QR_SCALE = 4
LETTERS_CSS = STATIC / "css" / "letters.css"


@dataclass(frozen=True, slots=True)
class LetterText:
    greeting: str
    invitation: str
    anonymous: str
    online: str
    by_code: str  # {address}: where to type the code
    once: str
    thanks: str
    qr_label: str


# Reviewed letter texts. An invitation in another language gets the wave's source language, or Finnish.
LETTER_TEXTS: dict[str, LetterText] = {
    "fi": LetterText(
        greeting="Hyvä vastaanottaja",
        invitation=(
            "Sinut on kutsuttu vastaamaan kyselyyn, jolla kunta seuraa eri väestöryhmien välisiä suhteita: "
            "asenteita, turvallisuutta, kohtaamisia ja osallistumista. Vastauksesi on tärkeä, vaikka aihe ei "
            "tuntuisi koskevan sinua."
        ),
        anonymous="Vastaukset käsitellään nimettöminä: niitä ei voi yhdistää sinuun.",
        online="Vastaa verkossa: skannaa QR-koodi puhelimellasi tai avaa tämä linkki:",
        by_code="Voit myös mennä osoitteeseen {address} ja kirjoittaa tämän koodin:",
        once="Linkillä ja koodilla voi vastata kerran. Älä anna niitä muille.",
        thanks="Kiitos vastauksestasi!",
        qr_label="QR-koodi, joka avaa kyselyn",
    ),
    "sv": LetterText(
        greeting="Bästa mottagare",
        invitation=(
            "Du har blivit inbjuden att svara på en enkät som kommunen använder för att följa relationerna mellan "
            "olika befolkningsgrupper: attityder, trygghet, möten och delaktighet. Ditt svar är viktigt även om "
            "ämnet inte känns aktuellt för dig."
        ),
        anonymous="Svaren behandlas anonymt: de kan inte kopplas till dig.",
        online="Svara på webben: skanna QR-koden med din telefon eller öppna länken:",
        by_code="Du kan också gå till {address} och skriva in koden:",
        once="Länken och koden kan användas en gång. Ge dem inte till någon annan.",
        thanks="Tack för ditt svar!",
        qr_label="QR-kod som öppnar enkäten",
    ),
    "en": LetterText(
        greeting="Dear recipient",
        invitation=(
            "You are invited to answer a survey with which the municipality follows relations between population "
            "groups: attitudes, safety, encounters and participation. Your answers matter even if the topic does "
            "not seem to concern you."
        ),
        anonymous="Your answers are handled anonymously: they cannot be linked to you.",
        online="Answer online: scan the QR code with your phone or open this link:",
        by_code="You can also go to {address} and type this code:",
        once="The link and the code can be used once. Do not give them to anyone else.",
        thanks="Thank you for answering!",
        qr_label="QR code that opens the survey",
    ),
}
FALLBACK_LANGUAGE = "fi"


@dataclass(frozen=True, slots=True)
class Letter:
    language: str
    dir: str
    title: str
    text: LetterText
    anonymous: bool
    link: str
    code: str
    address: str  # where the code is typed
    qr: Markup


def letter_language(language: str | None, source_language: str) -> str:
    """The invitation's own language when there is a letter text in it, else the wave's source language."""
    for candidate in (language, source_language):
        if candidate in LETTER_TEXTS:
            return candidate
    return FALLBACK_LANGUAGE


def qr_svg(link: str, label: str) -> Markup:
    """The QR code of ``link`` as inline SVG (no external requests), named for screen readers."""
    svg = segno.make(link, error=QR_ERROR, micro=False).svg_inline(
        scale=QR_SCALE, title=label, svgclass="qr", omitsize=True
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno's own SVG, label escaped by it


def letters(survey: Survey, issued: Sequence[IssuedInvitation], public_url: str) -> list[Letter]:
    source = definition_of(survey.version).source_language
    address = f"{public_url.rstrip('/')}/s/{survey.slug}"
    out = []
    for invitation in issued:
        language = letter_language(invitation.language, source)
        text = LETTER_TEXTS[language]
        link = invitation_link(public_url, survey.slug, invitation.token)
        out.append(
            Letter(
                language=language,
                dir=text_direction(language),
                title=pick(survey.title, language, source) or survey.slug,
                text=text,
                anonymous=survey.anonymous,
                link=link,
                code=invitation.code,
                address=address,
                qr=qr_svg(link, text.qr_label),
            )
        )
    return out


def letters_document(survey: Survey, issued: Sequence[IssuedInvitation], public_url: str) -> str:
    """A stand-alone print-ready HTML file of the letters (styles inline: it is opened from disk)."""
    return render(
        "staff/letters_document.html",
        i18n.current_language(),
        lang=i18n.current_language(),
        letters=letters(survey, issued, public_url),
        css=Markup(LETTERS_CSS.read_text(encoding="utf-8")),  # noqa: S704 - our own stylesheet
        survey=survey.slug,
    )
