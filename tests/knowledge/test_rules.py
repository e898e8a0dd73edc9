"""The routing engine on small rule sets written here, the real rules file, and route()'s extras."""
from __future__ import annotations

import copy

import pytest
import yaml

from knowledge import ProfileError
from knowledge.rules import RulesError, load_rules, load_rules_data, parse_rules
from knowledge.rules_check import validate_rules

SOURCE = "Loi n° 2014-288 du 5 mars 2014, art. 22"


def rule(rid, etape, si=None, reseaux=(), **extra):
    return {"id": rid, "etape": etape, "si": si or {}, "reseaux": list(reseaux), "texte": f"Texte {rid}.",
            "source": SOURCE, **extra}


def ruleset_data(*rules, **manquant):
    return {
        "etapes": [{"nom": "filtre", "mode": "premiere"}, {"nom": "cep", "mode": "premiere"},
                   {"nom": "porte", "mode": "premiere"}, {"nom": "alt", "mode": "toutes"},
                   {"nom": "repli", "mode": "premiere", "seulement_sans_reseau": True}],
        "regles": list(rules),
        "manquant": manquant or {"ordre": ["besoin", "statut", "age", "metier", "secteur", "cadre", "handicap"]},
    }


SMALL = ruleset_data(
    rule("dehors", "filtre", {"besoin": "hors_champ"}, exclusif=True),
    rule("cep-jeune", "cep", {"statut": ["demandeur_emploi"], "age": {"max": 25}}, ["mission-locale"],
         operateur_cep=True),
    rule("cep-de", "cep", {"statut": "demandeur_emploi"}, ["france-travail"], operateur_cep=True),
    rule("app-art", "porte", {"besoin": "apprentissage", "secteur": "artisanat"}, ["cma"]),
    rule("emploi", "porte", {"besoin": "emploi"}, ["$operateur_cep"]),
    rule("vae", "porte", {"besoin": "vae"}, ["france-vae", "$operateur_cep"]),
    rule("alt-jeune", "alt", {"age": {"max": 25}, "besoin": ["apprentissage", "emploi"]}, ["mission-locale"]),
    rule("alt-cidff", "alt", {"handicap": False, "besoin": "emploi"}, ["cidff"]),
    rule("repli", "repli", {}, ["etoile-info"]),
    demander_plutot={"secteur": "metier"},
    ordre=["besoin", "statut", "age", "metier", "secteur", "cadre", "handicap"],
)


@pytest.fixture(scope="module")
def small():
    assert validate_rules(SMALL) == []
    return parse_rules(SMALL)


def outcome(ruleset, profil):
    decision = ruleset.decide(profil)
    return list(decision.reseaux), decision.operateur_cep, [r.id for r in decision.regles]


# ---- decide -----------------------------------------------------------------------------------

def test_first_match_stage_keeps_the_first_rule(small):
    assert outcome(small, {"statut": "demandeur_emploi", "age": 20, "besoin": "emploi"}) == (
        ["mission-locale"], "mission-locale", ["cep-jeune", "emploi", "alt-jeune"])


def test_unknown_slot_never_matches_so_later_rule_applies(small):
    # age unknown: cep-jeune cannot apply, the general job-seeker rule does
    assert outcome(small, {"statut": "demandeur_emploi", "besoin": "emploi"})[:2] == (
        ["france-travail"], "france-travail")


def test_operator_token_is_resolved_and_dropped_when_none(small):
    assert outcome(small, {"statut": "demandeur_emploi", "age": 40, "besoin": "vae"})[0] == [
        "france-vae", "france-travail"]
    assert outcome(small, {"besoin": "vae"})[0] == ["france-vae"]


def test_rule_with_only_the_operator_token_does_not_apply_without_operator(small):
    # "emploi" offers nothing without a CEP operator: the fallback stage runs
    assert outcome(small, {"besoin": "emploi"}) == (["etoile-info"], None, ["repli"])


