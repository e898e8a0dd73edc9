"""The scenario table of data/scenarios.yml: one test per scenario, plus its coverage of the rules."""
from __future__ import annotations

import pytest

from knowledge.scenarios import load_scenarios

SCENARIOS = load_scenarios()
REFERENCE_SITUATIONS = {
    "situation-1-parent-licenciee": ["france-travail"],
    "situation-2-apprentissage-cuisine": ["cma", "mission-locale"],
    "situation-3-jeune-salariee-fin-de-cdd": ["cep-actifs-occupes", "mission-locale"],
    "situation-4-jeune-decrocheur": ["cio", "mission-locale"],
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(kb, scenario):
    assert kb.run_scenarios([scenario]) == {scenario["id"]: []}


def test_the_four_reference_situations_come_first_and_route_exactly(kb):
    assert [s["id"] for s in SCENARIOS[:4]] == list(REFERENCE_SITUATIONS)
    for scenario in SCENARIOS[:4]:
        assert scenario["attendu"]["reseaux"] == REFERENCE_SITUATIONS[scenario["id"]]


def test_every_rule_is_fired_and_every_routed_network_reached(kb, rules):
    fired, reached = set(), set()
    for scenario in SCENARIOS:
        result = kb.route(scenario["profil"], scenario.get("inconnus", ()))
        fired.update(r["regle"] for r in result["raisons"])
        reached.update(result["reseaux"])
    assert fired == {r.id for r in rules.rules}
    assert reached == rules.targets
    assert kb.coverage_problems(SCENARIOS) == []


def test_place_selection_covers_the_six_departements():
    tested = {s["attendu"]["lieux_departement"] for s in SCENARIOS if "lieux_departement" in s["attendu"]}
    assert tested >= {"18", "28", "36", "37", "41", "45"}


def test_a_wrong_expectation_is_reported(kb):
    scenario = {"id": "faux", "profil": {"statut": "demandeur_emploi", "besoin": "emploi"},
                "attendu": {"reseaux": ["apec"], "manquant_debut": ["besoin"], "operateur_cep": None,
                            "lieux_repli": ["apec"], "inconnu": 1}}
    failures = kb.run_scenarios([scenario])["faux"]
    assert len(failures) == 5
    assert any("reseaux" in f and "france-travail" in f for f in failures)
    assert any("attente inconnue 'inconnu'" in f for f in failures)


def test_a_refused_profile_fails_its_scenario(kb):
    failures = kb.run_scenarios([{"id": "x", "profil": {"age": 150}, "attendu": {"reseaux": []}}])["x"]
    assert failures and "Âge invalide" in failures[0]


def test_coverage_reports_rules_never_fired(kb):
    problems = kb.coverage_problems(SCENARIOS[:1])
    assert "règle hors-champ jamais appliquée par les scénarios" in problems
    assert "réseau cma jamais atteint par les scénarios" in problems
