"""Synthetic demo data: a plan with four waves of made-up answers to the default questionnaire.

Every answer is drawn by a program (seeded, so the demo is the same every time) with known trends: the
favourable share of every indicator rises a little from wave to wave, and the gap between
foreign-language and Finnish/Swedish speakers narrows. Plan and wave names say "synthetic demo" in
every language, and reports of these waves carry a banner saying the data are not real.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from survey_service.questionnaire.answers import CompiledQuestionnaire
from survey_service.questionnaire.schema import (
    Matrix,
    MultipleChoice,
    Number,
    Question,
    Questionnaire,
    Rating,
    SingleChoice,
    Year,
)

PLAN_SLUG = "kaikkien-kouvola-demo"
PLAN_NAME = "Kaikkien Kouvola 2023–2026 (synthetic demo)"
YEARS = (2023, 2024, 2025, 2026)
RESPONSES = (1100, 1200, 1250, 1300)
TREND = 0.18  # logit shift of every indicator per wave
GAP = 0.9  # initial disadvantage of foreign-language speakers (latent scale) ...
GAP_NARROWING = 0.2  # ... which shrinks by this much per wave
SEED = 2023

TITLE = {
    "fi": "Hyvät väestösuhteet {year} (synteettinen demo)",
    "sv": "Goda relationer {year} (syntetisk demo)",
    "en": "Good relations {year} (synthetic demo)",
}

# Kouvola-like adult population (the synthetic oracle's margins: rounded, made up from the former
# municipalities' sizes, not official statistics), by the default questionnaire's codes
MARGINS: dict[str, dict[str, float]] = {
    "AGE_GROUP": {"18_29": 10500, "30_44": 13200, "45_64": 22800, "65_plus": 21500},
    "GENDER": {"female": 34300, "male": 33700},
    "AREA": {
        "centre": 23600,
        "kuusankoski": 15600,
        "anjalankoski": 12600,
        "elimaki": 6300,
        "valkeala": 8500,
        "jaala": 1400,
    },
    "LANG_GROUP": {"domestic": 64200, "foreign": 3800},
}
SAMPLE_SHARES: dict[str, dict[str, float]] = {
    "AGE_GROUP": {"18_29": 0.13, "30_44": 0.19, "45_64": 0.34, "65_plus": 0.34},
    "GENDER": {"female": 0.56, "male": 0.44},
    "AREA": {
        "centre": 0.33,
        "kuusankoski": 0.23,
        "anjalankoski": 0.18,
        "elimaki": 0.09,
        "valkeala": 0.13,
        "jaala": 0.04,
    },
}
# mother tongue: foreign-language speakers are oversampled, as in the synthetic oracle
TONGUES = {"fi": 0.78, "sv": 0.03, "ru": 0.06, "et": 0.03, "en": 0.02, "ar": 0.03, "uk": 0.03, "so": 0.01, "th": 0.01}
# response language of each mother tongue (others answer in Finnish)
ANSWER_LANGUAGE = {"sv": "sv", "ru": "ru", "et": "et", "en": "en", "ar": "ar", "uk": "uk", "so": "so"}


@dataclass(frozen=True)
class DemoResponse:
    language: str
    answers: dict[str, Any]


def margins_csv() -> bytes:
    lines = ["variable,category,population"]
    lines += [f"{v},{c},{int(p)}" for v, cats in MARGINS.items() for c, p in cats.items()]
    return ("\n".join(lines) + "\n").encode()


def wave_title(year: int, languages: list[str]) -> dict[str, str]:
    return {lang: TITLE.get(lang, TITLE["en"]).format(year=year) for lang in languages}


def _pick(rng: np.random.Generator, shares: dict[str, float]) -> str:
    keys = list(shares)
    p = np.asarray([shares[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _ordinal(rng: np.random.Generator, codes: list[Any], favourable_first: bool, latent: float) -> Any:
    """One of ``codes`` (in favourable-to-unfavourable order when ``favourable_first``) from a latent
    value: higher latent, more favourable answer (an ordered logit with evenly spread cut points)."""
    k = len(codes)
    cuts = np.linspace(-1.6, 1.6, k - 1) if k > 1 else np.array([])
    z = -latent + rng.logistic()
    position = int(np.searchsorted(cuts, z))
    ordered = codes if favourable_first else list(reversed(codes))
    return ordered[min(position, k - 1)]


def _answer(rng: np.random.Generator, q: Question, code: str, latent: float) -> Any:
    if isinstance(q, SingleChoice | Matrix):
        substantive = [c.code for c in q.choices if not c.missing]
        missing = [c.code for c in q.choices if c.missing]
        if missing and rng.random() < 0.04:
            return missing[0]
        if q.indicator is not None:
            favourable = {str(c) for c in q.indicator.favourable}
            ordered = [c for c in substantive if str(c) in favourable] + [
                c for c in substantive if str(c) not in favourable
            ]
            return _ordinal(rng, ordered, favourable_first=True, latent=latent)
        if q.reverse or isinstance(q, Matrix):
            return _ordinal(rng, substantive, favourable_first=q.reverse, latent=latent)
        return substantive[int(rng.integers(len(substantive)))]
    if isinstance(q, Rating):
        if q.extra_choices and rng.random() < 0.03:
            return q.extra_choices[0].code
        points = list(range(q.min, q.max + 1))
        return _ordinal(rng, points, favourable_first=q.reverse, latent=latent)
    if isinstance(q, MultipleChoice):
        options = [c for c in q.choices if not c.missing and not c.exclusive]
        limit = min(q.max_selected or 2, 2, len(options))
        chosen = rng.choice(len(options), size=int(rng.integers(1, limit + 1)), replace=False)
        return [options[int(i)].code for i in sorted(chosen)]
    if isinstance(q, Number):
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else low + 10
        return int(rng.integers(int(low), int(min(high, low + 6)) + 1))
    if isinstance(q, Year):
        return int(rng.integers(max(q.min, 1960), 2023))
    return None  # no free text in the demo


def respondents(q: Questionnaire, compiled: CompiledQuestionnaire, wave: int, n: int) -> list[DemoResponse]:
    """``n`` valid responses for wave number ``wave`` (0 = baseline); same seed, same data."""
    rng = np.random.default_rng(SEED + wave)
    out = []
    languages = set(q.languages)
    for _ in range(n):
        background = {v: _pick(rng, shares) for v, shares in SAMPLE_SHARES.items()}
        tongue = _pick(rng, TONGUES)
        background["MOTHER_TONGUE"] = tongue
        foreign = tongue not in ("fi", "sv", "smi")
        age_shift = {"18_29": -0.1, "30_44": 0.0, "45_64": 0.1, "65_plus": 0.2}[background["AGE_GROUP"]]
        person = rng.normal() + age_shift + TREND * wave - (GAP - GAP_NARROWING * wave) * foreign
        answers: dict[str, Any] = {}
        for section in q.sections:
            for question in section.questions:
                if question.code in background:
                    answers[question.code] = background[question.code]
                    continue
                if not compiled.question_visible(question, answers):
                    continue
                if not question.required and rng.random() < 0.02:
                    continue  # item non-response
                codes = [s.code for s in question.statements] if isinstance(question, Matrix) else [question.code]
                for code in codes:
                    value = _answer(rng, question, code, person + rng.normal(0, 0.5))
                    if value is not None:
                        answers[code] = value
        checked = compiled.check(answers, require=True)
        if not checked.ok:
            bad = {e.item for e in checked.errors}
            checked = compiled.check({k: v for k, v in answers.items() if k not in bad}, require=True)
        if not checked.ok:
            continue
        language = ANSWER_LANGUAGE.get(tongue, "fi")
        out.append(DemoResponse(language if language in languages else q.source_language, checked.answers))
    return out
