"""A safety net beside the NLU for distress: words of suicide or violence always get the
emergency numbers first, even when the model read the message as something else.

The words are those of the NLU's rule reader (knowledge/data/comprendre.yml, `detresse`), so the
net and the model's pipeline agree. The net only asks Rasa for its own distress answer (intent
`detresse`): the emergency numbers stay written once, in the domain's `utter_detresse`.
"""
from __future__ import annotations

from knowledge.comprendre import detresse_lexicon

EMERGENCY_MARK = "3114"  # present in utter_detresse: the person already has the numbers


def needs_safety_net(text: str, replies: list[dict]) -> bool:
    """True when `text` speaks of distress and the replies do not give the emergency numbers."""
    if not detresse_lexicon()(text):
        return False
    return not any(EMERGENCY_MARK in (m.get("text") or "") for m in replies)
