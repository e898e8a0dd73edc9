"""How typed text is compared everywhere: case, accents, ligatures and punctuation set aside."""
from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "’": "'", "ʼ": "'", "‘": "'"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents; ligatures spelt out ("Œnologue" -> "oenologue")."""
    text = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def words(text: str) -> str:
    """The folded letters and digits, single-spaced ("Aide-Soignante" -> "aide soignante")."""
    return " ".join(_WORD.findall(fold(text)))
