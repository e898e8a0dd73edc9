"""Info cards (data/fiches.yml): the first-level information topics, old names, lookup, checks."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from knowledge import FICHES_PATH, check_a_lire, check_fiches

ROOT = Path(__file__).resolve().parents[2]
# The file as the SPRO team writes it: the tests follow it, so adding, removing or re-dating a card
# is an edit of the data, not of the tests.
FICHES = yaml.safe_load(FICHES_PATH.read_text(encoding="utf-8"))
CARDS = FICHES["fiches"]
SUJET = re.compile(r"\[([^\]]+)\]\(sujet\)")


def test_cards_come_in_the_data_files_order(kb):
    # the topic menu shows the first cards: the order is the SPRO team's, as written
    assert [card["key"] for card in kb.info_cards()] == [card["key"] for card in CARDS]


def sujet_values() -> dict[str, str]:
    """Each `sujet` the training data and the test stories annotate -> the value Rasa's synonym
    mapper gives the dialogue (the text itself when no synonym names it)."""
    synonyms: dict[str, str] = {}
    for path in sorted((ROOT / "nlu_data").rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "synonym" in block:
                for line in block["examples"].splitlines():
                    if line.strip().startswith("- "):
                        synonyms.setdefault(line.strip()[2:].strip().lower(), str(block["synonym"]))
    texts = [text for path in [*(ROOT / "nlu_data").rglob("*.yml"), *(ROOT / "tests" / "stories").glob("*.yml")]
             for text in SUJET.findall(path.read_text(encoding="utf-8"))]
    assert texts, "no annotated sujet found: the pattern no longer matches the data"
    return {text: synonyms.get(text.lower(), text) for text in texts}


def test_every_card_the_dialogue_names_exists(kb):
    # the questions people ask about a topic, in the training data and the test conversations
    missing = sorted({f"[{text}](sujet) -> {value}" for text, value in sujet_values().items()
                      if kb.info_card(value) is None})
    assert missing == []
    # the cards read out to a person by besoin (the console)
    assert check_a_lire(FICHES["a_lire"], kb.info_cards()) == []


@pytest.mark.parametrize("key", [card["key"] for card in CARDS])
def test_card_fields(kb, key):
    card = kb.info_card(key)
    assert card["titre"] and card["source"].strip()
    assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?", card["lien"])
    # the date the SPRO team last re-read the card: a real date, not one still to come
    assert date.fromisoformat(card["date_revue"]) <= date.today()
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


@pytest.mark.parametrize("asked", ["Pôle emploi", "ANPE", "Fongécif", "CIF", "DIF"])
def test_an_old_name_leads_to_a_card_flagged_as_one(kb, asked):
    # the flag keeps the card out of the topic menus while the old name still finds it
    assert kb.info_card(asked)["ancien_nom"] is True


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
    problems = check_a_lire({"emploi": ["cep", "pas-une-fiche"], "pas_un_besoin": []}, [{"key": "cep"}])
    assert problems == ["a_lire : besoin inconnu 'pas_un_besoin'", "a_lire emploi : fiche inconnue 'pas-une-fiche'"]
