"""Filling the profile (the fixed slots of knowledge/profile.py) from what the person says.

`ValidateSlotMappings` runs after every user message and turns raw entity values into slot values
(ages in words, commune names into INSEE codes, trades into sectors). `ValidateProfilForm` drives
the questions: the form asks exactly what the knowledge base lists in `manquant`, most useful
first, and accepts "je ne sais pas". Neither decides anything: `knowledge/` does.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Iterator, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction, ValidationAction
from rasa_sdk.types import DomainDict

from actions.normalise import canonical, parse_age, parse_bool
from knowledge import ENUM_SLOTS, SLOTS, ProfileError, get_kb, validate_profile

log = logging.getLogger(__name__)
NE_SAIS_PAS = "ne_sais_pas"
RQTH = "rqth"  # the info card's key, also the `sujet` entity's value
READER = "ProfilExtractor"  # the NLU component of bot/comprehension.py


def profil_from(tracker: Tracker) -> dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in SLOTS if tracker.get_slot(slot) is not None}


def inconnus_from(tracker: Tracker) -> list[str]:
    return list(tracker.get_slot("inconnus") or [])


def route(tracker: Tracker, without: Iterable[str] = ()) -> dict[str, Any]:
    """The knowledge base's decision for what the tracker knows so far (`without` some slots)."""
    profil = {slot: value for slot, value in profil_from(tracker).items() if slot not in set(without)}
    return get_kb().route(profil, inconnus=inconnus_from(tracker))


def spans(tracker: Tracker, entity: str) -> list[str]:
    """What the person wrote for an entity in the last message: the whole stretch covering all
    its pieces first (DIET may split "reprendre une formation"), then each piece, last first."""
    text = tracker.latest_message.get("text") or ""
    found = [e for e in tracker.latest_message.get("entities") or []
             if e.get("entity") == entity and "start" in e and "end" in e]
    if not found:
        return []
    pieces = [text[e["start"]:e["end"]] for e in reversed(found)]
    whole = text[min(e["start"] for e in found):max(e["end"] for e in found)]
    return [whole] + pieces if len(found) > 1 else pieces


def before_this_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the person's last message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
        elif seen_user and event.get("event") in ("restart", "reset_slots"):
            return None
    return None


def read_by_rules(tracker: Tracker, slot: str) -> bool:
    """Whether the NLU's rule reader (bot/comprehension.py) gave this slot's value this turn."""
    return any(e.get("entity") == slot and (e.get("extractor") == READER or READER in (e.get("processors") or []))
               for e in tracker.latest_message.get("entities") or [])


def preuves_events(tracker: Tracker, events: List[EventType]) -> List[EventType]:
    """Keeps, for each fact set from the person's words this turn, the words that justify it
    (slot `preuves`), so a summary or a correction can point at them."""
    text = tracker.latest_message.get("text") or ""
    if not text or text.startswith("/"):
        return []
    preuves = dict(tracker.get_slot("preuves") or {})
    changed = False
    for event in events:
        slot = event.get("name") if event.get("event") == "slot" else None
        if slot not in SLOTS or event.get("value") is None:
            continue
        words = spans(tracker, slot)
        if words:
            preuves[slot] = words[-1] if len(words) > 1 else words[0]
            changed = True
    return [SlotSet("preuves", preuves)] if changed else []


def commune_buttons(candidates) -> list[dict[str, str]]:
    return [{"title": f"{c.nom} ({c.departement})", "payload": f'/informer{{"commune": "{c.insee}"}}'}
            for c in candidates[:6]]


AMBIGUE = "utter_commune_ambigue"


def _responses(tracker: Tracker) -> Iterator[tuple[Any, bool]]:
    """(response name, whether it came before the person's last message), the latest first."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif event.get("event") == "bot":
            yield (event.get("metadata") or {}).get("utter_action"), seen_user


def said_this_turn(tracker: Tracker, response: str) -> bool:
    """Whether `response` was uttered since the person's last message."""
    return any(name == response and not before for name, before in _responses(tracker))


def said_before_this_turn(tracker: Tracker, response: str) -> bool:
    return any(name == response and before for name, before in _responses(tracker))


class ActionAskCommune(Action):
    """The commune question, unless the ambiguity's buttons were just shown: they ask it."""

    def name(self) -> Text:
        return "action_ask_commune"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        if not said_this_turn(tracker, AMBIGUE):
            dispatcher.utter_message(response="utter_ask_commune")
        return []


