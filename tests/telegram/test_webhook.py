"""The gateway's Telegram channel in-process (FastAPI TestClient): webhook mode and its secret
token, Rasa down, and the channel off."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.run import free_port
from bot.settings import Settings
from knowledge.directory import load_reseaux
from tests.telegram.fake_bot_api import FakeBotApi

WEBHOOK_TOKEN = "7000002:fake-token-webhook"
POLLING_TOKEN = "7000003:fake-token-rasa-down"
SECRET = "secret-token_for-the-tests"
HOOK_URL = "https://assistant.example.org/telegram/webhook"


def wait_running(client: TestClient, timeout: float = 30.0) -> None:
    handle = client.app.state.telegram
    deadline = time.monotonic() + timeout
    while not handle.application.running:
        assert time.monotonic() < deadline, "the Telegram channel did not start"
        time.sleep(0.02)


@pytest.mark.stack
def test_webhook_checks_the_secret_token_then_feeds_the_dialogue(stack, bot_api: FakeBotApi, tmp_path, chat_id):
    s = stack.settings
    settings = Settings(data_dir=tmp_path, rasa_url=s.rasa_url, actions_url=s.actions_url,
                        rasa_token=s.rasa_token, tracker_db_url=s.tracker_db_url,
                        gateway_db_url=s.gateway_db_url,  # gateways sharing trackers share the register
                        knowledge_db_url=s.knowledge_db_url, telegram_token=WEBHOOK_TOKEN,
                        telegram_base_url=bot_api.base_url, telegram_mode="webhook",
                        telegram_webhook_url=HOOK_URL, telegram_webhook_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        wait_running(client)
        [hook] = bot_api.calls_of("setWebhook", token=WEBHOOK_TOKEN)
        assert hook.params["url"] == HOOK_URL and hook.params["secret_token"] == SECRET
        assert not bot_api.calls_of("getUpdates", token=WEBHOOK_TOKEN)  # no polling in webhook mode

        update = bot_api.update(chat_id, text="Bonjour")
        mark = bot_api.mark()
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}):
            refused = client.post("/telegram/webhook", json=update, headers=headers)
            assert refused.status_code == 403
            assert "Jeton secret" in refused.json()["detail"]
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        for body in (b"{pas du json", b"[1, 2]", b'{"message": "x"}', b'"Bonjour"'):
            bad = client.post("/telegram/webhook", content=body,
                              headers={**good, "content-type": "application/json"})
            assert bad.status_code == 400 and bad.json()["detail"]
        assert bot_api.messages(chat_id, mark, token=WEBHOOK_TOKEN) == []  # none reached the bot

        assert client.post("/telegram/webhook", json=update, headers=good).status_code == 200
        reply = bot_api.wait_for_message(chat_id, mark, lambda c: True, token=WEBHOOK_TOKEN)
        assert "assistant automatique" in reply.text


def test_rasa_down_gives_the_polite_fallback(bot_api: FakeBotApi, tmp_path, chat_id):
    """Polling, pointed at a Rasa and action server that are not running."""
    settings = Settings(data_dir=tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}",
                        actions_url=f"http://127.0.0.1:{free_port()}", rasa_token="x",
                        telegram_token=POLLING_TOKEN, telegram_base_url=bot_api.base_url,
                        telegram_mode="polling")
    etoile = load_reseaux()["etoile-info"].reseau
    with TestClient(create_app(settings)) as client:
        wait_running(client)
        mark = bot_api.mark()
        bot_api.message(chat_id, token=POLLING_TOKEN, text="Bonjour")
        reply = bot_api.wait_for_message(chat_id, mark, lambda c: True, token=POLLING_TOKEN)
        assert etoile.telephone in reply.text and etoile.site_web in reply.text
        assert "indisponible" in reply.text
        # The webhook route answers only in webhook mode.
        assert client.post("/telegram/webhook", json={}).status_code == 404


@pytest.mark.parametrize("telegram", [
    {},  # no token: the channel is off
    {"telegram_token": WEBHOOK_TOKEN, "telegram_mode": "webhook", "telegram_webhook_url": HOOK_URL},  # no secret
    {"telegram_token": WEBHOOK_TOKEN, "telegram_mode": "hook"},
])
def test_channel_off_or_misconfigured_stays_off(bot_api: FakeBotApi, tmp_path, telegram):
    settings = Settings(data_dir=tmp_path, telegram_base_url=bot_api.base_url,
                        **{"telegram_token": None, "telegram_webhook_secret": None, **telegram})
    mark = bot_api.mark()
    with TestClient(create_app(settings)) as client:
        assert client.app.state.telegram is None
        r = client.post("/telegram/webhook", json={}, headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
        assert r.status_code == 404 and r.json()["detail"]
    assert bot_api.mark() == mark  # Telegram was never called
