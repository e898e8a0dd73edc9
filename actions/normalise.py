"""Turn what people type into slot values: ages in digits or words, yes/no answers.

Communes and trades are resolved by `knowledge/`; this module only reads numbers and booleans.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.texte import words

_UNITS = {"zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
          "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
          "quatorze": 14, "quinze": 15, "seize": 16}
_TENS = {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
         "septante": 70, "huitante": 80, "octante": 80, "nonante": 90}
_DIGITS = re.compile(r"(?<!\d)(\d{1,3})(?!\d)")
_YEARS_OLD = re.compile(r"(?<!\d)(\d{1,2})\s*ans?\b")
_I_AM = re.compile(r"\b(?:age|ai)\s+(\d{1,2})(?!\d)(?!\s*(?:enfant|mois|semaine|jour|heure|an))")
_YES = {"oui", "ouais", "ouai", "oue", "yes", "exact", "exactement", "vrai", "affirmatif", "tout a fait",
        "bien sur", "effectivement", "oui oui", "c est ca", "voila"}
_NO = {"non", "nan", "no", "pas du tout", "absolument pas", "faux", "non non", "negatif", "aucun", "aucune"}


def words_to_number(text: str) -> int | None:
    """French number words up to 99: "dix-neuf", "vingt et un", "quatre-vingt-deux"."""
    total, current, seen = 0, 0, False
    for word in words(text).split():
        if word == "et":
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            if current == 4 and word.startswith("vingt"):
                current = 80
            else:
                current += _TENS[word]
        elif word == "cent":
            return None
        else:
            if seen:
                break
            continue
        seen = True
    total += current
    return total if seen else None


def parse_age(value: Any, whole_message: bool = False) -> int | None:
    """An age in 11–99 from an entity value or, when `whole_message`, from an answer like "19 ans".

    In a free sentence only numbers followed by "ans" count (so "2 enfants" is not an age);
    as the answer to "quel âge avez-vous ?" a bare number is the age.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = int(value) if float(value).is_integer() else None
    else:
        text = words(str(value))
        match = _YEARS_OLD.search(text) or _I_AM.search(text)
        if match:
            number = int(match.group(1))
        else:
            digits = _DIGITS.findall(text) if whole_message or len(text) <= 12 else []
            number = int(digits[0]) if len(digits) == 1 else words_to_number(text)
    return number if number is not None and 11 <= number <= 99 else None


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = words(str(value))
    if text in _YES or text.startswith("oui"):
        return True
    if text in _NO or text.startswith("non ") or text.startswith("pas "):
        return False
    return None


SYNONYMS_PATH = Path(__file__).resolve().parent.parent / "nlu_data" / "synonyms.yml"


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, str]:
    """The NLU's own synonym table (phrase → canonical value), keys folded."""
    data = yaml.safe_load(SYNONYMS_PATH.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for item in data.get("nlu") or []:
        if "synonym" in item:
            for line in item["examples"].splitlines():
                phrase = words(line.strip().lstrip("-"))
                if phrase:
                    table[phrase] = str(item["synonym"])
    return table


def canonical(texts: list[str], allowed: tuple) -> str | None:
    """The canonical value a span of text stands for, among `allowed`.

    DIET sometimes cuts a span short or long ("arreté le lycée l'", "reprendre" + "formation"):
    after an exact look-up, the longest known phrase contained in the text wins, then a known
    phrase that starts with the text (of two words or more).
    """
    table = synonym_table()
    for text in texts:
        if text in allowed:
            return text
        folded = words(text)
        if folded in allowed:
            return folded
        if table.get(folded) in allowed:
            return table[folded]
    for text in texts:
        padded = f" {words(text)} "
        inside = [p for p, v in table.items() if v in allowed and len(p) >= 4 and f" {p} " in padded]
        if inside:
            return table[max(inside, key=len)]
        folded = words(text)
        # a phrase cut short ("arreté le"), never one word: « contrat » alone is not « contrat
        # d'apprentissage » (« mon contrat se termine »)
        if len(folded) >= 5 and " " in folded:
            starts = [p for p, v in table.items() if v in allowed and p.startswith(folded + " ")]
            if starts and len({table[p] for p in starts}) == 1:
                return table[starts[0]]
    return None