def test_all_matching_rules_of_an_alternatives_stage_add_networks(small):
    reseaux, _, fired = outcome(small, {"statut": "demandeur_emploi", "age": 40, "besoin": "emploi", "handicap": False})
    assert reseaux == ["france-travail", "cidff"]
    assert fired == ["cep-de", "emploi", "alt-cidff"]


def test_networks_are_not_repeated(small):
    reseaux, _, _ = outcome(small, {"statut": "demandeur_emploi", "age": 20, "besoin": "emploi"})
    assert reseaux == ["mission-locale"]


def test_exclusive_rule_ends_the_decision(small):
    assert outcome(small, {"statut": "demandeur_emploi", "age": 20, "besoin": "hors_champ"}) == ([], None, ["dehors"])


def test_reasons_follow_the_order_of_the_networks(small):
    decision = small.decide(
        {"besoin": "apprentissage", "secteur": "artisanat", "age": 19, "statut": "demandeur_emploi"})
    assert list(decision.reseaux) == ["cma", "mission-locale"]
    assert [r["regle"] for r in decision.raisons()] == ["app-art", "cep-jeune", "alt-jeune"]
    assert decision.raisons()[0]["texte"] == "Texte app-art."


def test_fallback_runs_only_when_nothing_was_chosen(small):
    assert outcome(small, {}) == (["etoile-info"], None, ["repli"])
    assert "repli" not in outcome(small, {"besoin": "apprentissage", "secteur": "artisanat"})[2]


# ---- manquant ---------------------------------------------------------------------------------

def test_age_candidates_are_one_value_per_interval(small):
    assert small._candidates["age"] == (11, 26)


def test_manquant_keeps_only_slots_that_change_the_outcome(small):
    # the job seeker's age changes the operator; secteur/cadre change nothing here
    assert small.manquant({"statut": "demandeur_emploi", "besoin": "emploi"}) == ["age", "handicap"]


def test_manquant_ranks_by_number_of_outcomes_then_data_order(small):
    # besoin splits into more outcomes than statut; both before nothing else
    assert small.manquant({}) == ["besoin", "statut"]


def test_manquant_asks_the_trade_instead_of_the_sector(small):
    assert small.manquant({"besoin": "apprentissage", "statut": "demandeur_emploi", "age": 40}) == ["metier"]
    assert small.manquant({"besoin": "apprentissage", "statut": "demandeur_emploi", "age": 40,
                           "metier": "astronaute"}) == ["secteur"]
    assert small.manquant({"besoin": "apprentissage", "statut": "demandeur_emploi", "age": 40},
                          inconnus=["metier"]) == ["secteur"]


def test_manquant_never_lists_declined_slots(small):
    assert small.manquant({"statut": "demandeur_emploi", "besoin": "emploi"}, inconnus=["age"]) == ["handicap"]
    assert small.manquant({}, inconnus=["besoin", "statut"]) == []


def test_manquant_empty_when_exclusive(small):
    assert small.manquant({"besoin": "hors_champ"}) == []


# ---- validation -------------------------------------------------------------------------------

def broken(**changes):
    data = copy.deepcopy(SMALL)
    index = changes.pop("index", 3)
    data["regles"][index].update(changes)
    return validate_rules(data, {"mission-locale", "france-travail", "cma", "france-vae", "cidff", "etoile-info"})


