"""The JSON API's shapes (pydantic models at the edge, as its OpenAPI page shows them), its error,
and the check of a message that every channel posting text or a button shares."""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, Field, StrictStr

from bot.gateway.payload import BadPayload, clean_payload
from bot.settings import Settings

NOT_FOUND = "Conversation inconnue ou expirée. Commencez une nouvelle conversation."


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


def validated(body: Any, settings: Settings) -> tuple[str | None, str | None]:
    """(text, None) or (None, payload) from a body with ``text`` and ``payload``; ApiError
    otherwise (both or neither, a bad button, an empty, unreadable or too long text)."""
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
