"""Retention: idle conversations are forgotten everywhere, stale queue requests leave the queue.

In-process gateway on throw-away SQLite files; the purge runs when the gateway starts."""
from __future__ import annotations

import sqlite3
import time

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


def test_idle_conversations_and_stale_requests_are_purged_at_start(tmp_path, free_port):
    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x",
                        retention_days=30, queue_max_minutes=120)
    with TestClient(create_app(settings)) as client:
        old, fresh = (client.post("/api/conversations").json()["id"] for _ in range(2))
    gateway_db, tracker_db = tmp_path / "gateway.db", tmp_path / "tracker.db"
    with sqlite3.connect(gateway_db) as db:
        db.execute("UPDATE conversations SET last_seen = datetime('now', '-31 days') WHERE id = ?", (old,))
        db.executemany("INSERT INTO relais (conversation_id, etat, demande_at) VALUES (?, 'attente', "
                       "datetime('now', ?))", [(old, "-3 hours"), (fresh, "-3 hours"), ("recent", "-5 minutes")])
    now = time.time()
    with sqlite3.connect(tracker_db) as db:  # the table Rasa's SQL tracker store writes
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, "
                   "timestamp FLOAT, data TEXT)")
        db.executemany("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                       [(old, now - 31 * 86400), (fresh, now),
                        ("sans-conversation", now - 3600),     # no conversation owns it: swept
                        ("ouverte-ailleurs", now - 5)])       # just written: spared by the grace

    with TestClient(create_app(settings)):
        pass  # starting is enough

    with sqlite3.connect(gateway_db) as db:
        assert [r[0] for r in db.execute("SELECT id FROM conversations")] == [fresh]
        assert [r[0] for r in db.execute("SELECT conversation_id FROM relais")] == ["recent"]
    with sqlite3.connect(tracker_db) as db:
        assert [r[0] for r in db.execute("SELECT sender_id FROM events")] == [fresh, "ouverte-ailleurs"]
