"""Forget-me really forgets: a turn in flight cannot write the tracker back after the deletion,
the fiches de liaison go too, and trackers no conversation owns are swept."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import httpx
import pytest

from bench.persona import converse
from bot.gateway.client import ConversationClient
from bot.passerelle import HEADER, WEBHOOK

pytestmark = pytest.mark.stack

EVENTS = "SELECT count(*) FROM events WHERE sender_id = ?"


def tracker_events(stack, conversation: str) -> int:
    with sqlite3.connect(stack.settings.data_dir / "tracker.db") as db:
        return db.execute(EVENTS, (conversation,)).fetchone()[0]


def test_forget_me_while_a_message_is_in_flight_leaves_nothing(stack, gateway):
    """The reproduction of the defect, 50 times: a message, then DELETE 30 ms later."""
    left, statuses = [], set()
    for _ in range(50):
        conversation = gateway.post("/api/conversations").json()["id"]
        sent: list[int] = []

        def send(conversation=conversation, sent=sent):
            with httpx.Client(base_url=stack.settings.gateway_url, timeout=30) as client:
                sent.append(client.post(f"/api/conversations/{conversation}/messages",
                                        json={"text": "j ai 19 ans"}).status_code)

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(0.03)
        assert gateway.delete(f"/api/conversations/{conversation}").status_code == 204
        thread.join()
        statuses.update(sent)
        if tracker_events(stack, conversation):
            left.append(conversation)
    assert left == []
    assert statuses <= {200, 404}  # the turn finished before the deletion, or came after it


def test_forget_me_deletes_the_fiches_de_liaison(stack, gateway):
    message, _, conversation = converse(gateway, "j'ai 19 ans je cherche un apprentissage de boulanger à Blois")
    code = message["custom"]["orientation"]["code_liaison"]
    assert gateway.get(f"/api/liaison/{code}").status_code == 200
    assert gateway.delete(f"/api/conversations/{conversation}").status_code == 204
    assert gateway.get(f"/api/liaison/{code}").status_code == 404
    with sqlite3.connect(stack.settings.data_dir / "knowledge.db") as db:
        assert db.execute("SELECT count(*) FROM fiches_liaison WHERE code = ?", (code,)).fetchone()[0] == 0


def test_trackers_no_conversation_owns_are_swept(stack, gateway, conversation):
    """A turn Rasa finished after a forget-me (or a sender that came with the secret)."""
    stray = "sans-conversation-" + conversation[:8]
    r = httpx.post(f"{stack.settings.rasa_url}{WEBHOOK}", json={"sender": stray, "message": "bonjour"},
                   headers={HEADER: stack.settings.rasa_token}, timeout=30)
    assert r.status_code == 200
    assert gateway.post(f"/api/conversations/{conversation}/messages", json={"text": "bonjour"}).status_code == 200
    assert tracker_events(stack, stray) > 0

    async def sweep(**grace) -> int:
        client = ConversationClient(stack.settings)
        try:
            return await client.sweep_trackers(**grace)
        finally:
            await client.close()

    asyncio.run(sweep())
    assert tracker_events(stack, stray) > 0  # written just now: spared by the grace
    assert asyncio.run(sweep(grace_s=0)) >= 1
    assert tracker_events(stack, stray) == 0
    assert tracker_events(stack, conversation) > 0  # a conversation the gateway owns is kept


def test_no_log_line_keeps_a_conversation_id(stack, gateway, conversation):
    """Uvicorn logs each WebSocket's path; a log file would keep the id after forget-me."""
    import websockets

    async def open_socket():
        url = stack.settings.gateway_url.replace("http", "ws") + f"/api/conversations/{conversation}/ws"
        async with websockets.connect(url) as ws:
            await ws.send('{"type": "message", "id": "1", "text": "bonjour"}')
            while (await ws.recv()).find('"reply"') < 0:
                pass

    asyncio.run(open_socket())
    assert gateway.delete(f"/api/conversations/{conversation}").status_code == 204
    logs = " ".join(p.read_text(errors="replace") for p in (stack.settings.data_dir / "logs").glob("*.log"))
    assert "WebSocket /api/conversations/" in logs  # the line is there, without the id
    assert conversation not in logs
