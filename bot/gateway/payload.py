"""Button payloads (`/intent` or `/intent{"slot": value}`) checked before Rasa sees them.

A payload is typed by whoever calls the API, not only by our buttons: its values must be what the
profile contract allows (knowledge/profile.py), and the one free-text value, a trade, is masked
like any message. Anything else is refused, so nothing unchecked reaches the tracker or a fiche.
"""
from __future__ import annotations

import json
import re

from bot.gateway.masking import mask
from knowledge import SLOTS, ProfileError, validate_profile

_PAYLOAD = re.compile(r"^/([a-z_]{1,64})(\{.{0,400}\})?$", re.S)
_SUJET = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # an info card's key
OTHER_ENTITIES = {"avis": ("utile", "pas_utile")}


class BadPayload(ValueError):
    """A payload that is not one of ours; `str()` is the French message for the person."""


def clean_payload(payload: str) -> str:
    """The payload Rasa may see (a trade masked), or BadPayload."""
    match = _PAYLOAD.match(payload)
    if not match:
        raise BadPayload("Bouton inconnu.")
    intent, body = match.groups()
    if body is None:
        return payload
    try:
        entities = json.loads(body)
    except ValueError:
        raise BadPayload("Bouton inconnu.") from None
    if not isinstance(entities, dict) or not entities:
        raise BadPayload("Bouton inconnu.")
    profil = {k: v for k, v in entities.items() if k in SLOTS}
    for key, value in entities.items():
        if key in profil:
            continue
        if key == "sujet" and isinstance(value, str) and _SUJET.match(value):
            continue
        if value not in OTHER_ENTITIES.get(key, ()):
            raise BadPayload("Bouton inconnu.")
    try:
        validate_profile(profil)
    except ProfileError as exc:
        raise BadPayload(f"Bouton inconnu : {exc}") from None
    if isinstance(profil.get("metier"), str):
        entities["metier"] = mask(profil["metier"]).text
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"

