"""Fixtures of the Telegram tests: the fake Bot API server, and a second gateway process whose
real python-telegram-bot client polls it, sharing the session stack's Rasa and action server."""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

import pytest

from bot.gateway.store import TelegramChatStore
from bot.gateway.telegram.channel import chat_key
from bot.run import Stack, free_port
from bot.settings import ROOT
from tests.telegram.fake_bot_api import DEFAULT_TOKEN, FakeBotApi

_chat_ids = itertools.count(910_001)


@pytest.fixture(scope="module")
def bot_api():
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def chat_id() -> int:
    """A new private chat (the person's user id is the same number)."""
    return next(_chat_ids)


@dataclass
class TelegramGateway:
    process: subprocess.Popen
    url: str
    chats: TelegramChatStore

    def conversation(self, chat_id: int) -> str | None:
        """The conversation the gateway maps this chat to (looked up the way it stores it)."""
        return self.chats.conversation(chat_key(DEFAULT_TOKEN, chat_id))


@pytest.fixture(scope="module")
def telegram_gateway(stack: Stack, bot_api: FakeBotApi, tmp_path_factory) -> TelegramGateway:
    """`uvicorn bot.app:create_app` with TELEGRAM_TOKEN set, polling the fake server."""
    port = free_port()
    env = {**stack.environment(), "SPRO_GATEWAY_PORT": str(port), "TELEGRAM_TOKEN": DEFAULT_TOKEN,
           "TELEGRAM_BASE_URL": bot_api.base_url, "TELEGRAM_MODE": "polling"}
    log_path = tmp_path_factory.mktemp("telegram") / "gateway.log"
    mark = bot_api.mark()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--ws", "wsproto"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # Polling has started once the client asks for updates; a dead process fails at once.
        bot_api.wait_for(lambda calls: process.poll() is not None or any(
            c.method == "getUpdates" for c in calls[mark:]), timeout=120, what="polling to start")
        assert process.poll() is None, f"the gateway exited:\n{log_path.read_text()[-3000:]}"
        yield TelegramGateway(process, f"http://127.0.0.1:{port}", TelegramChatStore(stack.settings.gateway_db_url))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
