"""What wraps every request of the gateway: body and rate limits, security headers, CORS, the
JSON errors (never a bare 500 page), and logs that keep no conversation id."""
from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from bot.gateway.client import fallback_text
from bot.gateway.deps import client_address
from bot.gateway.limits import TOO_LARGE, BodyLimit, TooManyMessages
from bot.gateway.schemas import ApiError
from bot.settings import Settings

log = logging.getLogger("spro.gateway")
_CONVERSATION_PATH = re.compile(r"(/api/conversations/)[^/?\s\"]+")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
       "form-action 'self'")


def without_conversation_ids(text: str) -> str:
    """A path as logs may keep it: a conversation id outlives forget-me in a log file."""
    return _CONVERSATION_PATH.sub(r"\1…", text)


class NoConversationIds(logging.Filter):
    """Uvicorn logs every WebSocket's path ("WebSocket /api/conversations/ID/ws" [accepted])."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(without_conversation_ids(a) if isinstance(a, str) else a for a in record.args)
        return True


NO_CONVERSATION_IDS = NoConversationIds()


def allowed_methods(app: FastAPI, scope: dict) -> list[str]:
    """The methods the routes at `scope`'s path accept (a path may have one route per method)."""
    methods: set[str] = set()
    for route in app.router.routes:
        if route.matches(scope)[0] != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _api_error(request: Request, exc: ApiError):
    return JSONResponse({"detail": exc.detail}, status_code=exc.status)


async def _too_many(request: Request, exc: TooManyMessages):
    return JSONResponse({"detail": str(exc)}, status_code=429,
                        headers={"Retry-After": str(exc.retry_after)})


async def _invalid(request: Request, exc: RequestValidationError):
    fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "corps" for e in exc.errors())
    return JSONResponse({"detail": f"Requête invalide ({fields}). Envoyez un objet JSON "
                                   "comme {\"text\": \"Bonjour\"}."}, status_code=422)


async def _http(request: Request, exc: StarletteHTTPException):
    messages = {404: "Adresse introuvable.", 405: "Méthode non autorisée pour cette adresse."}
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:  # every method of every route at this address, not the first's
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
    return JSONResponse({"detail": messages.get(exc.status_code, str(exc.detail))},
                        status_code=exc.status_code, headers=headers)


async def _unexpected(request: Request, exc: Exception):  # never a bare 500 page
    log.exception("unexpected error on %s", without_conversation_ids(request.url.path))
    return JSONResponse({"detail": fallback_text()}, status_code=503)


EXCEPTION_HANDLERS = {ApiError: _api_error, TooManyMessages: _too_many,
                      RequestValidationError: _invalid, StarletteHTTPException: _http,
                      Exception: _unexpected}


async def _limits_and_headers(request: Request, call_next):
    state = request.app.state
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > state.settings.max_body_bytes:
        return JSONResponse({"detail": TOO_LARGE}, status_code=413)
    limiter = (state.per_address if request.method == "POST" and request.url.path.startswith("/api/")
               else state.liaison_lookups if request.url.path.startswith("/api/liaison/") else None)
    if limiter is not None:
        try:
            limiter.take(client_address(request))
        except TooManyMessages as exc:
            return await _too_many(request, exc)
    response: Response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the gateway's middleware and error handlers to `app` (its state holds the settings and
    the per-address limiters: see ``bot.app``)."""
    logging.getLogger("uvicorn.error").addFilter(NO_CONVERSATION_IDS)  # once: filters are a set
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # chunked bodies too
    if settings.allowed_origins:  # embedding sites on other origins (the widget's fetch calls)
        app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Content-Type"],
                           max_age=600)
    for exception, handler in EXCEPTION_HANDLERS.items():
        app.add_exception_handler(exception, handler)
    app.middleware("http")(_limits_and_headers)
