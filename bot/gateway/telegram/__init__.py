"""The Telegram channel (python-telegram-bot) hosted by the gateway: start, stop, and the webhook.

Off without `TELEGRAM_TOKEN`. Polling by default; with `TELEGRAM_MODE=webhook` Telegram posts
updates to `POST /telegram/webhook` (set with `TELEGRAM_WEBHOOK_URL`), which checks the
`X-Telegram-Bot-Api-Secret-Token` header against `TELEGRAM_WEBHOOK_SECRET`. `TELEGRAM_BASE_URL`
points the client at another Bot API server (a local one, or the tests' fake).
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Optional

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, Defaults

from bot.gateway.client import ConversationClient
from bot.gateway.telegram import render
from bot.gateway.telegram.channel import TelegramChannel
from bot.settings import Settings

log = logging.getLogger("spro.telegram")

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
CONCURRENT_UPDATES = 32
# Telegram's rule for the secret token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
RETRY_MAX_S = 60.0

router = APIRouter()


@dataclass
class Handle:
    application: Application
    mode: str
    webhook_secret: Optional[str]
    task: Optional[asyncio.Task] = None


def _misconfigured(settings: Settings) -> Optional[str]:
    if settings.telegram_mode not in ("polling", "webhook"):
        return "TELEGRAM_MODE must be 'polling' or 'webhook'"
    if settings.telegram_mode == "webhook":
        if not (settings.telegram_webhook_url or "").startswith("https://"):
            return "webhook mode needs TELEGRAM_WEBHOOK_URL (https://…/telegram/webhook)"
        if not SECRET_TOKEN.match(settings.telegram_webhook_secret or ""):
            return "webhook mode needs TELEGRAM_WEBHOOK_SECRET (1-256 characters A-Z a-z 0-9 _ -)"
    return None


def build_application(settings: Settings, client: ConversationClient) -> Application:
    builder = (Application.builder().token(settings.telegram_token)
               .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
               .concurrent_updates(CONCURRENT_UPDATES).job_queue(None))
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_mode == "webhook":
        builder = builder.updater(None)  # updates come through the gateway's route instead
    application = builder.build()
    TelegramChannel(settings, client).install(application)
    return application


async def _connect(handle: Handle, settings: Settings) -> None:
    """Introduces the bot to Telegram and starts receiving updates, retrying while Telegram
    cannot be reached so that the rest of the gateway never waits for it."""
    application, delay = handle.application, 1.0
    while True:
        try:
            await application.initialize()  # getMe; does nothing once done
            await application.bot.set_my_commands([BotCommand(c, d) for c, d in render.COMMANDS])
            if handle.mode == "webhook":
                await application.bot.set_webhook(settings.telegram_webhook_url,
                                                  secret_token=handle.webhook_secret,
                                                  allowed_updates=ALLOWED_UPDATES)
            if not application.running:
                await application.start()
            if handle.mode == "polling":
                await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("Telegram channel on (%s)", handle.mode)
            return
        except InvalidToken:
            log.error("Telegram refused TELEGRAM_TOKEN: the Telegram channel stays off")
            return
        except TelegramError as exc:
            log.warning("Telegram not reachable (%s: %s); retrying in %.0f s",
                        type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)


async def start(settings: Settings, client: ConversationClient) -> Optional[Handle]:
    """Starts the channel when a token is configured; returns a handle for stop() (or None)."""
    if not settings.telegram_token:
        log.info("Telegram channel off: no TELEGRAM_TOKEN")
        return None
    problem = _misconfigured(settings)
    if problem:
        log.error("Telegram channel off: %s", problem)
        return None
    # httpx logs every request URL at INFO level, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    handle = Handle(build_application(settings, client), settings.telegram_mode,
                    settings.telegram_webhook_secret)
    handle.task = asyncio.create_task(_connect(handle, settings))
    return handle


async def stop(handle: Optional[Handle]) -> None:
    if handle is None:
        return
    if handle.task is not None and not handle.task.done():
        handle.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await handle.task
    application = handle.application
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def running_channel(request: Request) -> Optional[Handle]:
    """The channel started by the app's lifespan (None when Telegram is off)."""
    return getattr(request.app.state, "telegram", None)


@router.post("/telegram/webhook", tags=["telegram"])
async def webhook(request: Request, handle: Optional[Handle] = Depends(running_channel)):
    """Reçoit les mises à jour de Telegram (mode webhook), authentifiées par le jeton secret."""
    if handle is None or handle.mode != "webhook":
        return _error(404, "Adresse introuvable.")
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), handle.webhook_secret.encode()):
        return _error(403, "Jeton secret Telegram absent ou incorrect.")
    if not handle.application.running:
        return _error(503, "Le canal Telegram démarre. Réessayez dans un instant.")
    try:
        data = json.loads(await request.body())
        update = Update.de_json(data, handle.application.bot) if isinstance(data, dict) else None
    except Exception:  # whatever is malformed in it, it is the sender's error, not ours
        update = None
    if update is None:
        return _error(400, "Mise à jour Telegram illisible : un objet JSON Update est attendu.")
    await handle.application.update_queue.put(update)
    return {"ok": True}
