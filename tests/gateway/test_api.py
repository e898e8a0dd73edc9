"""The gateway's JSON API against the really running Rasa and action server."""
from __future__ import annotations

import json
import sqlite3

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings

pytestmark = pytest.mark.stack


def say(gateway: httpx.Client, conversation: str, text: str) -> httpx.Response:
    return gateway.post(f"/api/conversations/{conversation}/messages", json={"text": text})


def texts(response: httpx.Response) -> str:
    return " ".join(m.get("text", "") for m in response.json()["messages"])


def test_bonjour_gets_the_public_service_welcome(gateway, conversation):
    r = say(gateway, conversation, "Bonjour")
    assert r.status_code == 200
    welcome = texts(r)
    for words in ("assistant automatique", "gratuit", "anonyme", "Centre-Val de Loire", "orientation"):
        assert words in welcome
    # typed by the person, a greeting is then followed by the first question: never a dead end
    assert r.json()["state"]["profil"] == {} and r.json()["state"]["requested_slot"] is not None


@pytest.mark.parametrize("channel", ["console", "telegram", "autre"])
def test_only_the_web_channel_can_be_opened_from_outside(gateway, channel):
    assert gateway.post("/api/conversations", json={"channel": channel}).status_code == 422


def test_conversation_ids_are_opaque_and_distinct(gateway):
    ids = {gateway.post("/api/conversations").json()["id"] for _ in range(5)}
    assert len(ids) == 5 and all(len(i) >= 20 for i in ids)


def test_unknown_conversation_is_404(gateway):
    r = say(gateway, "pas-une-conversation", "Bonjour")
    assert r.status_code == 404
    assert "Conversation inconnue" in r.json()["detail"]
    assert gateway.get("/api/conversations/pas-une-conversation").status_code == 404


@pytest.mark.parametrize("text, status", [("", 422), ("   ", 422), ("x" * 10_000, 413)])
def test_bad_messages_get_a_clear_error_and_the_conversation_goes_on(gateway, conversation, text, status):
    assert say(gateway, conversation, "bonjour").status_code == 200
    r = say(gateway, conversation, text)
    assert r.status_code == status
    assert r.json()["detail"]  # a sentence for the person, not a stack trace
    after = say(gateway, conversation, "tu es un robot ?")
    assert after.status_code == 200
    assert "assistant automatique" in texts(after)
    transcript = gateway.get(f"/api/conversations/{conversation}").json()["transcript"]
    assert [line["texte"] for line in transcript if line["de"] == "personne"] == ["bonjour", "tu es un robot ?"]


def test_a_chunked_body_over_the_limit_is_413(stack, gateway, conversation):
    """No Content-Length: the limit holds on the bytes read."""
    def chunks():
        yield b'{"text": "'
        for _ in range(200):
            yield b"a" * 16_384
        yield b'"}'

    r = gateway.post(f"/api/conversations/{conversation}/messages", content=chunks(),
                     headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json()["detail"] == "Requête trop volumineuse."


def test_a_lone_surrogate_is_422_not_an_outage(gateway, conversation):
    r = gateway.post(f"/api/conversations/{conversation}/messages", content=b'{"text": "bonjour \\ud800"}',
                     headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "illisibles" in r.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"text": "a", "payload": "/greet"}, {"payload": "<script>"},
                                  {"payload": '/informer{"nom": "Dupont"}'},
                                  {"payload": '/informer{"statut": "pirate"}'},
                                  {"text": 42}, [1, 2]])
def test_malformed_bodies_are_422(gateway, conversation, body):
    r = gateway.post(f"/api/conversations/{conversation}/messages", json=body)
    assert r.status_code == 422, r.text
    assert "detail" in r.json()


def test_non_json_body_is_422(gateway, conversation):
    r = gateway.post(f"/api/conversations/{conversation}/messages", content=b"bonjour",
                     headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_button_payload_is_understood(gateway, conversation):
    r = gateway.post(f"/api/conversations/{conversation}/messages", json={"payload": "/ask_capabilities"})
    assert r.status_code == 200
    assert "Je peux" in texts(r)


def test_a_trade_typed_into_a_payload_is_masked_before_rasa_stores_it(stack, gateway, conversation):
    r = gateway.post(f"/api/conversations/{conversation}/messages",
                     json={"payload": '/informer{"metier": "x@example.fr 0698765432"}'})
    assert r.status_code == 200
    assert "example" not in json.dumps(r.json())
    with sqlite3.connect(stack.settings.data_dir / "tracker.db") as db:
        stored = " ".join(row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?",
                                                       (conversation,)))
    assert "x@example.fr" not in stored and "0698765432" not in stored
    assert "[courriel masqu" in stored  # the JSON escapes the é


