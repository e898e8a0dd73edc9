"""Button payloads are checked against the profile contract, and a trade in one is masked."""
from __future__ import annotations

import json

import pytest

from bot.gateway.payload import BadPayload, clean_payload


def split(payload: str) -> tuple[str, dict]:
    intent, brace, body = payload.partition("{")
    return intent, json.loads(brace + body) if brace else {}


@pytest.mark.parametrize("payload", [
    "/affirm",
    '/informer{"statut": "scolaire"}',
    '/informer{"commune": "36141"}',
    '/informer{"age": 45, "handicap": true}',
    '/donner_avis{"avis": "utile"}',
    '/demander_info{"sujet": "vae"}',
])
def test_our_buttons_pass_unchanged(payload):
    assert split(clean_payload(payload)) == split(payload)


@pytest.mark.parametrize("payload", [
    "<script>",
    '/informer{"statut": "pirate"}',
    '/informer{"age": 300}',
    '/informer{"commune": "x@example.fr"}',
    '/informer{"handicap": "peut-être"}',
    '/informer{"nom": "Dupont"}',
    '/donner_avis{"avis": "<b>super</b>"}',
    '/demander_info{"sujet": "../../etc"}',
    '/informer{"statut": ',
    '/informer[]',
    '/informer{}',
])
def test_anything_else_is_refused(payload):
    with pytest.raises(BadPayload):
        clean_payload(payload)


def test_a_trade_in_a_payload_is_masked():
    _, cleaned = split(clean_payload('/informer{"metier": "x@example.fr 0698765432"}'))
    assert "example" not in cleaned["metier"] and "0698765432" not in cleaned["metier"]
    assert "masqué" in cleaned["metier"]
