"""Rasa's input channel for the gateway only.

Rasa's stock REST channel answers any local process: posting `{"sender": "<someone's id>"}` would
read that person's profile back or write into their transcript. This channel is the same REST
channel (`/webhooks/passerelle/webhook`) that refuses a message without the gateway's secret
(bot/passerelle.py); it is the only channel Rasa opens (`credentials.yml` written by bot/run.py).
"""
from __future__ import annotations

import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.passerelle import SECRET_ENV, secret_matches


class PasserelleInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "passerelle"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "PasserelleInput":
        return cls()

    def __init__(self, secret: Optional[str] = None) -> None:
        self.secret = secret if secret is not None else os.environ.get(SECRET_ENV, "")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def only_the_gateway(request: Request):
            if request.path.endswith("/webhook") and not secret_matches(request.headers, self.secret):
                return response.json({"detail": "Réservé à la passerelle."}, status=401)
            return None

        return webhook
