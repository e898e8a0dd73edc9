"""A scripted person: says a first message, then answers each question the assistant asks.

Used by the end-to-end tests and by bench/bench_questions.py through the gateway's JSON API.
"""
from __future__ import annotations

from typing import Any

import httpx

# How a person answers each question, if asked (free text, as typed; a "/" payload is a button).
ANSWERS = {
    "besoin": "je cherche du travail",
    "statut": "je suis au chômage",
    "age": "45",
    "commune": "Tours",
    "metier": "cuisinier",
    "secteur": "/informer{\"secteur\": \"artisanat\"}",
    "cadre": "non",
    "handicap": "non",
    "contrat": "CDD",
}


class NoOrientation(AssertionError):
    pass


def converse(gateway: httpx.Client, first: str, answers: dict[str, str] | None = None,
             max_turns: int = 8, conversation: str | None = None) -> tuple[dict[str, Any], list[str], str]:
    """Say `first`, answer every question until the orientation arrives.

    Returns (the orientation message, the slots asked in order, the conversation id); raises
    NoOrientation when the assistant stops asking without recommending, or asks twice the same.
    """
    answers = {**ANSWERS, **(answers or {})}
    conversation = conversation or gateway.post("/api/conversations").json()["id"]
    text, asked = first, []
    for _ in range(max_turns):
        body = {"payload": text} if text.startswith("/") else {"text": text}
        reply = gateway.post(f"/api/conversations/{conversation}/messages", json=body)
        if reply.status_code != 200:
            raise NoOrientation(reply.text)
        data = reply.json()
        for message in data["messages"]:
            if (message.get("custom") or {}).get("type") == "orientation":
                return message, asked, conversation
        slot = data["state"]["requested_slot"]
        if not slot:
            raise NoOrientation(f"no question and no orientation after {asked}: {data['messages']}")
        if slot in asked:
            raise NoOrientation(f"asked {slot} twice")
        asked.append(slot)
        text = answers[slot]
    raise NoOrientation(f"no orientation after {asked}")
