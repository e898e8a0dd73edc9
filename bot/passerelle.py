"""The secret that ties the three processes together, without importing Rasa (the gateway is light).

The launcher's `SPRO_RASA_TOKEN` is sent in the header `X-Spro-Passerelle`: by the gateway to
Rasa's only input channel (bot/rasa_channel.py), and by Rasa to the action server
(bot/actions_server.py). A local process without it can neither speak as someone nor run an action.
"""
from __future__ import annotations

import hmac
from typing import Mapping

HEADER = "X-Spro-Passerelle"
SECRET_ENV = "SPRO_RASA_TOKEN"
CHANNEL = "bot.rasa_channel.PasserelleInput"  # credentials.yml's key: the class Rasa loads
WEBHOOK = "/webhooks/passerelle/webhook"


def secret_matches(headers: Mapping[str, str], secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(headers.get(HEADER, ""), secret)
