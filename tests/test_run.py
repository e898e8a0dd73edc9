"""`make run`'s launcher: one command starts the three processes, Ctrl-C stops them all."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from bot.run import Stack, loopback_settings, rasa_endpoints
from bot.settings import ROOT, Settings
from knowledge.db import URL_ENV, default_url


def test_endpoints_follow_the_settings_urls(tmp_path):
    sqlite = rasa_endpoints(Settings(data_dir=tmp_path))
    assert sqlite["tracker_store"] == {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    assert "lock_store" not in sqlite
    pg = rasa_endpoints(Settings(tracker_db_url="postgresql://spro:secret@127.0.0.1:5433/suivi",
                                 redis_url="redis://127.0.0.1:6380/2", actions_url="http://127.0.0.1:6055"))
    assert pg["tracker_store"] == {"type": "SQL", "dialect": "postgresql", "host": "127.0.0.1", "port": 5433,
                                   "db": "suivi", "username": "spro", "password": "secret"}
    assert pg["lock_store"] == {"type": "redis", "url": "127.0.0.1", "port": 6380, "password": None, "db": 2}
    # the secret by name: Rasa reads ${SPRO_RASA_TOKEN} from its environment, the file never holds it
    assert pg["action_endpoint"] == {"url": "http://127.0.0.1:6055/webhook",
                                     "headers": {"X-Spro-Passerelle": "${SPRO_RASA_TOKEN}"}}


def test_one_name_for_the_knowledge_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ailleurs.db'}"
    monkeypatch.setenv(URL_ENV, url)
    monkeypatch.setenv("KNOWLEDGE_DB_URL", "sqlite:///plus-lu.db")  # the former name: no longer read
    # the gateway's settings and the knowledge base read the same variable
    assert Settings(data_dir=tmp_path).knowledge_db_url == default_url() == url
    # a private stack keeps its own knowledge base, whatever the calling process points at,
    # and hands that one to its children under the same name
    stack = Stack(loopback_settings(tmp_path / "pile"))
    assert stack.settings.knowledge_db_url == f"sqlite:///{tmp_path / 'pile' / 'knowledge.db'}"
    assert stack.environment()[URL_ENV] == stack.settings.knowledge_db_url


def test_the_knowledge_database_defaults_to_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(URL_ENV)
    monkeypatch.setenv("KNOWLEDGE_DB_URL", "sqlite:///plus-lu.db")
    monkeypatch.setenv("SPRO_DATA_DIR", str(tmp_path))
    assert default_url() == Settings().knowledge_db_url == f"sqlite:///{tmp_path / 'knowledge.db'}"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.stack
def test_launcher_prints_urls_and_ctrl_c_stops_everything(tmp_path, free_port):
    ports = {"gateway": free_port(), "rasa": free_port(), "actions": free_port()}
    env = {k: v for k, v in os.environ.items() if k != URL_ENV}  # its knowledge base: in its data dir
    env.update(SPRO_DATA_DIR=str(tmp_path), SPRO_GATEWAY_PORT=str(ports["gateway"]),
               SPRO_RASA_URL=f"http://127.0.0.1:{ports['rasa']}",
               SPRO_ACTIONS_URL=f"http://127.0.0.1:{ports['actions']}")
    proc = subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[str] = []
    # Drain the pipe all along: the children share it, and a full pipe would block their shutdown.
    reader = threading.Thread(target=lambda: output.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while not any(line.startswith("Ctrl-C") for line in output) and proc.poll() is None:
            assert time.monotonic() < deadline, "".join(output)[-3000:]
            time.sleep(0.2)
        printed = "".join(output)
        assert f"http://127.0.0.1:{ports['gateway']}/" in printed, printed[-3000:]
        assert all(_listening(p) for p in ports.values())
        proc.send_signal(signal.SIGINT)
        assert proc.wait(90) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(10)
    assert "Tous les processus sont arrêtés." in "".join(output)
    assert not any(_listening(p) for p in ports.values())
