"""The téléconseiller console: pages and JSON API under /console (one router), all behind sign-in.

A call is a conversation on the channel "console": what the caller says is typed in, goes
through the same conversation client (masking, Rasa, knowledge base), and the console shows the
profile, the next question phrased for the phone, and the recommendation. The console also
retrieves a fiche de liaison by its code, prints it, and takes over web conversations queued by
the widget's "Parler à un conseiller".
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, StrictStr
from starlette.concurrency import run_in_threadpool

from bot.console.accounts import AccountLocked, Accounts, Agent, LoginRefused
from bot.console.fiche import render_html, render_pdf
from bot.console.pages import render
from bot.gateway.client import ConversationClient, UnknownConversation
from bot.gateway.deps import app_settings, client_address, get_client
from bot.gateway.limits import RateLimiter, TooManyMessages
from bot.gateway.schemas import validated
from bot.settings import Settings
from knowledge import BESOINS, Fiche, get_kb, libelles

STATIC = Path(__file__).resolve().parent / "static"
COOKIE, LOGIN_CSRF = "spro_console", "spro_console_csrf"
SIGN_INS_PER_MINUTE_PER_ADDRESS = 20  # a shared office address: several people signing in at once
SIGN_INS_PER_MINUTE_PER_LOGIN = 10  # above the lock-out (MAX_FAILURES), which counts for known logins
PUBLIC_STATIC = {"console.css"}  # the sign-in page's look; everything else needs a session

MOTIFS = {**{b: libelles()["besoin"][b] for b in BESOINS},
          "information": "une simple demande d'information", "autre": "autre motif"}


class Unauthorized(Exception):
    pass


class ConsoleError(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail


class CallMessage(BaseModel):
    text: Optional[StrictStr] = None
    payload: Optional[StrictStr] = None


class AgentMessage(BaseModel):
    texte: StrictStr = Field(..., min_length=1, max_length=2000)


class Motif(BaseModel):
    motif: StrictStr


def _page(name: str, **values: str) -> HTMLResponse:
    """A page of templates/ (Jinja2, autoescaped), never cached: it carries a CSRF token."""
    return HTMLResponse(render(name, **values), headers={"Cache-Control": "no-store"})


def get_accounts(request: Request) -> Accounts:
    """The téléconseillers' accounts, opened by the composition root (``bot.app``)."""
    return request.app.state.accounts


def agent_of(request: Request, accounts: Accounts = Depends(get_accounts)) -> Agent:
    """The signed-in téléconseiller; a change (not a GET) must also carry the session's CSRF token."""
    agent = accounts.agent(request.cookies.get(COOKIE))
    if agent is None:
        raise Unauthorized()
    if request.method != "GET" and not secrets.compare_digest(
            request.headers.get("x-csrf-token", ""), agent.csrf):
        raise ConsoleError(403, "Jeton de sécurité manquant ou périmé. Rechargez la page.")
    return agent


async def _unauthorized(request: Request, exc: Unauthorized):
    if request.url.path.startswith("/console/api/") or request.method != "GET":
        return JSONResponse({"detail": "Connectez-vous pour utiliser la console."}, status_code=401)
    return RedirectResponse("/console/connexion", status_code=303)


async def _console_error(request: Request, exc: ConsoleError):
    return JSONResponse({"detail": exc.detail}, status_code=exc.status)


EXCEPTION_HANDLERS = {Unauthorized: _unauthorized, ConsoleError: _console_error}


def sign_in_limits() -> tuple[RateLimiter, RateLimiter]:
    """Sign-in attempts are counted before any password is hashed: per client address and per
    login, known or not, so a flood costs a refusal, not 128 MiB of scrypt each."""
    return RateLimiter(SIGN_INS_PER_MINUTE_PER_ADDRESS), RateLimiter(SIGN_INS_PER_MINUTE_PER_LOGIN)


router = APIRouter(prefix="/console", include_in_schema=False)


