"""A safety net beside the NLU for distress: words of suicide or violence always get the
emergency numbers first, even when the model read the message as something else.

The words are those of the NLU's rule reader (knowledge/data/comprendre.yml, `detresse`), so the
net and the model's pipeline agree. The net only asks Rasa for its own distress answer (intent
`detresse`): the emergency numbers stay written once, in the domain's `utter_detresse`.

Patterns miss much of what people write (on a set written after the patterns, they found 23 of
40 distress messages), and in a long message the classifier reads one sentence of danger diluted
among the others. So the net also gives each sentence that holds a word of risk (`phrases_a_risque`)
to the classifier alone. A sentence it reads as distress with DISTRESS_SENTENCE_CONFIDENCE gets a
gentler answer than words of distress do: one line with the 3114 and the emergency numbers
(`utter_detresse_possible`, read from the domain so its wording stays in one place), before the
assistant's own reply, whose questions go on. The classifier is wrong on some figurative
sentences (« ma mère va me tuer quand elle saura »): one line is what such a person then reads.
"""
from __future__ import annotations

from functools import lru_cache

import yaml

from bot.settings import ROOT
from knowledge import detresse_lexicon

POSSIBLE_DISTRESS = "utter_detresse_possible"

EMERGENCY_MARK = "3114"  # present in utter_detresse: the person already has the numbers
DISTRESS_SENTENCE_CONFIDENCE = 0.95


def needs_safety_net(text: str, replies: list[dict]) -> bool:
    """True when `text` speaks of distress and the replies do not give the emergency numbers."""
    if not detresse_lexicon()(text):
        return False
    return not has_emergency_numbers(replies)


def has_emergency_numbers(replies: list[dict]) -> bool:
    return any(EMERGENCY_MARK in (m.get("text") or "") for m in replies)


def sentences_to_judge(text: str, replies: list[dict]) -> list[str]:
    """The sentences of `text` the classifier should judge on their own: none when the replies
    already give the numbers."""
    if has_emergency_numbers(replies):
        return []
    return detresse_lexicon().phrases_a_risque(text)


def reads_distress(parse: dict) -> bool:
    """Whether Rasa's parse of one sentence (its intent ranking, the classifier's own scores)
    reads distress with confidence."""
    return any(r.get("name") == "detresse" and r.get("confidence", 0) >= DISTRESS_SENTENCE_CONFIDENCE
               for r in parse.get("intent_ranking") or [])


@lru_cache(maxsize=1)
def possible_distress_reply() -> dict[str, str]:
    """The domain's one line for a sentence the classifier alone read as distress."""
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "dialogue.yml").read_text(encoding="utf-8"))
    return {"text": " ".join(domain["responses"][POSSIBLE_DISTRESS][0]["text"].split())}
