"""Masking of personal data before text reaches Rasa, a store or a log.

The service never needs a name, an e-mail address, a phone number, a social-security number
(NIR) or a bank account: anything that looks like one is replaced by a neutral placeholder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: an IBAN or a NIR also contains digit runs a phone pattern would eat.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("courriel", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b", re.I)),
    # NIR: sex digit, birth year/month, place, order number, optional key; spaces allowed.
    ("nir", re.compile(r"\b[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[AB])"
                       r"[ .]?\d{3}[ .]?\d{3}(?:[ .]?\d{2})?\b", re.I)),
    ("telephone", re.compile(r"(?<![\w])(?:\+33[ .-]?|0033[ .-]?|0)[1-9](?:[ .-]?\d{2}){4}(?!\d)")),
]
# A name after "je m'appelle", "mon nom est"...: up to three capitalised or plain words.
_NAME = re.compile(
    r"\b(je m['’ ]?appel+e?|mon nom (?:est|c['’]est)|moi c['’]est)\s+"
    r"((?:[A-ZÀ-Ÿa-zà-ÿ][\w'’-]*)(?:\s+[A-ZÀ-Ÿ][\w'’-]*){0,2})",
    re.I | re.UNICODE,
)
PLACEHOLDERS = {
    "courriel": "[courriel masqué]", "iban": "[IBAN masqué]", "nir": "[numéro masqué]",
    "telephone": "[téléphone masqué]", "nom": "[nom masqué]",
}


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]  # what was found, e.g. ("courriel",)


def mask(text: str) -> Masked:
    found: list[str] = []
    for kind, pattern in _PATTERNS:
        text, n = pattern.subn(PLACEHOLDERS[kind], text)
        if n:
            found.append(kind)

    def _name(m: re.Match[str]) -> str:
        found.append("nom")
        return f"{m.group(1)} {PLACEHOLDERS['nom']}"

    text = _NAME.sub(_name, text)
    return Masked(text, tuple(found))
