"""The recommendation: the knowledge base's decision, worded for the person, with its payload."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.profil import inconnus_from, profil_from
from knowledge import get_kb
from knowledge.liaison import LiaisonStore
from knowledge.resume import lignes_portes, phrase, resume_profil


@lru_cache(maxsize=1)
def liaisons() -> LiaisonStore:
    return LiaisonStore()


def canal(tracker: Tracker) -> str:
    return (tracker.latest_message.get("metadata") or {}).get("canal", "web")


def decrire_lieu(lieu: Dict[str, Any]) -> str:
    details = [lieu.get("adresse"), lieu.get("commune")]
    text = lieu["nom"] + "".join(f", {d}" for d in details if d)
    if lieu.get("telephone"):
        text += f", tél. {lieu['telephone']}"
    if lieu.get("horaires"):
        text += f", horaires : {lieu['horaires']}"
    if lieu.get("site_web"):
        text += f", {lieu['site_web']}"
    return text


def texte_orientation(result: Dict[str, Any], code: str, etoile_telephone: str | None) -> str:
    kb = get_kb()
    commune = kb.communes.get(result["profil"]["commune"]) if result["profil"].get("commune") else None
    lines = []
    understood = phrase(resume_profil(result["profil"], commune.nom if commune else None))
    if understood:
        lines.append(f"Si je résume : {understood}.")
    lines += lignes_portes(result)
    lines.append("Pourquoi : " + " ".join(r["texte"] for r in result["raisons"]))
    if result["lieux"]:
        lines.append("Où vous adresser : " + " ; ".join(decrire_lieu(lieu) for lieu in result["lieux"]) + ".")
    etoile = f"Etoile Info ({etoile_telephone})" if etoile_telephone else "Etoile Info"
    lines.append(f"Votre code de liaison : {code}. Donnez-le à la structure ou à {etoile} : "
                 "vous n'aurez pas à tout réexpliquer.")
    return "\n".join(lines)


def nommer_lieu_hors_champ(dispatcher: CollectingDispatcher, lieux: List[Dict[str, Any]]) -> None:
    """The nearest place for a request outside the SPRO (a France services), when one with an
    address is known: the commune was given."""
    nearest = next((lieu for lieu in lieux if lieu.get("adresse")), None)
    if nearest:
        dispatcher.utter_message(response="utter_lieu_hors_champ", lieu=decrire_lieu(nearest))


class ActionHorsSujet(Action):
    """A request outside orientation, training and work: said kindly, the orientation offered
    (`utter_out_of_scope`), and the nearest France services when the commune is known
    (« je cherche un logement à Vierzon »)."""

    def name(self) -> Text:
        return "action_hors_sujet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_out_of_scope")
        commune = tracker.get_slot("commune")
        if commune:
            nommer_lieu_hors_champ(dispatcher, get_kb().route({"besoin": "hors_champ", "commune": commune})["lieux"])
        return []


class ActionOrienter(Action):
    def name(self) -> Text:
        return "action_orienter"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        result = get_kb().route(profil_from(tracker), inconnus=inconnus_from(tracker))
        if not result["reseaux"]:  # outside the SPRO: say so, never pretend to route
            dispatcher.utter_message(response="utter_hors_champ")
            nommer_lieu_hors_champ(dispatcher, result["lieux"])
            return [SlotSet("code_liaison", None)]
        orientation = {k: result[k] for k in ("reseaux", "operateur_cep", "lieux", "raisons", "profil")}
        code = liaisons().save(orientation, canal=canal(tracker), conversation=tracker.sender_id)
        orientation["code_liaison"] = code
        dispatcher.utter_message(text=texte_orientation(result, code, tracker.get_slot("etoile_telephone")),
                                 json_message={"type": "orientation", "orientation": orientation})
        return [SlotSet("code_liaison", code)]
