"""Payloads: a button's is checked against the profile contract (a trade in one is masked); the
`custom` payloads of the actions are what the gateway acts on (forget-me, hand-over to a
téléconseiller), whatever the intent."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.gateway.client import HANDOVER, ConversationClient
from bot.gateway.payload import BadPayload, clean_payload
from bot.gateway.relay import WAITING
from bot.passerelle import WEBHOOK
from bot.settings import Settings


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


def fake_rasa(replies: list[dict], intent: str) -> httpx.AsyncClient:
    """Rasa answering every turn with `replies`, its tracker naming `intent` as understood."""
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == WEBHOOK:
            return httpx.Response(200, json=replies)
        if request.url.path.endswith("/tracker"):
            return httpx.Response(200, json={"slots": {}, "latest_message": {"intent": {"name": intent}}})
        return httpx.Response(200, json={"intent_ranking": []})  # /model/parse
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


def one_turn(tmp_path, replies: list[dict], intent: str, channel: str = "web"):
    """(the reply's texts, the relay's state, whether the conversation still exists)."""
    settings = Settings(data_dir=tmp_path, rasa_token="x", console_hours="1-7 00:00-24:00")

    async def turn():
        client = ConversationClient(settings, http=fake_rasa(replies, intent))
        conversation = await client.create(channel)
        reply = await client.send(conversation, text="je voudrais parler à quelqu'un")
        exists = client.store.channel(conversation) is not None
        return [m.get("text") for m in reply.messages], client.relay.state(conversation), exists

    return asyncio.run(turn())


HUMAIN = [{"text": "Vous pouvez parler à un conseiller d'Etoile Info."}, {"custom": {"type": "conseiller"}}]


def test_the_conseiller_payload_hands_a_web_conversation_over_during_opening_hours(tmp_path):
    texts, relay, exists = one_turn(tmp_path, HUMAIN, intent="autre_chose")
    assert texts == [HUMAIN[0]["text"], HANDOVER]
    assert relay == (WAITING, None) and exists


def test_without_the_payload_the_intent_alone_hands_nothing_over(tmp_path):
    texts, relay, _ = one_turn(tmp_path, HUMAIN[:1], intent="demander_humain")
    assert texts == [HUMAIN[0]["text"]] and relay is None


def test_only_the_web_channel_is_handed_over(tmp_path):
    texts, relay, _ = one_turn(tmp_path, HUMAIN, intent="demander_humain", channel="telegram")
    assert HANDOVER not in texts and relay is None


def test_the_oubli_payload_forgets_the_conversation(tmp_path):
    texts, relay, exists = one_turn(tmp_path, [{"text": "C'est effacé."}, {"custom": {"type": "oubli"}}],
                                    intent="autre_chose")
    assert texts == ["C'est effacé."] and not exists
