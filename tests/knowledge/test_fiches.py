"""Info cards (data/fiches.yml): the first-level information topics, old names, lookup, checks."""
from __future__ import annotations

import re
from datetime import date

import pytest

from knowledge import check_fiches

TOPICS = ["spro", "cep", "cpf", "vae", "ptp-demission-reconversion", "apprentissage-contrat-pro", "cej",
          "obligation-formation-retour-formation", "rqth", "bilan-competences", "parcoursup-orientation-scolaire",
          "etoile-info"]
OLD_NAMES = ["pole-emploi", "fongecif-opacif", "cif", "dif"]


def test_every_topic_and_old_name_has_a_card(kb):
    assert [card["key"] for card in kb.info_cards()] == TOPICS + OLD_NAMES


@pytest.mark.parametrize("key", TOPICS + OLD_NAMES)
def test_card_fields(kb, key):
    card = kb.info_card(key)
    assert card["titre"] and card["source"]
    assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?", card["lien"])
    assert date.fromisoformat(card["date_revue"]) == date(2026, 11, 25)
    assert card["alias"]
    # stable facts only: no amounts
    assert "€" not in card["texte"] and "euro" not in card["texte"].lower()


@pytest.mark.parametrize("asked, key", [
    ("cpf", "cpf"), ("mon CPF", "cpf"), ("Compte formation", "cpf"), ("validation des acquis", "vae"),
    ("Validation des acquis de l'expérience", "vae"), ("Pôle emploi", "pole-emploi"), ("pole emploi", "pole-emploi"),
    ("Fongécif", "fongecif-opacif"), ("OPACIF", "fongecif-opacif"), ("CIF", "cif"), ("dif", "dif"),
    ("démission reconversion", "ptp-demission-reconversion"), ("alternance", "apprentissage-contrat-pro"),
    ("garantie jeunes", "cej"), ("MDPH", "rqth"), ("Onisep", "parcoursup-orientation-scolaire"),
    ("0 800 222 100", "etoile-info"), ("décrochage", "obligation-formation-retour-formation"),
])
def test_lookup_by_key_or_alias(kb, asked, key):
    assert kb.info_card(asked)["key"] == key


def test_old_name_cards_are_flagged(kb):
    assert [c["key"] for c in kb.info_cards() if c.get("ancien_nom")] == OLD_NAMES


def test_unknown_card(kb):
    assert kb.info_card("horoscope") is None


def test_returned_card_is_a_copy(kb):
    kb.info_card("cpf")["titre"] = "changé"
    assert kb.info_card("cpf")["titre"] != "changé"


def test_real_cards_pass_the_check(kb):
    assert check_fiches(kb.info_cards()) == []


def test_check_reports_bad_cards():
    good = {"key": "a", "titre": "T", "texte": "Une phrase. Deux phrases.", "lien": "https://vae.gouv.fr",
            "date_revue": "2026-11-25", "alias": ["x"], "source": "s"}
    cards = [
        dict(good),
        dict(good, key="b", lien="http://vae.gouv.fr", alias=["y"]),
        dict(good, key="c", date_revue="bientôt", alias=["z"]),
        dict(good, key="d", texte="Une seule phrase.", alias=["w"]),
        dict(good, key="e", alias=["X"]),
        dict(good, key="f", titre="", alias=["v"], faits=[{"texte": "t", "source": "s"}]),
    ]
    problems = check_fiches(cards)
    assert problems == [
        "fiche b : lien https invalide 'http://vae.gouv.fr'",
        "fiche c : date_revue invalide 'bientôt'",
        "fiche d : 1 phrases (2 à 4 attendues)",
        "fiche e : « X » désigne déjà la fiche a",
        "fiche f : champ titre manquant",
        "fiche f : un fait sans texte, source ou date",
    ]


def test_cards_to_read_follow_the_besoin_then_a_disability_recognition(kb):
    keys = [c["key"] for c in kb.cards_to_read({"besoin": "reconversion", "handicap": True})]
    assert keys[0] == "cep" and keys[-1] == "rqth" and len(keys) == len(set(keys))
    assert "rqth" not in [c["key"] for c in kb.cards_to_read({"besoin": "reconversion", "handicap": False})]
    assert kb.cards_to_read({}) == []


def test_check_reports_unknown_cards_to_read():
    from knowledge import check_a_lire

    problems = check_a_lire({"emploi": ["cep", "pas-une-fiche"], "pas_un_besoin": []}, [{"key": "cep"}])
    assert problems == ["a_lire : besoin inconnu 'pas_un_besoin'", "a_lire emploi : fiche inconnue 'pas-une-fiche'"]
