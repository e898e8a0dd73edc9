"""Conversation services around the profile: info cards, misunderstandings, restart, forget-me,
satisfaction. Each is a thin adapter over `knowledge/`."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.orientation import canal, liaisons
from actions.profil import ValidateProfilForm, profil_from, said_before_this_turn
from knowledge import detresse_lexicon, get_kb

FALLBACK = "nlu_fallback"
FORM = "profil_form"


def form_active(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == FORM


def orientation_given(tracker: Tracker) -> bool:
    return any(e.get("event") == "action" and e.get("name") == "action_orienter" for e in tracker.events)


def continue_orientation(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Never a dead end: with something known of the situation, the questions start (the form
    asks the most useful one); with nothing known, the orientation is offered."""
    if profil_from(tracker):
        return [FollowupAction(FORM)]
    dispatcher.utter_message(response="utter_proposer_orientation")
    return []


class ActionAccueillir(Action):
    """A greeting. The channel's opening (the widget's and Telegram's `/greet`) gets the welcome.
    A greeting the person typed (« bonjour », « bonjour, c'est pour mon fils ») gets it once, then
    the first question: never a dead end."""

    def name(self) -> Text:
        return "action_accueillir"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        typed = not (tracker.latest_message.get("text") or "").startswith("/")
        if not (typed and said_before_this_turn(tracker, "utter_greet")):
            dispatcher.utter_message(response="utter_greet")
        if not typed or orientation_given(tracker):
            return []
        return [FollowupAction(FORM)]


class ActionHumain(Action):
    """Asked for a person: Etoile Info's number, with the payload on which the gateway hands a web
    conversation to a téléconseiller (as it forgets on `oubli`). Before any orientation, the
    assistant also offers its own help and asks its first question (« je voudrais parler à
    quelqu'un de mon projet »); during the questions, the rules resume them."""

    def name(self) -> Text:
        return "action_humain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_humain", json_message={"type": "conseiller"})
        if form_active(tracker) or orientation_given(tracker):
            return []
        dispatcher.utter_message(response="utter_en_attendant")
        return [FollowupAction(FORM)]


class ActionDetresse(Action):
    """Distress: the emergency numbers first, always. When the classifier alone read distress (no
    word of distress in the message, bot/comprehension.py) and the person described a situation,
    the questions then go on: numbers and nothing else would leave someone who came for guidance
    at a dead end. With words of distress, nothing else is said."""

    def name(self) -> Text:
        return "action_detresse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_detresse")
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/") or detresse_lexicon()(text) or not profil_from(tracker):
            return []
        return [FollowupAction(FORM)]


def fiche_buttons() -> list[dict[str, str]]:
    return [{"title": card["titre"], "payload": f'/demander_info{{"sujet": "{card["key"]}"}}'}
            for card in get_kb().info_cards() if not card.get("ancien_nom")][:8]


class ActionFicheInfo(Action):
    """Answers an info question from the knowledge base's cards; the form then resumes."""

    def name(self) -> Text:
        return "action_fiche_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        sujets = list(tracker.get_latest_entity_values("sujet"))
        card = get_kb().info_card(sujets[0]) if sujets else None
        if card is None:
            if form_active(tracker):
                dispatcher.utter_message(response="utter_sujets", buttons=fiche_buttons())
                return []
            if profil_from(tracker):  # a situation was described: ask about it, not a menu
                return continue_orientation(dispatcher, tracker)
            dispatcher.utter_message(response="utter_sujets", buttons=fiche_buttons())
            return continue_orientation(dispatcher, tracker)
        fiche = {k: card[k] for k in ("key", "titre", "texte", "lien", "date_revue")}
        dispatcher.utter_message(text=f"{card['titre']}\n{card['texte']}\nPour en savoir plus : {card['lien']}",
                                 json_message={"type": "fiche", "fiche": fiche})
        if form_active(tracker):  # the rules resume the questions
            return []
        return continue_orientation(dispatcher, tracker)


class ActionIncomprehension(Action):
    """Not understood. First tries the text as the answer to the pending question; after two
    misunderstandings in a row, offers buttons and a person to talk to."""

    def name(self) -> Text:
        return "action_incomprehension"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested:
            form = ValidateProfilForm()
            extracted = await form._extract_slot(requested, dispatcher, tracker, domain)
            if extracted.get(requested) is not None:
                validate = getattr(form, f"validate_{requested}")
                values = validate(extracted[requested], dispatcher, tracker, domain)
                if values.get(requested) is not None:
                    return [SlotSet(slot, value) for slot, value in values.items()]
        intents = [e.get("parse_data", {}).get("intent", {}).get("name")
                   for e in tracker.events if e.get("event") == "user"]
        if intents[-2:] == [FALLBACK, FALLBACK]:
            dispatcher.utter_message(response="utter_incompris_deux_fois")
            return []
        if form_active(tracker):
            dispatcher.utter_message(response="utter_default")
            return []
        # Outside the questions: rather than "reformulez", ask the most useful question.
        dispatcher.utter_message(response="utter_incompris_question")
        return [FollowupAction(FORM)]


class ActionRecommencer(Action):
    def name(self) -> Text:
        return "action_recommencer"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_recommencer")
        return [ActiveLoop(None), AllSlotsReset()]


class ActionOublier(Action):
    """Forget-me: the gateway deletes the conversation from every store when it sees this payload."""

    def name(self) -> Text:
        return "action_oublier"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_oubli", json_message={"type": "oubli"})
        return [ActiveLoop(None), AllSlotsReset()]


class ActionEnregistrerAvis(Action):
    """Records the one-question satisfaction check, anonymously (the motif only)."""

    def name(self) -> Text:
        return "action_enregistrer_avis"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        avis = next(tracker.get_latest_entity_values("avis"), None)
        if not avis and not orientation_given(tracker):
            # words taken for an opinion before any orientation was given ("je sais pas si c'est
            # le bon endroit"): nothing to record; ask the most useful question instead
            dispatcher.utter_message(response="utter_incompris_question")
            return [FollowupAction(FORM)]
        utile = avis == "utile" if avis else intent == "affirm"
        liaisons().record_avis(utile, canal(tracker), tracker.get_slot("besoin"))
        dispatcher.utter_message(response="utter_merci_avis" if utile else "utter_merci_avis_negatif")
        return []
