"""The gateway's WebSocket and limits, on the real Rasa and action server.

The gateway runs in-process (Starlette's TestClient) with the session stack's settings, so each
test can set its own limits and allowed origins; the browser tests use the stack's own gateway.
"""
from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot.app import create_app

pytestmark = pytest.mark.stack


@pytest.fixture
def app_with(stack):
    """app_with(rate_per_conversation=3, ...) -> a TestClient on the real Rasa."""
    clients = []

    def make(**overrides) -> TestClient:
        client = TestClient(create_app(stack.settings.copy(update=overrides)))
        clients.append(client.__enter__())
        return clients[-1]

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def new_conversation(client: TestClient) -> str:
    return client.post("/api/conversations").json()["id"]


def ws_url(conversation: str) -> str:
    return f"/api/conversations/{conversation}/ws"


def test_a_message_gets_typing_then_the_reply_and_state(app_with):
    client = app_with()
    with client.websocket_connect(ws_url(new_conversation(client))) as ws:
        ws.send_json({"type": "message", "id": "m1", "text": "j'ai 24 ans"})
        assert ws.receive_json() == {"type": "typing", "re": "m1"}
        reply = ws.receive_json()
        assert reply["type"] == "reply" and reply["re"] == "m1"
        assert reply["state"]["profil"]["age"] == 24
        assert reply["messages"] and all(m.get("text") or m.get("custom") for m in reply["messages"])


@pytest.mark.parametrize("frame, status", [
    ("pas du json", 400), ("[1, 2]", 400), ('{"type": "inconnu"}', 400),
    ('{"type": "message", "text": "sans identifiant"}', 422),
    ('{"type": "message", "id": "m", "text": 42}', 422),
    ('{"type": "message", "id": "m", "text": "a", "payload": "/greet"}', 422),
    ('{"type": "message", "id": "m", "payload": "<script>"}', 422),
    ('{"type": "message", "id": "m", "text": "   "}', 422),
    ('{"type": "message", "id": "m", "text": "' + "x" * 3000 + '"}', 413),
    ('"' + "x" * 20_000 + '"', 413),
])
def test_malformed_frames_get_an_error_and_the_connection_goes_on(app_with, stack, frame, status):
    client = app_with()
    conversation = new_conversation(client)
    with client.websocket_connect(ws_url(conversation)) as ws:
        ws.send_text(frame)
        error = ws.receive_json()
        assert error["type"] == "error" and error["status"] == status and error["detail"]
        ws.send_bytes(b"\x00\xff")
        assert ws.receive_json()["status"] == 400
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
        ws.send_json({"type": "message", "id": "ok", "text": "bonjour"})
        assert ws.receive_json()["type"] == "typing"
        assert "assistant automatique" in ws.receive_json()["messages"][0]["text"]


def test_unknown_conversation_closes_with_4404(app_with):
    client = app_with()
    with client.websocket_connect(ws_url("pas-une-conversation")) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4404


def test_origins_same_host_and_allowed_sites_only(app_with):
    client = app_with(allowed_origins=["https://www.etoile.example"])
    conversation = new_conversation(client)
    for origin in ("http://testserver", "https://www.etoile.example"):
        with client.websocket_connect(ws_url(conversation), headers={"origin": origin}) as ws:
            ws.send_json({"type": "ping"})
            assert ws.receive_json() == {"type": "pong"}
    with client.websocket_connect(ws_url(conversation), headers={"origin": "https://pirate.example"}) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403
    preflight = client.options("/api/conversations", headers={
        "origin": "https://www.etoile.example", "access-control-request-method": "POST"})
    assert preflight.headers["access-control-allow-origin"] == "https://www.etoile.example"
    refused = client.options("/api/conversations", headers={
        "origin": "https://pirate.example", "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in refused.headers


def test_the_same_message_id_is_answered_once(app_with, stack):
    client = app_with()
    conversation = new_conversation(client)
    frame = {"type": "message", "id": "deux-fois", "text": "je cherche un apprentissage"}
    with client.websocket_connect(ws_url(conversation)) as ws:
        ws.send_json(frame)
        ws.receive_json()
        first = ws.receive_json()
    with client.websocket_connect(ws_url(conversation)) as ws:  # reconnected, sent again
        ws.send_json(frame)
        ws.receive_json()
        again = ws.receive_json()
    assert again == first
    with sqlite3.connect(stack.settings.data_dir / "tracker.db") as db:
        said = db.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (conversation,)).fetchone()[0]
    assert said == 1


def test_rate_limit_per_conversation_is_a_friendly_429(app_with):
    client = app_with(rate_per_conversation=3)
    conversation = new_conversation(client)
    with client.websocket_connect(ws_url(conversation)) as ws:
        for i in range(3):
            ws.send_json({"type": "message", "id": f"m{i}", "text": "bonjour"})
            ws.receive_json()
            assert ws.receive_json()["type"] == "reply"
        ws.send_json({"type": "message", "id": "trop", "text": "bonjour"})
        assert ws.receive_json()["type"] == "typing"
        error = ws.receive_json()
    assert error["status"] == 429 and "Patientez" in error["detail"]
    r = client.post(f"/api/conversations/{conversation}/messages", json={"text": "bonjour"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "conversation est conservée" in r.json()["detail"]
    other = new_conversation(client)  # another conversation is not slowed down
    assert client.post(f"/api/conversations/{other}/messages", json={"text": "bonjour"}).status_code == 200


def test_rate_limit_per_client_address(app_with):
    client = app_with(rate_per_address=4)
    codes = [client.post("/api/conversations").status_code for _ in range(6)]
    assert codes == [201] * 4 + [429] * 2
    assert client.get("/healthz").status_code in (200, 503)  # reading is not limited


SECRETS = {"courriel": "jeanne.martin@exemple.fr", "telephone": "06 12 34 56 78",
           "nir": "2 85 05 78 006 084 36", "iban": "FR76 3000 6000 0112 3456 7890 189",
           "nom": "Kevin Durandeau"}


def test_personal_data_reaches_neither_the_tracker_nor_any_log(stack, app_with, caplog):
    client = app_with()
    conversation = new_conversation(client)
    with client.websocket_connect(ws_url(conversation)) as ws:
        for kind, secret in SECRETS.items():
            text = f"je m'appelle {secret}" if kind == "nom" else f"voici mon {kind} : {secret}"
            ws.send_json({"type": "message", "id": kind, "text": text})
            ws.receive_json()
            reply = ws.receive_json()
            if kind == "courriel":  # the person is told once
                assert "masqué" in reply["messages"][0]["text"]
            else:
                assert all("masqué des informations" not in m.get("text", "") for m in reply["messages"])
    with sqlite3.connect(stack.settings.data_dir / "tracker.db") as db:
        stored = " ".join(r[0] for r in db.execute("SELECT data FROM events WHERE sender_id = ?",
                                                    (conversation,)))
    logs = caplog.text + " ".join(p.read_text(errors="replace")
                                  for p in (stack.settings.data_dir / "logs").glob("*.log"))
    assert "[courriel masqu" in stored  # JSON-escaped accents
    for secret in SECRETS.values():
        assert secret not in stored and secret not in logs
