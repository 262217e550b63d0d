"""Finding personal data in free text (names after greetings, phone numbers, email addresses, Finnish
personal identity codes) and replacing it with placeholders.

Used to warn staff before they read or keep a resident's message; it flags what *looks* like personal
data, so it errs towards warning. Redaction reports only what kinds it removed and how many — never the
removed text.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from enum import StrEnum

import msgspec


class DataKind(StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    IDENTITY_CODE = "identity_code"


PLACEHOLDERS: dict[DataKind, str] = {
    DataKind.NAME: "[name]",
    DataKind.PHONE: "[phone]",
    DataKind.EMAIL: "[email]",
    DataKind.IDENTITY_CODE: "[identity code]",
}


class Finding(msgspec.Struct, frozen=True):
    """``text[start:end]`` looks like personal data of ``kind``."""

    kind: DataKind
    start: int
    end: int


EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# Henkilötunnus: DDMMYY, a century sign, an individual number and a check character. Since 2023 the
# signs -, U–Y (1900s) and A–F (2000s) are all valid; + means the 1800s.
IDENTITY_CODE = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![\w-])", re.IGNORECASE)
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY = {"+": 1800, **dict.fromkeys("-UVWXY", 1900), **dict.fromkeys("ABCDEF", 2000)}

# International (+358 40 123 4567, 00358-40-1234567, +358 (0)40 …) or national with a leading zero
# (040-123 4567, 09 310 1234, (09) 3101 234); the digit count is checked after matching.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d{1,3}[ -]?(?:\(0\)[ -]?)?|\(0\d{1,3}\)[ -]?|0)\d(?:[ -]?\d){4,12}(?![\w])")
PHONE_DIGITS = range(7, 16)

# Greetings after which a capitalised word is most likely a name ("Hei Matti,", "Hej Anna", "Dear John").
GREETINGS = (
    # Finnish
    "hei",
    "hei hei",
    "heippa",
    "moi",
    "moikka",
    "terve",
    "hyvä",
    "arvoisa",
    "rakas",
    "kiitos",
    # Swedish
    "hej",
    "hejsan",
    "hallå",
    "bästa",
    "kära",
    "tack",
    # English
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "thank you",
)
NAME_WORD = r"[^\W\d_][\w'’-]*"
GREETING_NAME = re.compile(
    r"(?<!\w)(?i:" + "|".join(sorted((re.escape(g) for g in GREETINGS), key=len, reverse=True)) + r")"
    # possessive runs of blanks: a long run that leads to no name fails in one pass (no backtracking)
    r"(?:[ \t]*+[,!])?[ \t]++(?P<name>" + NAME_WORD + r"(?:\.?[ \t]++" + NAME_WORD + r"){0,2})"
)
# Titles skipped before a name ("Dear Mr Smith", "Hej herr Andersson") and capitalised words after a
# greeting that are not names ("Dear Sir", "Hei kaikki").
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "herra", "rouva", "neiti", "tohtori", "herr", "fru", "doktor"})
NOT_NAMES = frozenset(
    {
        *("sir", "madam", "all", "everyone", "team", "you", "city", "council"),
        *("kaikki", "kaikille", "te", "teille", "kaupunki", "kunta"),
        *("ni", "alla", "er", "stad", "kommun"),
    }
)


def is_email(value: str) -> bool:
    """``value`` as a whole is an email address."""
    return len(value) <= 254 and EMAIL.fullmatch(value) is not None


def is_phone(value: str) -> bool:
    """``value`` as a whole is a phone number (international, or national with a leading zero)."""
    return PHONE.fullmatch(value) is not None and sum(c.isdigit() for c in value) in PHONE_DIGITS


def _valid_identity_code(m: re.Match[str]) -> bool:
    dd, mm, yy, sign, individual, check = m.groups()
    try:
        date(CENTURY[sign.upper()] + int(yy), int(mm), int(dd))
    except ValueError:
        return False
    return CHECK_CHARACTERS[int(dd + mm + yy + individual) % 31] == check.upper()


def _name_span(m: re.Match[str]) -> tuple[int, int] | None:
    """The span of the capitalised words after a greeting (titles skipped), or None when there is no name."""
    start = end = None
    for word in re.finditer(NAME_WORD, m.group("name")):
        w = word.group()
        if start is None and w.lower() in TITLES:
            continue
        if not w[0].isupper() or len(w) < 2 or w.lower() in NOT_NAMES or w.lower() in TITLES:
            break
        if start is None:
            start = m.start("name") + word.start()
        end = m.start("name") + word.end()
    return (start, end) if start is not None and end is not None else None


def find_personal_data(text: str) -> list[Finding]:
    """Every span that looks like personal data, in text order, without overlaps.

    Where matches overlap, the more specific kind wins: email, then identity code, then phone, then name.
    """
    candidates: list[Finding] = []
    candidates += [Finding(DataKind.EMAIL, m.start(), m.end()) for m in EMAIL.finditer(text)]
    candidates += [
        Finding(DataKind.IDENTITY_CODE, m.start(), m.end())
        for m in IDENTITY_CODE.finditer(text)
        if _valid_identity_code(m)
    ]
    candidates += [
        Finding(DataKind.PHONE, m.start(), m.end())
        for m in PHONE.finditer(text)
        if sum(c.isdigit() for c in m.group()) in PHONE_DIGITS
    ]
    for m in GREETING_NAME.finditer(text):
        span = _name_span(m)
        if span is not None:
            candidates.append(Finding(DataKind.NAME, *span))

    taken: list[Finding] = []
    for f in candidates:  # already in priority order
        if all(f.end <= t.start or f.start >= t.end for t in taken):
            taken.append(f)
    return sorted(taken, key=lambda f: f.start)


def redact(text: str) -> tuple[str, Counter[DataKind]]:
    """``text`` with every finding replaced by its placeholder, and how many of each kind were replaced."""
    findings = find_personal_data(text)
    parts: list[str] = []
    position = 0
    for f in findings:
        parts += [text[position : f.start], PLACEHOLDERS[f.kind]]
        position = f.end
    parts.append(text[position:])
    return "".join(parts), Counter(f.kind for f in findings)
