"""The precedence between the rule reader and DIET (bot/comprehension.py), on real readings."""
from __future__ import annotations

import pytest

from bot.comprehension import decide_intent, merge_entities
from knowledge.comprendre import get_lecteur


def diet(text: str, entity: str, words: str, value) -> dict:
    start = text.index(words)
    return {"entity": entity, "value": value, "start": start, "end": start + len(words),
            "extractor": "DIETClassifier"}


def merged(text: str, *entities: dict) -> dict:
    lecteur = get_lecteur()
    return {e["entity"]: e["value"] for e in merge_entities(list(entities), lecteur.lire(text), lecteur)}


@pytest.mark.parametrize("text, slot, words, diets_value, kept", [
    # an explicit negation wins over DIET
    ("je suis au chômage et je suis pas cadre", "cadre", "cadre", "cadre", "non"),
    # a phrase excluded from the cues removes DIET's entity
    ("est-ce qu'un apprenti peut changer d'entreprise en cours de contrat ?", "besoin", "changer",
     "reconversion", None),
    # a negated statut removes DIET's entity
    ("je ne suis plus inscrit à pôle emploi", "statut", "inscrit à pôle emploi", "demandeur_emploi", None),
    ("Plus inscrite nulle part depuis l'hiver dernier.", "statut", "inscrite", "demandeur_emploi", None),
    # DIET keeps what the reader does not know
    ("je bosse comme trucmuche dans une boîte", "besoin", "trucmuche", "evolution", "evolution"),
    # the reader alone decides the age
    ("je fais 60 heures par semaine", "age", "60", "60", None),
])
def test_precedence_between_the_reader_and_diet(text, slot, words, diets_value, kept):
    assert merged(text, diet(text, slot, words, diets_value)).get(slot) == kept


def test_the_readers_value_replaces_diets_on_the_same_words():
    text = "je suis en CDD à Tours"
    entities = merge_entities([diet(text, "contrat", "CDD", "CDD")], get_lecteur().lire(text), get_lecteur())
    contrat = next(e for e in entities if e["entity"] == "contrat")
    assert contrat["value"] == "cdd" and contrat["extractor"] == "DIETClassifier"  # DIET's span, the reader's value


@pytest.mark.parametrize("text, communes, kept", [
    # the home, said as such, wins over a workplace or a place near it
    ("j'habite à Ingré mais je bosse chez un grossiste à Saran", ["Ingré", "Saran"], "Ingré"),
    ("j'habite à Vineuil à côté de Blois", ["Vineuil", "Blois"], "Vineuil"),
    # living with one's family is living there, not « chez » an employer
    ("je vis chez ma grand-mère à Selles-sur-Cher", ["Selles-sur-Cher"], "Selles-sur-Cher"),
    # a workplace, a school or « near X » alone: the commune is asked, not guessed
    ("infirmière au CHU de Tours, je voudrais changer", ["Tours"], None),
    ("je suis au lycée à Vendôme en terminale", ["Vendôme"], None),
    ("on est à la campagne près de La Châtre", ["La Châtre"], None),
    # neither: kept (reference situations 2 and 3)
    ("j'ai 24 ans, je suis en CDD à Tours", ["Tours"], "Tours"),
    ("je cherche un apprentissage en cuisine vers orleans", ["orleans"], "orleans"),
])
def test_of_the_communes_named_the_home(text, communes, kept):
    found = merged(text, *(diet(text, "commune", c, c) for c in communes))
    assert found.get("commune") == kept


def test_diets_fact_about_another_person_is_set_aside():
    text = "mon fils de 16 ans est en 3e et il ne sait pas quoi faire, moi je suis fonctionnaire"
    assert merged(text, diet(text, "statut", "fonctionnaire", "agent_public"))["statut"] == "scolaire"


def test_a_contract_counts_only_for_an_employee():
    text = "je suis au chômage depuis la fin de mon intérim"
    assert "contrat" not in merged(text, diet(text, "contrat", "intérim", "interim"))


@pytest.mark.parametrize("text, intent, expected", [
    ("je suis au collège", {"name": "detresse", "confidence": 0.65}, "informer"),
    ("bonjour", {"name": "detresse", "confidence": 0.6}, "greet"),
    ("j'ai envie d'en finir", {"name": "informer", "confidence": 0.9}, "detresse"),
    ("bonjour, je suis au chômage et je cherche une formation", {"name": "greet", "confidence": 0.7}, "informer"),
    ("je cherche un appartement", {"name": "out_of_scope", "confidence": 0.9}, "out_of_scope"),
    # a plain request for help starts the questions; help with housing stays out of scope
    ("bonjour, vous pouvez m'aider pour ma situation ?", {"name": "greet", "confidence": 0.8}, "ask_capabilities"),
    ("pouvez-vous m'aider à trouver un logement", {"name": "out_of_scope", "confidence": 0.9}, "out_of_scope"),
    ("bonjour", {"name": "greet", "confidence": 0.9}, "greet"),
    ("c'est quoi le CPF ? je suis salariée", {"name": "demander_info", "confidence": 0.9}, "demander_info"),
    # distress words naming a job, whatever the classifier's confidence
    ("je suis référente harcèlement et je cherche une formation", {"name": "detresse", "confidence": 0.99},
     "informer"),
    ("je suis référente harcèlement et mon chef me harcèle", {"name": "detresse", "confidence": 0.99},
     "detresse"),
    # the classifier alone, however sure, needs a word of risk somewhere in the message
    ("je suis au collège", {"name": "detresse", "confidence": 0.99}, "informer"),
    ("je vis chez mes parents", {"name": "detresse", "confidence": 0.99}, "greet"),
    ("je suis au collège et j'ai peur de rentrer chez moi", {"name": "detresse", "confidence": 0.99}, "detresse"),
    # harm said in everyday words is a word of risk: the classifier's reading stands
    ("mon beau-père me tape quand maman n'est pas là", {"name": "detresse", "confidence": 0.99}, "detresse"),
    ("je voudrais m'endormir ce soir et ne plus me réveiller", {"name": "detresse", "confidence": 0.99},
     "detresse"),
])
def test_intent_decisions(text, intent, expected):
    ranking = [intent, {"name": "greet", "confidence": 0.2}]
    assert decide_intent(intent, ranking, get_lecteur().lire(text))["name"] == expected
