"""No way around the gateway: Rasa's channel and the action server refuse callers without the
secret, and the secret is not on any command line."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.passerelle import HEADER, WEBHOOK

pytestmark = pytest.mark.stack

FORGED_ACTION = {"next_action": "action_orienter", "sender_id": "quelqu-un", "version": "3.6.0",
                 "tracker": {"sender_id": "quelqu-un", "slots": {"statut": "decrocheur", "age": 19,
                                                                 "besoin": "apprentissage",
                                                                 "metier": "<b>html</b>", "commune": "45234"},
                             "latest_message": {}, "events": [], "paused": False,
                             "followup_action": None, "active_loop": {},
                             "latest_action_name": "action_listen"},
                 "domain": {}}


@pytest.mark.parametrize("headers", [{}, {HEADER: "pas-le-secret"}])
def test_rasa_refuses_a_message_without_the_gateways_secret(stack, headers):
    message = {"sender": "quelqu-un", "message": "/deny"}
    r = httpx.post(f"{stack.settings.rasa_url}{WEBHOOK}", json=message, headers=headers, timeout=30)
    assert r.status_code == 401
    # and Rasa's stock REST channel is not open at all
    assert httpx.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook", json=message, timeout=30).status_code == 404


@pytest.mark.parametrize("headers", [{}, {HEADER: "pas-le-secret"}])
def test_the_action_server_refuses_a_forged_action_call(stack, headers):
    r = httpx.post(f"{stack.settings.actions_url}/webhook", json=FORGED_ACTION, headers=headers, timeout=30)
    assert r.status_code == 401
    assert httpx.get(f"{stack.settings.actions_url}/health", timeout=5).status_code == 200


def test_the_secret_is_on_no_command_line(stack):
    for name, process in stack.procs.items():
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode()
        assert stack.settings.rasa_token not in cmdline, name
