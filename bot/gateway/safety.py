"""A safety net beside the NLU for distress: words of suicide or violence always get the
emergency numbers first, even when the model read the message as something else.

The net only asks Rasa for its own distress answer (intent `detresse`): the emergency numbers
stay written once, in the domain's `utter_detresse`.
"""
from __future__ import annotations

import re

from knowledge.texte import fold

# Accent-less, lower-case patterns (the text is folded first). Kept narrow: "mourir de rire" or
# "tuer le temps" must not trigger it, so each pattern names the act, not a single word.
DISTRESS = re.compile("|".join([
    r"\bsuicid", r"\ben finir\b", r"\bmettre fin a (mes jours|ma vie)\b", r"\bfoutre en l.?air\b",
    r"\b(envie|veux|vais|pense a|penser a) (de )?(mourir|me tuer|disparaitre)\b",
    r"\bme (faire du mal|scarifie|mutile)\b", r"\bidees (noires|suicidaires)\b",
    r"\b(me|m) (frappe|frappent|bat|battent|tape|tapent|viole|violent)\b", r"(?<!me )\bsuis battue?\b",
    r"\bviolences? (conjugales?|sexuelles?|a la maison)\b", r"\bagress(e|ee|ion) sexuelle\b",
    r"\bmenace de mort\b", r"\b(suis|sens) en danger\b", r"\bpeur pour ma vie\b", r"\bharcel",
]))
EMERGENCY_MARK = "3114"  # present in utter_detresse: the person already has the numbers


def needs_safety_net(text: str, replies: list[dict]) -> bool:
    """True when `text` speaks of distress and the replies do not give the emergency numbers."""
    if not DISTRESS.search(fold(text)):
        return False
    return not any(EMERGENCY_MARK in (m.get("text") or "") for m in replies)
