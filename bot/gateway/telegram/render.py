"""What a Telegram user reads: the channel's own French texts, and the conversation client's
messages (text, quick replies, orientation result) turned into Telegram messages and keyboards.

Pure functions over the client's messages and the knowledge base; nothing here talks to
Telegram. The orientation is laid out from its payload only: its sentences come worded.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Optional, Union

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from knowledge import DEPARTEMENTS, get_kb, lignes_portes

log = logging.getLogger("spro.telegram")

TELEGRAM_LIMIT = 4096      # longest message text, in UTF-16 code units
CALLBACK_DATA_LIMIT = 64   # longest callback_data of an inline button, in bytes
WEBSITE_BUTTONS = 3

Markup = Union[InlineKeyboardMarkup, ReplyKeyboardMarkup]

# The bot's menu (setMyCommands), in the order shown.
COMMANDS = (
    ("start", "Commencer"),
    ("recommencer", "Repartir de zéro"),
    ("conseiller", "Parler à un conseiller d'Etoile Info"),
    ("oubli", "Effacer ma conversation"),
    ("confidentialite", "Vos données personnelles"),
    ("aide", "Ce que je sais faire"),
)

PRIVACY = (
    "Vos données : ce service est anonyme. Il n'a besoin ni de votre nom ni de vos coordonnées. "
    "Si vous en écrivez, je les masque avant de les enregistrer.\n"
    "Votre conversation est conservée sous un identifiant anonyme, sans votre nom ni votre "
    "numéro Telegram. Si vous partagez votre position, je garde seulement la commune la plus "
    "proche.\n"
    "Vos messages passent par Telegram, qui a ses propres règles de confidentialité.\n"
    "La commande /oubli efface votre conversation à tout moment."
)
UNSUPPORTED = ("Je sais lire seulement les messages écrits et les positions partagées. "
               "Pouvez-vous m'écrire votre question en quelques mots ?")
EDITED = ("Je ne tiens pas compte des messages modifiés. "
          "Envoyez-moi plutôt un nouveau message, je vous répondrai.")
PRIVATE_ONLY = ("Je réponds seulement en conversation privée, pour protéger vos données. "
                "Écrivez-moi directement en message privé.")
FORGOTTEN = ("C'est fait : votre conversation et tout ce que vous m'avez dit sont effacés. "
             "Vous pouvez aussi supprimer cette discussion dans Telegram. "
             "Vous pouvez recommencer quand vous voulez.")
NOTHING_TO_FORGET = ("Je n'ai aucune conversation enregistrée avec vous : il n'y a rien à effacer. "
                     "Vous pouvez aussi supprimer cette discussion dans Telegram.")
BUTTON_GONE = "Ce bouton n'est plus disponible. Écrivez-moi simplement votre réponse."
LOCATION_PROMPT = ("Vous pouvez aussi partager votre position avec le bouton ci-dessous. "
                   "Je garderai seulement la commune la plus proche.")
LOCATION_BUTTON = "📍 Partager ma position"
OUTSIDE_REGION = ("Votre position semble hors de la région Centre-Val de Loire, et ce service "
                  "couvre seulement cette région. Si vous y habitez, écrivez-moi le nom de votre "
                  "commune ou son code postal.")
RECOMMENCER = ("Recommencer", "/recommencer")


def too_long(limit: int) -> str:
    return (f"Votre message est trop long ({limit} caractères au maximum). "
            "Pouvez-vous le raccourcir ?")


def help_text() -> str:
    commands = "\n".join(f"/{name} : {description}" for name, description in COMMANDS[1:])
    return ("Décrivez-moi votre situation en quelques mots, par exemple : « j'ai 19 ans et je "
            "cherche un apprentissage en cuisine à Orléans ». Je vous pose seulement les questions "
            "utiles. Puis je vous indique la structure qui peut vous accompagner près de chez vous.\n"
            f"Vous pouvez aussi utiliser ces commandes :\n{commands}")


def unknown_command() -> str:
    return "Je ne connais pas cette commande.\n" + help_text()


def conseiller() -> tuple[str, InlineKeyboardMarkup | None]:
    """Etoile Info's contacts, from the knowledge base (it holds no opening hours: the site does)."""
    etoile = get_kb().contact
    text = (f"Vous pouvez parler à un conseiller d'Etoile Info au {etoile.telephone} "
            "(appel gratuit). Les horaires d'ouverture sont indiqués sur le site Etoile.")
    if not etoile.site_web:
        return text, None
    return text, InlineKeyboardMarkup([[InlineKeyboardButton("Site Etoile", url=etoile.site_web)]])


def near_commune(insee: str) -> str:
    commune = get_kb().communes.get(insee)
    return (f"Merci. La commune la plus proche de votre position est {commune.nom} "
            f"({DEPARTEMENTS.get(commune.departement, commune.departement)}).")


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup([[KeyboardButton(LOCATION_BUTTON, request_location=True)]],
                               resize_keyboard=True, one_time_keyboard=True,
                               input_field_placeholder="Votre commune ou son code postal")


# -- long texts ----------------------------------------------------------------------------------

