"""The JSON API's HTTP routes (a fixed contract, see its OpenAPI page), health, and the pages
the gateway serves (the demo host page and the API's documentation)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.gateway.client import ConversationClient, RasaUnavailable, UnknownConversation
from bot.gateway.deps import app_settings, get_client
from bot.gateway.schemas import (
    NOT_FOUND,
    ApiError,
    ConversationView,
    Created,
    MessageIn,
    NewConversation,
    Turn,
    validated,
)
from bot.settings import ROOT, Settings

WEBCHAT = ROOT / "webchat"
STATIC = Path(__file__).resolve().parent / "static"

router = APIRouter()


@router.post("/api/conversations", response_model=Created, status_code=201, tags=["conversations"])
async def create_conversation(request: Request, body: Optional[NewConversation] = None,
                              client: ConversationClient = Depends(get_client)):
    """Ouvre une conversation anonyme et renvoie son identifiant opaque."""
    raw = (await request.body()).strip()
    if raw and not raw.startswith(b"{"):  # « null », « [] »: not an object (FastAPI lets them by)
        raise ApiError(422, "Le corps doit être un objet JSON, par exemple {\"channel\": \"web\"}, "
                            "ou rester vide.")
    return {"id": await client.create((body or NewConversation()).channel)}


@router.post("/api/conversations/{conversation_id}/messages", response_model=Turn,
             response_model_exclude_unset=True, tags=["conversations"])
async def post_message(conversation_id: str, body: MessageIn,
                       client: ConversationClient = Depends(get_client),
                       settings: Settings = Depends(app_settings)):
    """Envoie un message (texte libre ou bouton) et renvoie les réponses et l'état du profil."""
    text, payload = validated(body, settings)
    try:
        reply = await client.send(conversation_id, text=text, payload=payload)
    except UnknownConversation:
        raise ApiError(404, NOT_FOUND) from None
    return {"messages": reply.messages, "state": reply.state}


@router.get("/api/conversations/{conversation_id}", response_model=ConversationView,
            tags=["conversations"])
async def get_conversation(conversation_id: str, client: ConversationClient = Depends(get_client)):
    """L'état (profil, question en attente) et la transcription masquée."""
    try:
        view = await client.read(conversation_id)
    except UnknownConversation:
        raise ApiError(404, NOT_FOUND) from None
    except RasaUnavailable:
        raise ApiError(503, "Service momentanément indisponible. Réessayez dans un instant.") from None
    return {"id": conversation_id, **view}


@router.delete("/api/conversations/{conversation_id}", status_code=204, tags=["conversations"])
async def forget_conversation(conversation_id: str, client: ConversationClient = Depends(get_client)):
    """Droit à l'oubli : la conversation est effacée de tous les stockages."""
    try:
        await client.forget(conversation_id)
    except UnknownConversation:
        raise ApiError(404, NOT_FOUND) from None
    return Response(status_code=204)


@router.get("/api/liaison/{code}", tags=["fiche de liaison"])
async def get_liaison(code: str, client: ConversationClient = Depends(get_client)):
    """La fiche de liaison d'un code : profil et orientation, jamais d'identité."""
    fiche = await run_in_threadpool(client.liaisons.get, code)
    if fiche is None:
        raise ApiError(404, "Code de liaison inconnu. Vérifiez les huit caractères.")
    return fiche.to_dict()


@router.get("/healthz", tags=["exploitation"])
async def healthz(client: ConversationClient = Depends(get_client)):
    """État de chaque composant ; 200 seulement quand tous répondent."""
    parts = await client.health()
    ok = all(v == "ok" for v in parts.values())
    return JSONResponse({"statut": "ok" if ok else "degrade", "composants": parts},
                        status_code=200 if ok else 503)


pages = APIRouter(include_in_schema=False)


@pages.get("/")
async def index():  # the demo host page: an Etoile-like page that embeds the widget
    return FileResponse(WEBCHAT / "demo.html", media_type="text/html")


@pages.get("/docs")
async def docs():  # Swagger UI served from here: FastAPI's default page loads it from a CDN
    return FileResponse(STATIC / "docs.html", media_type="text/html")
