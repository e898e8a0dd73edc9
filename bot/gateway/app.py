"""The gateway's HTTP application: JSON API (product.md §4b), health, and the chat page."""
from __future__ import annotations

import logging
import re
from contextlib import asynccontextmanager
from typing import Any, Optional

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, StrictStr
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.gateway.client import (ConversationClient, RasaUnavailable, UnknownConversation,
                                fallback_text)
from bot.settings import ROOT, Settings, get_settings

log = logging.getLogger("spro.gateway")
WEBCHAT = ROOT / "webchat"
# A button's payload: "/intent" optionally followed by a JSON object of entities.
PAYLOAD = re.compile(r"^/[a-z_]{1,64}(\{.{0,400}\})?$", re.S)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")


class ApiError(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail


class NewConversation(BaseModel):
    channel: str = Field("web", regex=r"^(web|telegram|console)$")


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
    custom: Optional[dict[str, Any]] = None
    image: Optional[str] = None


class State(BaseModel):
    requested_slot: Optional[str] = None
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.client = ConversationClient(settings)
        yield
        await app.state.client.close()

    app = FastAPI(
        title="Assistant première porte — SPRO Centre-Val de Loire",
        description="API de conversation commune à tous les canaux (site Etoile, Telegram, console).",
        version="0.1.0", lifespan=lifespan,
    )

    def client(request: Request) -> ConversationClient:
        return request.app.state.client

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or "corps" for e in exc.errors())
        return JSONResponse({"detail": f"Requête invalide ({fields}). Envoyez un objet JSON "
                                       "comme {\"text\": \"Bonjour\"}."}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        messages = {404: "Adresse introuvable.", 405: "Méthode non autorisée pour cette adresse."}
        return JSONResponse({"detail": messages.get(exc.status_code, str(exc.detail))},
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # never a bare 500 page
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"detail": fallback_text()}, status_code=503)

    @app.middleware("http")
    async def _limits_and_headers(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_body_bytes:
            return JSONResponse({"detail": "Requête trop volumineuse."}, status_code=413)
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
            if not PAYLOAD.match(body.payload):
                raise ApiError(422, "Bouton inconnu.")
            return None, body.payload
        text = body.text.strip()
        if not text:
            raise ApiError(422, "Votre message est vide. Écrivez quelques mots sur votre situation.")
        if len(text) > settings.max_message_chars:
            raise ApiError(413, f"Votre message est trop long ({settings.max_message_chars} "
                                "caractères au maximum). Pouvez-vous le raccourcir ?")
        return text, None

    not_found = "Conversation inconnue ou expirée. Commencez une nouvelle conversation."

    @app.post("/api/conversations", response_model=Created, status_code=201, tags=["conversations"])
    async def create_conversation(request: Request, body: Optional[NewConversation] = None):
        """Ouvre une conversation anonyme et renvoie son identifiant opaque."""
        return {"id": await client(request).create((body or NewConversation()).channel)}

    @app.post("/api/conversations/{conversation_id}/messages", response_model=Turn,
              response_model_exclude_unset=True, tags=["conversations"])
    async def post_message(conversation_id: str, body: MessageIn, request: Request):
        """Envoie un message (texte libre ou bouton) et renvoie les réponses et l'état du profil."""
        text, payload = validated(body)
        try:
            reply = await client(request).send(conversation_id, text=text, payload=payload)
        except UnknownConversation:
            raise ApiError(404, not_found) from None
        return {"messages": reply.messages, "state": reply.state}

    @app.get("/api/conversations/{conversation_id}", response_model=ConversationView,
             tags=["conversations"])
    async def get_conversation(conversation_id: str, request: Request):
        """L'état (profil, question en attente) et la transcription masquée."""
        try:
            view = await client(request).read(conversation_id)
        except UnknownConversation:
            raise ApiError(404, not_found) from None
        except RasaUnavailable:
            raise ApiError(503, "Service momentanément indisponible. Réessayez dans un instant.") from None
        return {"id": conversation_id, **view}

    @app.delete("/api/conversations/{conversation_id}", status_code=204, tags=["conversations"])
    async def forget_conversation(conversation_id: str, request: Request):
        """Droit à l'oubli : la conversation est effacée de tous les stockages."""
        try:
            await client(request).forget(conversation_id)
        except UnknownConversation:
            raise ApiError(404, not_found) from None
        return Response(status_code=204)

    @app.get("/api/liaison/{code}", tags=["fiche de liaison"])
    async def get_liaison(code: str, request: Request):
        """La fiche de liaison d'un code : profil et orientation, jamais d'identité."""
        fiche = await run_in_threadpool(client(request).liaisons.get, code)
        if fiche is None:
            raise ApiError(404, "Code de liaison inconnu. Vérifiez les six caractères.")
        return fiche.to_dict()

    @app.get("/healthz", tags=["exploitation"])
    async def healthz(request: Request):
        """État de chaque composant ; 200 seulement quand tous répondent."""
        parts = await client(request).health()
        ok = all(v == "ok" for v in parts.values())
        return JSONResponse({"statut": "ok" if ok else "degrade", "composants": parts},
                            status_code=200 if ok else 503)

    @app.get("/", include_in_schema=False)
    async def index():
        return FileResponse(WEBCHAT / "index.html", media_type="text/html")

    app.mount("/webchat", StaticFiles(directory=WEBCHAT), name="webchat")
    return app
