"""Telegram channel (issue 6): python-telegram-bot in the gateway, through the conversation client.

Placeholder interface used by app.py; the channel is off until this module implements it."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter

router = APIRouter()


async def start(settings: Any, client: Any) -> Any:
    """Start the channel when a token is configured; returns a handle for stop() (or None)."""
    return None


async def stop(handle: Any) -> None:
    return None
