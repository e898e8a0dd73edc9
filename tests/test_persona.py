"""The scripted person of the tests and benchmarks (bench/persona.py), without a stack."""
from __future__ import annotations

import pytest

from bench.persona import EVERYDAY, Answer, Person, question_buttons, reference_situations
from knowledge.scenarios import load_scenarios


def test_the_references_are_the_tables_first_four_scenarios_with_their_profiles():
    references = reference_situations()
    scenarios = load_scenarios()[:4]
    assert [r.scenario for r in references] == scenarios
    for reference, scenario in zip(references, scenarios, strict=True):
        assert {k: reference.person.profil[k] for k in scenario["profil"]} == scenario["profil"]
        assert reference.attendu["reseaux"] == scenario["attendu"]["reseaux"]
        assert set(reference.shown) <= set(reference.person.profil)


@pytest.mark.parametrize("slot, answer", [
    ("besoin", Answer(payload='/informer{"besoin": "emploi"}', title="Trouver un emploi")),
    ("statut", Answer(payload='/informer{"statut": "demandeur_emploi"}', title="En recherche d'emploi")),
    ("cadre", Answer(payload="/deny", title="Non")),
    ("handicap", Answer(payload="/deny", title="Non")),
    ("contrat", Answer(payload='/informer{"contrat": "cdd"}', title="CDD")),
    ("age", Answer(text="45 ans")),
    ("commune", Answer(text="Tours")),
    ("departement", Answer(text="Tours")),
    ("metier", Answer(text="cuisinier")),
])
def test_a_person_presses_the_button_that_says_its_value_else_types(slot, answer):
    assert EVERYDAY.answer(slot, question_buttons(slot)) == answer


def test_without_buttons_a_closed_value_is_still_a_payload_and_an_open_one_words():
    assert EVERYDAY.answer("statut") == Answer(payload='/informer{"statut": "demandeur_emploi"}')
    assert EVERYDAY.answer("handicap") == Answer(text="non")
    assert Person({"cadre": True}).answer("cadre") == Answer(text="oui")


def test_what_the_person_does_not_know():
    person = Person({"age": 30}, frozenset({"age"}))
    assert person.answer("age", question_buttons("age")) == Answer(payload="/ne_sais_pas",
                                                                   title="Je préfère ne pas répondre")
    assert person.answer("besoin", question_buttons("besoin")) == Answer(text="je ne sais pas")


def test_a_commune_button_is_chosen_by_its_code_among_homonyms():
    buttons = [{"title": "Saint-Martin (18)", "payload": '/informer{"commune": "18200"}'},
               {"title": "Saint-Martin (37)", "payload": '/informer{"commune": "37261"}'}]
    assert EVERYDAY.answer("commune", buttons).title == "Saint-Martin (37)"