@pytest.mark.parametrize("changes, expected", [
    ({"si": {"prenom": "x"}}, "condition sur 'prenom' impossible"),
    ({"si": {"metier": "boulanger"}}, "condition sur 'metier' impossible"),
    ({"si": {"statut": "toto"}}, "valeur inconnue pour statut : 'toto'"),
    ({"si": {"handicap": "oui"}}, "valeur inconnue pour handicap : 'oui'"),
    ({"si": {"age": {"max": 150}}}, "âge hors de 11–99"),
    ({"si": {"age": 25}}, "condition d'âge attendue"),
    ({"reseaux": ["cmaa"]}, "réseau inconnu 'cmaa'"),
    ({"reseaux": []}, "aucune cible"),
    ({"source": ""}, "source manquant"),
    ({"source": "domain.md §5"}, "pas une note de conception"),
    ({"texte": None}, "texte manquant"),
    ({"etape": "nulle-part"}, "étape inconnue"),
    ({"id": "cep-de"}, "identifiant en double"),
    ({"couleur": "bleu"}, "champ inconnu 'couleur'"),
    ({"index": 1, "reseaux": ["$operateur_cep"]}, "exactement un réseau"),
    ({"index": 0, "etape": "filtre", "exclusif": False, "reseaux": ["$operateur_cep"]}, "avant toute étape"),
])
def test_validation_reports_each_problem(changes, expected):
    problems = broken(**changes)
    assert any(expected in p for p in problems), problems


def test_validation_reports_unknown_sections_and_manquant_slots():
    data = copy.deepcopy(SMALL)
    data["regle"] = []
    data["manquant"] = {"ordre": ["besoin", "humeur"], "demander_plutot": {"secteur": "metiers"}}
    assert sorted(validate_rules(data)) == ["manquant : créneau inconnu 'humeur'",
                                            "manquant : créneau inconnu 'metiers'",
                                            "regles.yml : rubrique inconnue 'regle'"]


def test_rules_are_grouped_by_stage_whatever_their_place_in_the_file(small):
    data = copy.deepcopy(SMALL)
    data["regles"].insert(0, data["regles"].pop(4))   # "emploi" (uses the operator) written first
    assert validate_rules(data) == []
    profil = {"statut": "demandeur_emploi", "age": 40, "besoin": "emploi"}
    assert parse_rules(data).decide(profil) == small.decide(profil)


def test_shadowed_rule_is_reported_as_unreachable():
    data = copy.deepcopy(SMALL)
    data["regles"].insert(3, rule("app-tout", "porte", {"besoin": "apprentissage"}, ["cma"]))
    assert validate_rules(data) == ["règle app-art : jamais appliquée, la règle app-tout passe avant"]


def test_rule_after_an_operator_only_rule_is_not_shadowed():
    data = copy.deepcopy(SMALL)
    data["regles"].insert(4, rule("vae-cep", "porte", {"besoin": "vae"}, ["$operateur_cep"]))
    assert validate_rules(data) == []
    # without a CEP operator, the later concrete rule applies
    assert [r.id for r in parse_rules(data).decide({"besoin": "vae"}).regles] == ["vae"]


def test_rule_shadowed_by_an_exclusive_rule_of_an_earlier_stage():
    data = copy.deepcopy(SMALL)
    data["regles"].append(rule("emploi-dehors", "alt", {"besoin": "hors_champ", "age": {"max": 30}}, ["cidff"]))
    assert validate_rules(data) == ["règle emploi-dehors : jamais appliquée, la règle dehors passe avant"]


def test_impossible_age_range_is_reported():
    data = copy.deepcopy(SMALL)
    data["regles"][6]["si"]["age"] = {"min": 30, "max": 20}
    assert "règle alt-jeune : conditions impossibles" in validate_rules(data)


def test_load_rules_raises_with_every_problem(tmp_path):
    data = copy.deepcopy(SMALL)
    data["regles"][3]["si"] = {"statut": "toto"}
    data["regles"][4]["source"] = ""
    path = tmp_path / "regles.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert "toto" in str(error.value) and "source manquant" in str(error.value)


# ---- the real rules file ------------------------------------------------------------------------

def test_real_rules_are_valid_against_the_directory(kb):
    assert validate_rules(load_rules_data(), {r.code for r in kb.directory.reseaux()}) == []


