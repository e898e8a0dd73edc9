"""The recommendation: the knowledge base's decision and its presentation (knowledge/resume.py) as
the orientation payload, with the same words as the bot's text."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.profil import inconnus_from, profil_from
from knowledge import LiaisonStore, get_kb, lignes_portes

CONTRACT = ("reseaux", "operateur_cep", "lieux", "raisons", "profil")  # design/product.md §4


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


def texte_orientation(orientation: Dict[str, Any]) -> str:
    """The payload as one plain text (the transcript, and clients that ignore `custom`)."""
    textes = orientation["textes"]
    lines = ([textes["resume"]] if textes["resume"] else []) + lignes_portes(textes)
    lines.append(f"{textes['pourquoi']} : " + " ".join(r["texte"] for r in orientation["raisons"]))
    if orientation["lieux"]:
        lines.append(f"{textes['lieux']} : " + " ; ".join(decrire_lieu(lieu) for lieu in orientation["lieux"]) + ".")
    lines.append(f"{textes['code']} : {orientation['code_liaison']}. {textes['suite']}")
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
        kb = get_kb()
        result = kb.route(profil_from(tracker), inconnus=inconnus_from(tracker))
        if not result["reseaux"]:  # outside the SPRO: say so, never pretend to route
            dispatcher.utter_message(response="utter_hors_champ")
            nommer_lieu_hors_champ(dispatcher, result["lieux"])
            return [SlotSet("code_liaison", None)]
        orientation = {k: result[k] for k in CONTRACT}
        code = liaisons().save(orientation, canal=canal(tracker), conversation=tracker.sender_id)
        orientation = {**orientation, "code_liaison": code, **kb.presentation(orientation)}
        dispatcher.utter_message(text=texte_orientation(orientation),
                                 json_message={"type": "orientation", "orientation": orientation})
        return [SlotSet("code_liaison", code)]
