"""The languages residents can answer in, each named in itself, in the order the service shows them."""

from __future__ import annotations

from collections.abc import Iterable

# code -> the language's name in itself (endonym)
SUPPORTED: dict[str, str] = {
    "fi": "Suomi",
    "sv": "Svenska",
    "en": "English",
    "ru": "Русский",
    "et": "Eesti",
    "ar": "العربية",
    "so": "Soomaali",
    "fa": "فارسی",
    "uk": "Українська",
    "fi-x-selko": "Selkosuomi",
}


def ordered(codes: Iterable[str]) -> list[str]:
    """Codes in display order: the service's own order first, any others alphabetically after."""
    rank = {code: i for i, code in enumerate(SUPPORTED)}
    return sorted(set(codes), key=lambda c: (rank.get(c, len(rank)), c))


def endonym(code: str) -> str:
    return SUPPORTED.get(code, code)