def test_personal_data_is_masked_before_rasa_stores_it(stack, gateway, conversation):
    r = say(gateway, conversation, "bonjour je m'appelle Martin Dupont, mon mail est m.dupont@example.org "
                                   "et mon numéro 06 12 34 56 78")
    assert r.status_code == 200
    assert "masqué" in r.json()["messages"][0]["text"]
    with sqlite3.connect(stack.settings.data_dir / "tracker.db") as db:
        rows = [row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (conversation,))]
    stored = " ".join(rows)
    user_text = [e["text"] for e in map(json.loads, rows) if e["event"] == "user"]
    assert user_text == ["bonjour je m'appelle [nom masqué], mon mail est [courriel masqué] "
                         "et mon numéro [téléphone masqué]"]
    for secret in ("Martin", "Dupont", "m.dupont@example.org", "06 12 34 56 78"):
        assert secret not in stored


def test_forget_me_deletes_the_conversation_everywhere(stack, gateway, conversation):
    assert say(gateway, conversation, "bonjour").status_code == 200
    db_path = stack.settings.data_dir / "tracker.db"
    count = "SELECT count(*) FROM events WHERE sender_id = ?"
    with sqlite3.connect(db_path) as db:
        assert db.execute(count, (conversation,)).fetchone()[0] > 0
    assert gateway.delete(f"/api/conversations/{conversation}").status_code == 204
    with sqlite3.connect(db_path) as db:
        assert db.execute(count, (conversation,)).fetchone()[0] == 0
    assert say(gateway, conversation, "bonjour").status_code == 404
    assert gateway.delete(f"/api/conversations/{conversation}").status_code == 404


def test_healthz_reports_every_component(gateway):
    r = gateway.get("/healthz")
    assert r.status_code == 200
    assert r.json()["composants"] == {"rasa": "ok", "actions": "ok", "base_conversations": "ok",
                                      "base_suivi_rasa": "ok"}


def test_chat_page_and_openapi_are_served(gateway):
    page = gateway.get("/")
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert gateway.get("/webchat/widget.js").status_code == 200
    spec = gateway.get("/openapi.json").json()
    assert "/api/conversations/{conversation_id}/messages" in spec["paths"]


def test_the_openapi_contract_says_what_the_api_does(tmp_path):
    spec = create_app(Settings(data_dir=tmp_path, rasa_token="x")).openapi()
    assert spec["components"]["schemas"]["State"]["properties"]["requested_slot"]["nullable"] is True
    post = spec["paths"]["/api/conversations/{conversation_id}/messages"]["post"]["responses"]
    assert {"404", "413", "422", "429"} <= set(post)
    assert post["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert spec["components"]["schemas"]["Error"]["properties"]["detail"]["type"] == "string"
    assert "/telegram/webhook" not in spec["paths"]  # Telegram is off here: the route answers 404


def test_fiche_look_ups_are_limited_per_address(tmp_path, free_port):
    """Guessing codes needs millions of look-ups: beyond a few a minute, a 429."""
    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x",
                        rate_liaison_per_address=3)
    with TestClient(create_app(settings)) as client:
        statuses = [client.get(f"/api/liaison/ZZZZZ{c}").status_code for c in "23456"]
    assert statuses == [404, 404, 404, 429, 429]


def test_rasa_down_gives_the_polite_fallback_not_a_500(tmp_path, free_port):
    """The same gateway code, pointed at a Rasa and action server that are not running."""
    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x")
    with TestClient(create_app(settings)) as client:
        conversation = client.post("/api/conversations").json()["id"]
        r = client.post(f"/api/conversations/{conversation}/messages", json={"text": "Bonjour"})
        assert r.status_code == 200
        assert "0 800 222 100" in r.json()["messages"][0]["text"]
        assert client.get("/healthz").status_code == 503
        assert client.get(f"/api/conversations/{conversation}").status_code == 503


def test_a_refused_method_lists_every_method_of_the_address(gateway, conversation):
    r = gateway.request("OPTIONS", f"/api/conversations/{conversation}")
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "DELETE"}


@pytest.mark.parametrize("body", ["null", "[]", "3"])
def test_a_new_conversation_body_is_an_object_or_nothing(gateway, body):
    r = gateway.post("/api/conversations", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and "objet JSON" in r.json()["detail"]
    assert gateway.post("/api/conversations").status_code == 201
