"""The dependencies the routers of every channel take (``Depends(...)``): the settings, the
conversation client and the caller's address.

What they hand out is made once by the composition root (``bot.app``) and kept on the app's
state; a router never builds a store or reads the environment itself.
"""
from __future__ import annotations

from starlette.requests import HTTPConnection

from bot.gateway.client import ConversationClient
from bot.settings import Settings


def app_settings(connection: HTTPConnection) -> Settings:
    """The settings the app was made with (not the environment's: a test may pass its own)."""
    return connection.app.state.settings


def get_client(connection: HTTPConnection) -> ConversationClient:
    """The one conversation client, opened by the app's lifespan."""
    return connection.app.state.client


def client_address(connection: HTTPConnection) -> str:
    # Behind a reverse proxy, run uvicorn with --proxy-headers so this is the person's address.
    return connection.client.host if connection.client else "inconnue"