def _fitting(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units, the unit Telegram counts
    in (an emoji may count for two)."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Cuts a text into messages of at most `limit` units: at a line break in the second half of
    the allowance, else between words, else anywhere."""
    chunks: list[str] = []
    text = text.strip()
    while (cut := _fitting(text, limit)) < len(text):
        window = text[:cut + 1]  # a separator just after the limit is a clean cut too
        at = window.rfind("\n")
        if at < cut // 2:  # a line break far back would leave a stub: a space will do
            at = max(at, window.rfind(" "))
        if at <= 0:
            at = max(cut, 1)
        chunks.append(text[:at].rstrip())
        text = text[at:].lstrip()
    if text:
        chunks.append(text)
    return chunks


# -- quick replies -------------------------------------------------------------------------------

def callback_data(payload: str) -> Optional[str]:
    """The payload as an inline button's callback_data, compacted if needed; None if too long."""
    if len(payload.encode()) <= CALLBACK_DATA_LIMIT:
        return payload
    intent, brace, entities = payload.partition("{")
    try:
        compact = intent + json.dumps(json.loads(brace + entities), separators=(",", ":"),
                                      ensure_ascii=False)
    except ValueError:
        return None
    return compact if len(compact.encode()) <= CALLBACK_DATA_LIMIT else None


def quick_replies(buttons: list[dict[str, str]]) -> InlineKeyboardMarkup | None:
    """The bot's buttons as an inline keyboard: short answers side by side, others one per row."""
    keys = []
    for button in buttons:
        data = callback_data(button.get("payload", ""))
        if data is None:
            log.warning("button left out: its payload does not fit Telegram's callback data")
            continue
        keys.append(InlineKeyboardButton(button.get("title") or "…", callback_data=data))
    if not keys:
        return None
    if all(len(k.text) <= 16 for k in keys) and len(keys) <= 3:
        return InlineKeyboardMarkup([keys])
    return InlineKeyboardMarkup([[k] for k in keys])


# -- the orientation result (the payload every channel renders) -----------------------------------

def _lieu(lieu: dict[str, Any]) -> list[str]:
    lines = [f"• {lieu.get('nom') or ''}"]
    where = ", ".join(p for p in (lieu.get("adresse"), lieu.get("commune")) if p)
    distance = lieu.get("distance_km")
    if distance is not None:
        away = "à moins d'1 km" if distance < 1 else f"à {round(distance)} km"
        where = f"{where} ({away})" if where else away.capitalize()
    if where:
        lines.append(f"  {where}")
    if lieu.get("telephone"):
        lines.append(f"  Tél. {lieu['telephone']}")
    if lieu.get("horaires"):
        lines.append(f"  Horaires : {lieu['horaires']}")
    if lieu.get("site_web"):
        lines.append(f"  {lieu['site_web']}")
    return lines


def format_orientation(orientation: dict[str, Any]) -> str:
    """The recommendation as a readable message: summary, structures, reasons, places, code."""
    textes = orientation["textes"]
    lines: list[str] = [textes["resume"], ""] if textes.get("resume") else []
    lines += lignes_portes(textes)
    raisons = [r.get("texte") for r in orientation.get("raisons") or [] if r.get("texte")]
    if raisons:
        lines += ["", f"{textes['pourquoi']} :"] + [f"• {texte}" for texte in raisons]
    lieux = orientation.get("lieux") or []
    if lieux:
        lines += ["", f"{textes['lieux']} :"]
        for lieu in lieux:
            lines += _lieu(lieu)
    if orientation.get("code_liaison"):
        lines += ["", f"{textes['code']} : {orientation['code_liaison']}", textes["suite"]]
    return "\n".join(lines).strip()


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"


def orientation_keyboard(orientation: dict[str, Any]) -> InlineKeyboardMarkup:
    """A button per website (the places', else the recommended networks'), then "Recommencer"."""
    sites: dict[str, str] = {}
    for lieu in orientation.get("lieux") or []:
        url = lieu.get("site_web") or ""
        if url.startswith(("https://", "http://")) and url not in sites:
            sites[url] = lieu.get("nom") or ""
    if not sites:
        annuaire = orientation.get("annuaire") or {}
        for code in orientation.get("reseaux") or []:
            reseau = annuaire.get(code) or {}
            if reseau.get("site_web"):
                sites.setdefault(reseau["site_web"], reseau["nom"])
    rows = [[InlineKeyboardButton(_short(f"Site : {nom}"), url=url)]
            for url, nom in list(sites.items())[:WEBSITE_BUTTONS]]
    rows.append([InlineKeyboardButton(RECOMMENCER[0], callback_data=RECOMMENCER[1])])
    return InlineKeyboardMarkup(rows)


def render(message: dict[str, Any]) -> tuple[str, Markup | None] | None:
    """One client message as (text, keyboard); None when there is nothing to show."""
    custom = message.get("custom") or {}
    if custom.get("type") == "orientation" and isinstance(custom.get("orientation"), dict):
        orientation = custom["orientation"]
        return format_orientation(orientation), orientation_keyboard(orientation)
    if not message.get("text"):
        return None
    return message["text"], quick_replies(message.get("buttons") or [])