class ProfilValidation:
    """validate_<slot> methods shared by the global validation and the form (idempotent)."""

    def validate_age(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> Dict[Text, Any]:
        age = parse_age(value, whole_message=tracker.get_slot("requested_slot") == "age")
        if age is None:
            dispatcher.utter_message(response="utter_age_invalide")
        return {"age": age}

    def validate_commune(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[Text, Any]:
        communes = get_kb().communes
        known = communes.get(str(value))
        text = tracker.latest_message.get("text") or ""
        if known is not None and (text.startswith("/") or str(value) not in text):
            # an INSEE code: a button's value, or one this validation already gave (validating
            # it again must not read it as a postal code: Vatan is 36230, the code of Neuvy)
            return {"commune": known.insee, "departement": known.departement}
        match = communes.resolve(str(value))
        if match.resolved is not None:
            return {"commune": match.resolved.insee, "departement": match.resolved.departement}
        if len(match.communes) > 1:
            # the global validation and the form's both run: say it once
            if not said_this_turn(tracker, AMBIGUE):
                dispatcher.utter_message(response=AMBIGUE, buttons=commune_buttons(match.communes))
            return {"commune": None}
        if match.departement:  # a département, or a postal code outside the region
            return {"commune": None, "departement": match.departement}
        if tracker.get_slot("requested_slot") == "commune":
            dispatcher.utter_message(response="utter_commune_inconnue")
        return {"commune": None}

    def validate_metier(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[Text, Any]:
        metier = " ".join(str(value).split())[:100]
        if not metier:
            return {"metier": None}
        secteur = get_kb().secteur(metier)
        return {"metier": metier, "secteur": secteur} if secteur else {"metier": metier}

    def validate_contrat(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[Text, Any]:
        if not (value in ENUM_SLOTS["contrat"] and read_by_rules(tracker, "contrat")):
            value = canonical(spans(tracker, "contrat") + [str(value)], ENUM_SLOTS["contrat"])
        if value is None:
            return {"contrat": before_this_turn(tracker, "contrat")}
        result: Dict[Text, Any] = {"contrat": value}
        if tracker.get_slot("statut") is None:  # a contract given without a statut says it
            result["statut"] = validate_profile({"contrat": value})["statut"]
        return result

    def validate_departement(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        if value in ENUM_SLOTS["departement"]:
            return {"departement": value}
        return {"departement": get_kb().communes.resolve(str(value)).departement}

    def _bool(self, slot: str, value: Any) -> Dict[Text, Any]:
        # An explicit yes/no (buttons, "oui"), else an entity the NLU found ("RQTH", "bac+5",
        # "ingénieur"): it describes the person, so it means yes.
        answer = parse_bool(value)
        if answer is None and isinstance(value, str) and value.strip():
            answer = True
        return {slot: answer}

    def validate_handicap(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._bool("handicap", value)

    def validate_cadre(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._bool("cadre", value)

    def _enum(self, slot: str, value: Any, tracker: Tracker) -> Dict[Text, Any]:
        if value in ENUM_SLOTS[slot] and read_by_rules(tracker, slot):
            return {slot: value}  # the rule reader decided it from the whole phrase
        # words that are no value ("Lèves", a commune, taken for a statut) leave what was known
        found = canonical(spans(tracker, slot) + [str(value)], ENUM_SLOTS[slot])
        return {slot: found if found is not None else before_this_turn(tracker, slot)}

    def validate_statut(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._enum("statut", value, tracker)

    def validate_besoin(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._enum("besoin", value, tracker)

    def validate_secteur(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._enum("secteur", value, tracker)


class ValidateSlotMappings(ProfilValidation, ValidationAction):
    """Runs after every user message (Rasa's `action_validate_slot_mappings`)."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        return list(SLOTS)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return events + preuves_events(tracker, events)

    async def extract_handicap(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        """"J'ai une RQTH" describes the person: the NLU tags RQTH as the info-card topic, which
        is right for "c'est quoi la RQTH ?" but, in a description, means a recognised disability."""
        intent = tracker.latest_message.get("intent", {}).get("name")
        sujets = set(tracker.get_latest_entity_values("sujet"))
        said = list(tracker.get_latest_entity_values("handicap"))  # « pas de RQTH » is said explicitly
        if intent == "informer" and RQTH in sujets and tracker.get_slot("handicap") is None and not said:
            return {"handicap": True}
        return {}


class ValidateProfilForm(ProfilValidation, FormValidationAction):
    """The form's questions are the knowledge base's `manquant`, recomputed at every turn."""

    def name(self) -> Text:
        return "validate_profil_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        try:
            manquant = route(tracker)["manquant"]
        except ProfileError:
            # a bare answer extracted this turn is not validated yet ("Monts", before it becomes
            # an INSEE code): decide without it, so it is validated rather than dropped
            try:
                manquant = route(tracker, without=tracker.slots_to_validate())["manquant"]
            except ProfileError as exc:  # a value slipped through validation: ask nothing more
                log.warning("profile rejected by the knowledge base: %s", exc)
                return []
        # Only slots the form knows how to ask (the domain's list) — `departement` is asked as commune.
        asked = [slot for slot in manquant if slot in domain_slots]
        # Slots filled this turn leave `manquant` but must still be validated (and kept): rasa_sdk
        # only returns the values of slots that are in this list.
        just_set = [slot for slot in tracker.slots_to_validate() if slot in domain_slots and slot not in asked]
        return asked + just_set

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested and tracker.latest_message.get("intent", {}).get("name") == NE_SAIS_PAS:
            inconnus = sorted(set(inconnus_from(tracker)) | {requested})
            tracker.slots["inconnus"] = inconnus
            dispatcher.utter_message(response="utter_pas_de_souci")
            return [SlotSet("inconnus", inconnus)] + await super().run(dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)

    # A bare answer to the pending question, when the NLU found no entity in it.
    def _answer(self, tracker: Tracker, slot: str) -> Optional[str]:
        if tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None:
            return None
        text = (tracker.latest_message.get("text") or "").strip()
        return text if text and not text.startswith("/") else None

    async def extract_age(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        text = self._answer(tracker, "age")
        age = parse_age(text, whole_message=True) if text else None
        return {"age": age} if age is not None else {}

    async def extract_commune(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        text = self._answer(tracker, "commune")
        return {"commune": text} if text else {}

    async def extract_metier(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        text = self._answer(tracker, "metier")
        intent = tracker.latest_message.get("intent", {}).get("name")
        return {"metier": text} if text and intent in ("informer", "nlu_fallback") else {}

    def _yes_no(self, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        text = self._answer(tracker, slot)
        value = parse_bool(text) if text else None
        return {slot: value} if value is not None else {}

    async def extract_handicap(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._yes_no(tracker, "handicap")

    async def extract_cadre(self, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return self._yes_no(tracker, "cadre")
