"""The composition root: the one place that assembles the gateway's app.

It makes what lives as long as the process (the settings, the conversation client and its
stores, the console's accounts, the rate limiters, the Telegram channel) and keeps it on the
app's state, where the routers' dependencies (``bot.gateway.deps``) hand it out; then it adds the
middleware and includes each channel's router: the JSON API and its WebSocket, the console,
Telegram's webhook, and the static pages. Run with ``uvicorn bot.app:create_app --factory``.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from bot.console import app as console
from bot.console.accounts import Accounts
from bot.gateway import middleware, routes, telegram, websocket
from bot.gateway.client import ConversationClient
from bot.gateway.limits import RateLimiter
from bot.gateway.schemas import ERRORS
from bot.settings import Settings, get_settings


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings: Settings = app.state.settings
    client = app.state.client = ConversationClient(settings)
    app.state.telegram = await telegram.start(settings, client)
    await client.purge_logged()
    purging = asyncio.create_task(client.purge_forever())
    yield
    purging.cancel()
    await telegram.stop(app.state.telegram)
    await client.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Assistant première porte — SPRO Centre-Val de Loire",
        description="API de conversation commune à tous les canaux (site Etoile, Telegram, console).",
        version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, responses=ERRORS,
    )
    # Pydantic v1 writes OpenAPI 3.0 schemas, and the bundled Swagger UI (4.15) reads up to 3.0.
    app.openapi_version = "3.0.3"

    app.state.settings = settings
    app.state.per_address = RateLimiter(settings.rate_per_address)
    app.state.liaison_lookups = RateLimiter(settings.rate_liaison_per_address)
    app.state.accounts = Accounts(settings.gateway_db_url)
    app.state.sign_in_limits = console.sign_in_limits()

    middleware.install(app, settings)
    for exception, handler in console.EXCEPTION_HANDLERS.items():
        app.add_exception_handler(exception, handler)

    app.include_router(routes.router)
    app.include_router(websocket.router)
    app.include_router(routes.pages)
    app.mount("/docs/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/docs/static", StaticFiles(directory=routes.STATIC), name="docs")
    # Documented only where it answers: with Telegram in webhook mode.
    app.include_router(telegram.router, include_in_schema=bool(settings.telegram_token)
                       and settings.telegram_mode == "webhook")
    app.include_router(console.router)
    app.mount("/webchat", StaticFiles(directory=routes.WEBCHAT), name="webchat")
    return app