def test_real_rules_all_cite_a_source_and_speak_french(rules):
    for r in rules.rules:
        assert r.source and "domain.md" not in r.source
        assert r.texte.endswith(".")
        assert "vous" in r.texte.lower() or "votre" in r.texte.lower()   # vouvoiement


def test_cep_operator_rules_name_exactly_one_network(rules):
    for r in rules.rules:
        if r.operateur_cep:
            assert len(r.reseaux) == 1 and not r.reseaux[0].startswith("$")


# ---- route(): validation, lieux, commune in manquant ----------------------------------------------

def test_route_rejects_unknown_values_and_unknown_declined_slots(kb):
    with pytest.raises(ProfileError):
        kb.route({"statut": "toto"})
    with pytest.raises(ProfileError, match="prenom"):
        kb.route({"statut": "salarie"}, inconnus=["prenom"])


def test_route_returns_the_contract_keys(kb):
    result = kb.route({"age": 19, "statut": "decrocheur", "besoin": "apprentissage", "metier": "cuisinier",
                       "commune": "45234"})
    assert set(result) == {"reseaux", "operateur_cep", "lieux", "raisons", "profil", "manquant"}
    assert result["profil"]["secteur"] == "artisanat" and result["profil"]["departement"] == "45"
    for lieu in result["lieux"]:
        assert set(lieu) == {"id", "reseau", "nom", "commune", "code_insee", "departement", "adresse",
                             "telephone", "site_web", "distance_km"}


def test_lieux_are_capped_per_network_and_in_total(kb):
    result = kb.route({"age": 45, "statut": "sans_activite", "besoin": "emploi", "commune": "37261"})
    assert result["reseaux"] == ["france-travail", "cidff", "maisons-de-l-emploi"]
    by_network = [lieu["reseau"] for lieu in result["lieux"]]
    assert len(by_network) <= 5
    assert all(by_network.count(code) <= 2 for code in set(by_network))
    # every network is shown, in the order of reseaux
    assert sorted(set(by_network), key=by_network.index) == result["reseaux"]


def test_cep_operator_places_follow_the_networks(kb):
    result = kb.route({"age": 30, "statut": "salarie", "besoin": "apprentissage", "metier": "plombier",
                       "commune": "37261"})
    assert result["reseaux"] == ["cma"]
    assert [lieu["reseau"] for lieu in result["lieux"]][-1] == "cep-actifs-occupes"


def test_outside_the_spro_no_route_but_the_nearest_france_services(kb):
    result = kb.route({"besoin": "hors_champ", "commune": "37261"})
    assert result["reseaux"] == [] and result["operateur_cep"] is None and result["manquant"] == []
    assert result["lieux"] and {lieu["reseau"] for lieu in result["lieux"]} == {"france-services"}
    assert result["lieux"][0]["adresse"] and result["lieux"][0]["telephone"]
    # without a commune, the commune is what would show one
    assert kb.route({"besoin": "hors_champ"})["manquant"] == ["commune"]


def test_places_a_rule_shows_must_be_known_networks():
    data = {"etapes": [{"nom": "filtre", "mode": "premiere"}],
            "regles": [rule("dehors", "filtre", {"besoin": "hors_champ"}, exclusif=True)]}
    data["regles"][0]["lieux"] = ["nulle-part"]
    assert any("nulle-part" in p for p in validate_rules(data, {"cidff"}))
    data["regles"][0]["lieux"] = ["cidff"]
    assert validate_rules(data, {"cidff"}) == []


def test_commune_is_asked_last_only_for_networks_with_places(kb):
    assert kb.route({"statut": "demandeur_emploi", "besoin": "emploi"})["manquant"][-1] == "commune"
    assert "commune" not in kb.route({"statut": "retraite", "besoin": "vae"})["manquant"]
    assert "commune" not in kb.route({})["manquant"]   # Etoile Info is regional
    declined = kb.route({"statut": "demandeur_emploi", "besoin": "emploi"}, inconnus=["commune"])
    assert "commune" not in declined["manquant"]