# --- signing in and out ---
def login_page(message: str = "", status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    page = _page("connexion.html", csrf=token, message=message)
    page.status_code = status
    page.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/console")
    return page


@router.get("/connexion")
async def sign_in_page():
    return login_page()


@router.post("/connexion")
async def sign_in(request: Request, accounts: Accounts = Depends(get_accounts)):
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    if not secrets.compare_digest(form.get("csrf", ""), request.cookies.get(LOGIN_CSRF, "-")):
        return login_page("La page a expiré : saisissez à nouveau vos identifiants.", 403)
    attempts_per_address, attempts_per_login = request.app.state.sign_in_limits
    try:
        attempts_per_address.take(client_address(request))
        attempts_per_login.take(form.get("identifiant", "")[:64].lower())
    except TooManyMessages:
        return login_page("Trop de tentatives de connexion en peu de temps. Patientez une minute, "
                          "puis réessayez.", 429)
    try:
        token, _ = await run_in_threadpool(accounts.sign_in, form.get("identifiant", ""),
                                           form.get("mot_de_passe", ""))
    except LoginRefused:
        return login_page("Identifiant ou mot de passe incorrect.", 401)
    except AccountLocked as exc:
        return login_page("Trop d'essais infructueux : ce compte est verrouillé pendant "
                          f"{exc.minutes} minutes.", 429)
    response = RedirectResponse("/console", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https", max_age=9 * 3600)
    response.delete_cookie(LOGIN_CSRF, path="/console")
    return response


@router.post("/deconnexion")
async def sign_out(request: Request, agent: Agent = Depends(agent_of),
                   accounts: Accounts = Depends(get_accounts)):
    await run_in_threadpool(accounts.sign_out, request.cookies.get(COOKIE))
    response = RedirectResponse("/console/connexion", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# --- pages ---
@router.get("")
async def console_page(agent: Agent = Depends(agent_of)):
    return _page("console.html", csrf=agent.csrf, login=agent.login)


@router.get("/static/{name}")
async def static(name: str, request: Request, accounts: Accounts = Depends(get_accounts)):
    if name not in PUBLIC_STATIC:
        agent_of(request, accounts)
    path = STATIC / name
    if "/" in name or not path.is_file() or name.endswith(".html"):
        raise ConsoleError(404, "Fichier introuvable.")
    return FileResponse(path)


async def fiche_of(code: str, client: ConversationClient) -> dict[str, Any]:
    fiche = await run_in_threadpool(client.liaisons.get, code)
    if fiche is None:
        raise ConsoleError(404, "Code de liaison inconnu. Vérifiez les huit caractères.")
    return presented(fiche)


@router.get("/fiche/{code}")
async def fiche_page(code: str, motif: str = "", agent: Agent = Depends(agent_of),
                     client: ConversationClient = Depends(get_client)):
    page = render_html(await fiche_of(code, client), MOTIFS.get(motif),
                       script="/console/static/imprimer.js")
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/fiche/{code}/pdf")
async def fiche_pdf(code: str, motif: str = "", agent: Agent = Depends(agent_of),
                    client: ConversationClient = Depends(get_client)):
    fiche = await fiche_of(code, client)
    pdf = await run_in_threadpool(render_pdf, fiche, MOTIFS.get(motif))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="fiche-liaison-{fiche["code_liaison"]}.pdf"',
        "Cache-Control": "no-store"})


# --- a call ---
@router.post("/api/appels", status_code=201)
async def new_call(agent: Agent = Depends(agent_of), client: ConversationClient = Depends(get_client)):
    return {"id": await client.create("console")}


@router.post("/api/appels/{call}/messages")
async def call_message(call: str, body: CallMessage, agent: Agent = Depends(agent_of),
                       client: ConversationClient = Depends(get_client),
                       settings: Settings = Depends(app_settings)):
    text, payload = validated(body, settings)  # as the public API checks a message
    try:
        reply = await client.send(call, text=text, payload=payload)
    except UnknownConversation:
        raise ConsoleError(404, "Appel introuvable : commencez un nouvel appel.") from None
    except TooManyMessages as exc:
        raise ConsoleError(429, str(exc)) from None
    return call_view(reply.messages, reply.state)


@router.post("/api/appels/{call}/motif", status_code=204)
async def call_motif(call: str, body: Motif, agent: Agent = Depends(agent_of),
                     client: ConversationClient = Depends(get_client)):
    """The motif goes with the satisfaction answers, in the knowledge base's indicator tables."""
    if body.motif not in MOTIFS:
        raise ConsoleError(422, "Motif inconnu.")
    await run_in_threadpool(client.liaisons.record_motif, body.motif)
    return Response(status_code=204)


@router.get("/api/valeurs")
async def values(agent: Agent = Depends(agent_of)):
    """The choices of the profile editor and of the call's motif."""
    words = libelles()
    closed = {slot: [{"code": code, "libelle": label} for code, label in words[slot].items()]
              for slot in ("statut", "contrat", "besoin", "secteur")}
    yes_no = [{"code": "oui", "libelle": "oui"}, {"code": "non", "libelle": "non"}]
    return {"profil": {**closed, "handicap": yes_no, "cadre": yes_no},
            "motifs": [{"code": k, "libelle": v} for k, v in MOTIFS.items()]}


@router.get("/api/liaison/{code}")
async def liaison(code: str, agent: Agent = Depends(agent_of),
                  client: ConversationClient = Depends(get_client)):
    fiche = await fiche_of(code, client)
    return {**fiche, **call_view([], {"profil": fiche["orientation"].get("profil", {}),
                                      "requested_slot": None}, fiche["orientation"])}


# --- web conversations handed over by the widget ---
@router.get("/api/file")
async def queue(agent: Agent = Depends(agent_of), client: ConversationClient = Depends(get_client)):
    return await run_in_threadpool(client.relay.queue)


async def relay_say(client: ConversationClient, call: str, de: str, texte: str) -> dict[str, Any]:
    message = await run_in_threadpool(client.relay.add, call, de, texte)
    client.relay.publish(call, message)
    return message


@router.post("/api/file/{call}/prendre")
async def take(call: str, agent: Agent = Depends(agent_of),
               client: ConversationClient = Depends(get_client)):
    if not await run_in_threadpool(client.relay.take, call, agent.login):
        raise ConsoleError(409, "Cette conversation n'est plus en attente.")
    await relay_say(client, call, "systeme", "Un conseiller d'Etoile Info a rejoint la conversation.")
    try:
        view = await client.read(call)
    except Exception:  # Rasa down: the live chat still works
        view = {"state": {"profil": {}, "requested_slot": None}, "transcript": []}
    return {"id": call, **view, **call_view([], view["state"])}


@router.get("/api/file/{call}/messages")
async def relay_messages(call: str, apres: int = 0, agent: Agent = Depends(agent_of),
                         client: ConversationClient = Depends(get_client)):
    if await run_in_threadpool(client.relay.state, call) is None:
        raise ConsoleError(410, "La conversation est terminée ou la personne l'a effacée.")
    return await run_in_threadpool(client.relay.messages, call, apres)


@router.post("/api/file/{call}/messages")
async def relay_write(call: str, body: AgentMessage, agent: Agent = Depends(agent_of),
                      client: ConversationClient = Depends(get_client)):
    state = await run_in_threadpool(client.relay.state, call)
    if state is None or state != ("en_cours", agent.login):
        raise ConsoleError(409, "Prenez d'abord cette conversation.")
    return await relay_say(client, call, "conseiller", body.texte.strip())


@router.post("/api/file/{call}/fin", status_code=204)
async def relay_end(call: str, agent: Agent = Depends(agent_of), retour: bool = True,
                    client: ConversationClient = Depends(get_client)):
    await relay_say(client, call, "systeme",
                    "Le conseiller vous redonne la parole avec l'assistant automatique : "
                    "vous pouvez continuer ici." if retour else
                    "Le conseiller a terminé l'échange. Merci, et bonne continuation !")
    await run_in_threadpool(client.relay.end, call)
    return Response(status_code=204)


def presented(fiche: Fiche) -> dict[str, Any]:
    """A stored fiche with its orientation's presentation (knowledge's ``presentation``, as in
    the orientation payload): the store keeps the contract's fields, the words are today's."""
    data = fiche.to_dict()
    data["orientation"] = {**data["orientation"], **get_kb().presentation(data["orientation"])}
    return data


def call_view(messages: list[dict[str, Any]], state: dict[str, Any],
              orientation: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the console shows after a turn: profile, next question, answers, recommendation."""
    buttons: list[dict[str, str]] = []
    for message in messages:
        custom = message.get("custom") or {}
        if custom.get("type") == "orientation":
            orientation = custom["orientation"]
        buttons = message.get("buttons") or buttons
    slot = state.get("requested_slot")
    profil = state.get("profil") or {}
    besoin = (orientation or {}).get("profil", {}).get("besoin") or profil.get("besoin")
    kb = get_kb()
    return {
        "messages": messages,
        "state": state,
        "question": {"slot": slot, "texte": libelles()["questions_conseiller"].get(slot, "")} if slot else None,
        "boutons": buttons if slot else [],
        "orientation": orientation,
        "fiches": kb.cards_to_read({**profil, "besoin": besoin}),
        "libelles": {**{k: libelles().get(k, {}).get(v) for k, v in profil.items()
                        if isinstance(v, (str, bool))},
                     **({"commune": kb.communes.get(profil["commune"]).nom}
                        if profil.get("commune") and kb.communes.get(profil["commune"]) else {})},
    }
