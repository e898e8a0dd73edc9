"""The gateway's HTTP application: JSON API (a fixed contract, see its OpenAPI page), health, and
the chat page."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, StrictStr
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from swagger_ui_bundle import swagger_ui_path

from bot.console import app as console
from bot.gateway import telegram
from bot.gateway.client import ConversationClient, RasaUnavailable, UnknownConversation, fallback_text
from bot.gateway.limits import TOO_LARGE, BodyLimit, RateLimiter, TooManyMessages
from bot.gateway.payload import BadPayload, clean_payload
from bot.settings import ROOT, Settings, get_settings

log = logging.getLogger("spro.gateway")
_CONVERSATION_PATH = re.compile(r"(/api/conversations/)[^/?\s\"]+")


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
WEBCHAT = ROOT / "webchat"
STATIC = Path(__file__).resolve().parent / "static"
# A button's payload: "/intent" optionally followed by a JSON object of entities.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
       "form-action 'self'")
NOT_FOUND = "Conversation inconnue ou expirée. Commencez une nouvelle conversation."
# WebSocket close codes (4000–4999 are the application's): the widget reacts to each.
WS_UNKNOWN, WS_FORBIDDEN = 4404, 4403


class ApiError(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail


class NewConversation(BaseModel):
    # Only the web: Telegram's and the console's conversations are opened by those channels inside
    # the gateway, so nobody can pose as the console from outside.
    channel: str = Field("web", regex=r"^web$")


class Created(BaseModel):
    id: str


class MessageIn(BaseModel):
    text: Optional[StrictStr] = Field(None, description="Ce que la personne a écrit.")
    payload: Optional[StrictStr] = Field(None, description="Le payload d'un bouton, par ex. /affirm.")


class Button(BaseModel):
    title: str
    payload: str


class MessageOut(BaseModel):
    text: Optional[str] = None
    buttons: Optional[list[Button]] = None
    custom: Optional[dict[str, Any]] = Field(None, description=(
        "Selon « type » : « orientation » (la recommandation : champs du contrat, plus « annuaire », "
        "« autres_portes », « cep_a_part », « contact » et « textes », les phrases à afficher telles "
        "quelles), « fiche » (une fiche d'information), « oubli » (la conversation est effacée), "
        "« conseiller » (la personne a demandé à parler à quelqu'un)."))
    image: Optional[str] = None


class Error(BaseModel):
    detail: str = Field(..., description="Une phrase pour la personne, en français.")


ERRORS = {status: {"model": Error, "description": text} for status, text in (
    (400, "Requête mal formée."), (404, "Conversation ou code inconnu."),
    (413, "Message ou requête trop long."), (422, "Requête invalide."),
    (429, "Trop de requêtes en peu de temps (en-tête Retry-After)."))}


class State(BaseModel):
    requested_slot: Optional[str] = Field(None, nullable=True)
    profil: dict[str, Any] = {}


class Turn(BaseModel):
    messages: list[MessageOut]
    state: State


class TranscriptLine(BaseModel):
    de: str
    texte: str


class ConversationView(BaseModel):
    id: str
    state: State
    transcript: list[TranscriptLine]


def allowed_methods(app: FastAPI, scope: dict) -> list[str]:
    """The methods the routes at `scope`'s path accept (a path may have one route per method)."""
    methods: set[str] = set()
    for route in app.router.routes:
        if route.matches(scope)[0] != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logging.getLogger("uvicorn.error").addFilter(NO_CONVERSATION_IDS)  # once: filters are a set

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.client = ConversationClient(settings)
        app.state.telegram = await telegram.start(settings, app.state.client)
        await app.state.client.purge_logged()
        purging = asyncio.create_task(app.state.client.purge_forever())
        yield
        purging.cancel()
        await telegram.stop(app.state.telegram)
        await app.state.client.close()

    app = FastAPI(
        title="Assistant première porte — SPRO Centre-Val de Loire",
        description="API de conversation commune à tous les canaux (site Etoile, Telegram, console).",
        version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, responses=ERRORS,
    )

    # Pydantic v1 writes OpenAPI 3.0 schemas, and the bundled Swagger UI (4.15) reads up to 3.0.
    app.openapi_version = "3.0.3"

    def client(request: Request) -> ConversationClient:
        return request.app.state.client

    per_address = RateLimiter(settings.rate_per_address)
    liaison_lookups = RateLimiter(settings.rate_liaison_per_address)

    def client_address(request: Request | WebSocket) -> str:
        # Behind a reverse proxy, run uvicorn with --proxy-headers so this is the person's address.
        return request.client.host if request.client else "inconnue"

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # chunked bodies too
    if settings.allowed_origins:  # embedding sites on other origins (the widget's fetch calls)
        app.add_middleware(CORSMiddleware, allow_origins=settings.allowed_origins,
                           allow_methods=["GET", "POST", "DELETE"], allow_headers=["Content-Type"],
                           max_age=600)

    def origin_allowed(websocket: WebSocket) -> bool:
        """Browsers send Origin on WebSockets, which CORS does not cover: same host or allowed."""
        origin = websocket.headers.get("origin")
        if origin is None:  # not a browser
            return True
        return (urlsplit(origin).netloc == websocket.headers.get("host")
                or origin in settings.allowed_origins)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(TooManyMessages)
    async def _too_many(request: Request, exc: TooManyMessages):
        return JSONResponse({"detail": str(exc)}, status_code=429,
                            headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "corps" for e in exc.errors())
        return JSONResponse({"detail": f"Requête invalide ({fields}). Envoyez un objet JSON "
                                       "comme {\"text\": \"Bonjour\"}."}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: "Adresse introuvable.", 405: "Méthode non autorisée pour cette adresse."}
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of every route at this address, not the first's
            headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
        return JSONResponse({"detail": messages.get(exc.status_code, str(exc.detail))},
                            status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # never a bare 500 page
        log.exception("unexpected error on %s", without_conversation_ids(request.url.path))
        return JSONResponse({"detail": fallback_text()}, status_code=503)

    @app.middleware("http")
    async def _limits_and_headers(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return JSONResponse({"detail": TOO_LARGE}, status_code=413)
        limiter = (per_address if request.method == "POST" and request.url.path.startswith("/api/")
                   else liaison_lookups if request.url.path.startswith("/api/liaison/") else None)
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

    def validated(body: MessageIn) -> tuple[str | None, str | None]:
        if (body.text is None) == (body.payload is None):
            raise ApiError(422, "Envoyez soit un texte (« text »), soit un bouton (« payload »).")
        if body.payload is not None:
            try:
                return None, clean_payload(body.payload)
            except BadPayload as exc:
                raise ApiError(422, str(exc)) from None
        text = body.text.strip()
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\ud800") that JSON allows and UTF-8 does not
            raise ApiError(422, "Votre message contient des caractères illisibles. Pouvez-vous le réécrire ?") from None
        if not text:
            raise ApiError(422, "Votre message est vide. Écrivez quelques mots sur votre situation.")
        if len(text) > settings.max_message_chars:
            raise ApiError(413, f"Votre message est trop long ({settings.max_message_chars} "
                                "caractères au maximum). Pouvez-vous le raccourcir ?")
        return text, None

    @app.post("/api/conversations", response_model=Created, status_code=201, tags=["conversations"])
    async def create_conversation(request: Request, body: Optional[NewConversation] = None):
        """Ouvre une conversation anonyme et renvoie son identifiant opaque."""
        raw = (await request.body()).strip()
        if raw and not raw.startswith(b"{"):  # « null », « [] »: not an object (FastAPI lets them by)
            raise ApiError(422, "Le corps doit être un objet JSON, par exemple {\"channel\": \"web\"}, "
                                "ou rester vide.")
        return {"id": await client(request).create((body or NewConversation()).channel)}

    @app.post("/api/conversations/{conversation_id}/messages", response_model=Turn,
              response_model_exclude_unset=True, tags=["conversations"])
    async def post_message(conversation_id: str, body: MessageIn, request: Request):
        """Envoie un message (texte libre ou bouton) et renvoie les réponses et l'état du profil."""
        text, payload = validated(body)
        try:
            reply = await client(request).send(conversation_id, text=text, payload=payload)
        except UnknownConversation:
            raise ApiError(404, NOT_FOUND) from None
        return {"messages": reply.messages, "state": reply.state}

    @app.get("/api/conversations/{conversation_id}", response_model=ConversationView,
             tags=["conversations"])
    async def get_conversation(conversation_id: str, request: Request):
        """L'état (profil, question en attente) et la transcription masquée."""
        try:
            view = await client(request).read(conversation_id)
        except UnknownConversation:
            raise ApiError(404, NOT_FOUND) from None
        except RasaUnavailable:
            raise ApiError(503, "Service momentanément indisponible. Réessayez dans un instant.") from None
        return {"id": conversation_id, **view}

    @app.delete("/api/conversations/{conversation_id}", status_code=204, tags=["conversations"])
    async def forget_conversation(conversation_id: str, request: Request):
        """Droit à l'oubli : la conversation est effacée de tous les stockages."""
        try:
            await client(request).forget(conversation_id)
        except UnknownConversation:
            raise ApiError(404, NOT_FOUND) from None
        return Response(status_code=204)

    @app.websocket("/api/conversations/{conversation_id}/ws")
    async def conversation_socket(websocket: WebSocket, conversation_id: str):
        """The widget's live connection. Frames are JSON objects:
        in  {"type": "message", "id": "...", "text": "..."} or {..., "payload": "/intent"};
        out {"type": "typing", "re": id}, {"type": "reply", "re": id, "messages", "state"},
            {"type": "error", "re": id, "status": 4xx, "detail": "..."}.
        The same message id sent again (after a reconnection) gets the same reply, once."""
        # Accepted before any refusal: a close code is only seen by a browser on an open socket.
        await websocket.accept()
        if not origin_allowed(websocket):
            await websocket.close(code=WS_FORBIDDEN)
            return
        conversations = websocket.app.state.client
        if await run_in_threadpool(conversations.store.channel, conversation_id) is None:
            await websocket.close(code=WS_UNKNOWN)
            return
        relay = conversations.relay
        pushed = relay.subscribe(conversation_id)
        forwarder = asyncio.create_task(_forward_relay(websocket, pushed))
        try:
            # What a téléconseiller said while the person was disconnected (?apres=last id seen).
            after = websocket.query_params.get("apres", "0")
            missed = await run_in_threadpool(relay.messages, conversation_id,
                                             int(after) if after.isdigit() else 0)
            if [m for m in missed if m["de"] != "personne"]:
                await websocket.send_json({"type": "relais", "messages": [
                    m for m in missed if m["de"] != "personne"]})
            while True:
                raw = await websocket.receive()
                if raw["type"] == "websocket.disconnect" or not await _one_frame(
                        websocket, conversations, conversation_id, raw):
                    return
        except WebSocketDisconnect:
            return
        finally:
            relay.unsubscribe(conversation_id, pushed)
            forwarder.cancel()

    async def _forward_relay(websocket: WebSocket, pushed: asyncio.Queue) -> None:
        """A téléconseiller's messages, pushed to the person as they are written."""
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                await websocket.send_json({"type": "relais", "messages": [await pushed.get()]})

    async def _one_frame(websocket: WebSocket, conversations: ConversationClient,
                         conversation_id: str, raw: dict) -> bool:
        """Answers one frame; False when the connection was closed."""
        frame: Any = None
        data = raw.get("text")
        if data is not None and len(data.encode()) <= settings.max_body_bytes:
            try:
                frame = json.loads(data)
            except ValueError:
                pass
        elif data is not None:
            await websocket.send_json({"type": "error", "status": 413,
                                       "detail": "Message trop volumineux."})
            return True
        if not isinstance(frame, dict) or frame.get("type") not in ("message", "ping"):
            await websocket.send_json({"type": "error", "status": 400,
                                       "detail": "Message illisible : la conversation continue."})
            return True
        if frame["type"] == "ping":
            await websocket.send_json({"type": "pong"})
            return True
        message_id = frame.get("id")
        if not isinstance(message_id, str) or not 0 < len(message_id) <= 64:
            await websocket.send_json({"type": "error", "status": 422,
                                       "detail": "Identifiant de message manquant."})
            return True

        async def error(status: int, detail: str) -> None:
            await websocket.send_json({"type": "error", "re": message_id, "status": status,
                                       "detail": detail})

        try:
            text, payload = validated(MessageIn(text=frame.get("text"), payload=frame.get("payload")))
            per_address.take(client_address(websocket))
            await websocket.send_json({"type": "typing", "re": message_id})
            reply = await conversations.send(conversation_id, text=text, payload=payload,
                                             message_id=message_id)
        except ValueError:  # pydantic: text or payload is not a string
            await error(422, "Envoyez soit un texte (« text »), soit un bouton (« payload »).")
        except ApiError as exc:
            await error(exc.status, exc.detail)
        except TooManyMessages as exc:
            await error(429, str(exc))
        except UnknownConversation:  # forgotten meanwhile (another tab, the API)
            await error(404, NOT_FOUND)
            await websocket.close(code=WS_UNKNOWN)
            return False
        else:
            await websocket.send_json({"type": "reply", "re": message_id,
                                       "messages": reply.messages, "state": reply.state})
        return True

    @app.get("/api/liaison/{code}", tags=["fiche de liaison"])
    async def get_liaison(code: str, request: Request):
        """La fiche de liaison d'un code : profil et orientation, jamais d'identité."""
        fiche = await run_in_threadpool(client(request).liaisons.get, code)
        if fiche is None:
            raise ApiError(404, "Code de liaison inconnu. Vérifiez les huit caractères.")
        return fiche.to_dict()

    @app.get("/healthz", tags=["exploitation"])
    async def healthz(request: Request):
        """État de chaque composant ; 200 seulement quand tous répondent."""
        parts = await client(request).health()
        ok = all(v == "ok" for v in parts.values())
        return JSONResponse({"statut": "ok" if ok else "degrade", "composants": parts},
                            status_code=200 if ok else 503)

    @app.get("/", include_in_schema=False)
    async def index():  # the demo host page: an Etoile-like page that embeds the widget
        return FileResponse(WEBCHAT / "demo.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    async def docs():  # Swagger UI served from here: FastAPI's default page loads it from a CDN
        return FileResponse(STATIC / "docs.html", media_type="text/html")

    app.mount("/docs/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")
    app.mount("/docs/static", StaticFiles(directory=STATIC), name="docs")
    # Documented only where it answers: with Telegram in webhook mode.
    app.include_router(telegram.router, include_in_schema=bool(settings.telegram_token)
                       and settings.telegram_mode == "webhook")
    console.install(app, settings, client, validated)
    app.mount("/webchat", StaticFiles(directory=WEBCHAT), name="webchat")
    return app
