"""Profile validation (fixed slot names and values) and the trade -> secteur lexicon."""
from __future__ import annotations

import pytest

from knowledge import ProfileError
from knowledge.profile import SLOTS, check_lexicon, load_lexicon, normalize_text, parse_lexicon, validate_profile


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def clean(raw, kb=None, lexicon=None):
    return validate_profile(raw, kb.communes if kb else None, lexicon)


# ---- valid profiles ---------------------------------------------------------------------------

def test_full_profile_is_kept_in_slot_order(kb, lexicon):
    raw = {"departement": "45", "commune": "45234", "cadre": False, "handicap": True, "metier": "cuisinier",
           "secteur": "artisanat", "besoin": "apprentissage", "contrat": "alternance", "statut": "apprenti",
           "age": 19}
    profil = clean(raw, kb, lexicon)
    assert profil == raw
    assert list(profil) == [s for s in SLOTS if s in raw]


@pytest.mark.parametrize("age, expected", [(19, 19), ("19", 19), (" 42 ", 42), (19.0, 19), (11, 11), (99, 99)])
def test_age_accepts_integers_and_digit_strings(age, expected):
    assert clean({"age": age}) == {"age": expected}


def test_none_means_unknown():
    assert clean({"age": None, "statut": "salarie", "commune": None}) == {"statut": "salarie"}


def test_departement_is_derived_from_the_commune(kb):
    assert clean({"commune": "36044"}, kb)["departement"] == "36"


def test_commune_wins_over_a_stale_departement(kb):
    assert clean({"commune": "37261", "departement": "45"}, kb)["departement"] == "37"


def test_departement_alone_and_as_number(kb):
    assert clean({"departement": 18}, kb) == {"departement": "18"}
    assert clean({"departement": "hors_region"}, kb) == {"departement": "hors_region"}


def test_secteur_is_derived_from_the_metier(lexicon):
    assert clean({"metier": "Boulangère"}, lexicon=lexicon)["secteur"] == "artisanat"
    assert "secteur" not in clean({"metier": "astronaute"}, lexicon=lexicon)


def test_explicit_secteur_wins_over_the_lexicon(lexicon):
    profil = clean({"metier": "vendeuse", "secteur": "agriculture"}, lexicon=lexicon)
    assert profil["secteur"] == "agriculture"


def test_metier_spaces_are_collapsed():
    assert clean({"metier": "  peintre   en bâtiment "})["metier"] == "peintre en bâtiment"


@pytest.mark.parametrize("statut", ["salarie", "apprenti", "agent_public", None])
def test_contrat_kept_for_salaried_or_unknown_statut(statut):
    assert clean({"statut": statut, "contrat": "cdd"})["contrat"] == "cdd"


@pytest.mark.parametrize("statut", ["demandeur_emploi", "etudiant", "independant", "retraite"])
def test_contrat_dropped_for_other_statuts(statut):
    assert "contrat" not in clean({"statut": statut, "contrat": "cdd"})


@pytest.mark.parametrize("contrat, statut", [("cdd", "salarie"), ("cdi", "salarie"), ("interim", "salarie"),
                                             ("autre", "salarie"), ("alternance", "apprenti")])
def test_a_contrat_without_statut_gives_the_statut(contrat, statut):
    assert clean({"contrat": contrat}) == {"statut": statut, "contrat": contrat}


def test_an_explicit_statut_wins_over_the_contrat():
    assert clean({"statut": "agent_public", "contrat": "alternance"}) == {"statut": "agent_public",
                                                                         "contrat": "alternance"}


def test_routing_does_not_ask_the_statut_a_contrat_gave(kb):
    result = kb.route({"contrat": "cdd"})
    assert result["profil"]["statut"] == "salarie" and "statut" not in result["manquant"]


# ---- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, words", [
    ({"prenom": "Léa"}, ["Information inconnue", "prenom"]),
    ({"statut": "toto"}, ["Valeur inconnue pour statut", "toto"]),
    ({"besoin": "logement"}, ["besoin", "logement"]),
    ({"contrat": "CDI"}, ["contrat", "CDI"]),
    ({"secteur": "banque"}, ["secteur", "banque"]),
    ({"departement": "75"}, ["departement", "75"]),
    ({"age": 150}, ["Âge invalide", "150"]),
    ({"age": 10}, ["Âge invalide", "10"]),
    ({"age": "dix-neuf"}, ["Âge invalide"]),
    ({"age": 19.5}, ["Âge invalide"]),
    ({"age": True}, ["Âge invalide"]),
    ({"age": "-19"}, ["Âge invalide"]),
    ({"handicap": "oui"}, ["handicap", "true ou false"]),
    ({"cadre": 1}, ["cadre", "true ou false"]),
    ({"metier": ""}, ["Métier invalide"]),
    ({"metier": 42}, ["Métier invalide"]),
    ({"metier": "x" * 101}, ["Métier trop long", "101"]),
    ({"commune": "Tours"}, ["Commune invalide", "Tours"]),
    ({"commune": "75056"}, ["Commune inconnue", "75056"]),
])
def test_invalid_values_raise_one_french_line(kb, raw, words):
    with pytest.raises(ProfileError) as error:
        clean(raw, kb)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_profile_must_be_a_mapping():
    with pytest.raises(ProfileError, match="objet JSON"):
        validate_profile(["statut", "salarie"])


def test_commune_shape_checked_without_the_communes_reference():
    assert clean({"commune": "45234"}) == {"commune": "45234"}
    with pytest.raises(ProfileError):
        clean({"commune": "4523"})


# ---- trade lexicon --------------------------------------------------------------------------

@pytest.mark.parametrize("text, secteur", [
    ("cuisinier", "artisanat"), ("cuisinière", "artisanat"), ("boulanger", "artisanat"),
    ("boulangère", "artisanat"), ("coiffeur", "artisanat"), ("coiffeuse", "artisanat"),
    ("plombier", "artisanat"), ("électricien", "artisanat"), ("maçon", "artisanat"), ("boucher", "artisanat"),
    ("pâtissière", "artisanat"), ("fleuriste", "artisanat"), ("esthéticienne", "artisanat"),
    ("menuisier", "artisanat"), ("carreleur", "artisanat"), ("peintre en bâtiment", "artisanat"),
    ("mécanicien", "artisanat"), ("mécanicienne", "artisanat"),
    ("vendeur", "commerce_industrie_services"), ("vendeuse", "commerce_industrie_services"),
    ("comptable", "commerce_industrie_services"), ("aide-soignant", "commerce_industrie_services"),
    ("aide-soignante", "commerce_industrie_services"), ("serveur", "commerce_industrie_services"),
    ("caissière", "commerce_industrie_services"), ("secrétaire", "commerce_industrie_services"),
    ("développeuse", "commerce_industrie_services"), ("infirmier", "commerce_industrie_services"),
    ("viticulteur", "agriculture"), ("viticultrice", "agriculture"), ("agriculteur", "agriculture"),
    ("maraîchère", "agriculture"), ("éleveur", "agriculture"), ("paysagiste", "agriculture"),
    ("horticultrice", "agriculture"), ("bûcheron", "agriculture"), ("jardinier paysagiste", "agriculture"),
])
def test_trades_of_the_brief(lexicon, text, secteur):
    assert lexicon.secteur(text) == secteur


@pytest.mark.parametrize("text, secteur", [
    ("je veux être cuisinier", "artisanat"),
    ("JE VOUDRAIS ETRE COIFFEUSE", "artisanat"),
    ("en boulangerie", "artisanat"),
    ("dans la coiffure", "artisanat"),
    ("la mécanique auto", "artisanat"),
    ("la plomberie", "artisanat"),
    ("plombiers", "artisanat"),
    ("aide soignante", "commerce_industrie_services"),
    ("agent accueil", "commerce_industrie_services"),
    ("travailler dans les espaces verts", "agriculture"),
    ("peintre industriel", "commerce_industrie_services"),   # the longer trade wins over "peintre"
    ("peintre", "artisanat"),
])
def test_lookup_inside_phrases(lexicon, text, secteur):
    assert lexicon.secteur(text) == secteur


@pytest.mark.parametrize("text", ["astronaute", "je ne sais pas", "", "la"])
def test_unknown_trades(lexicon, text):
    assert lexicon.secteur(text) is None


def test_normalize_text():
    assert normalize_text("Aide-Soignante d'Œuvre") == "aide soignante d oeuvre"


def test_lexicon_file_is_valid_and_large_enough():
    assert check_lexicon() == []


def test_every_trade_entry_names_its_source(lexicon):
    assert all(entry.source for entry in lexicon.entries)


def test_lexicon_check_reports_a_trade_in_two_sectors(tmp_path):
    path = tmp_path / "metiers.yml"
    path.write_text(
        "secteurs:\n"
        "  artisanat: {source: s, metiers: [[boulanger, boulangère]]}\n"
        "  agriculture: {source: s, metiers: [[Boulangers]]}\n", encoding="utf-8")
    problems = check_lexicon(path)
    assert any("Boulangers" in p and "artisanat" in p and "agriculture" in p for p in problems)
    assert any("150" in p for p in problems)


def test_lexicon_check_reports_an_unknown_sector(tmp_path):
    path = tmp_path / "metiers.yml"
    path.write_text("secteurs:\n  banque: {source: s, metiers: [[banquier]]}\n", encoding="utf-8")
    assert check_lexicon(path) == ["metiers.yml : secteur inconnu 'banque'"]


def test_parse_lexicon_keeps_per_entry_sources():
    lexicon = parse_lexicon({"secteurs": {"artisanat": {"source": "décret", "metiers": [
        {"formes": ["cuisinier", "cuisinière"], "source": "rapport"}, ["maçon"]]}}})
    assert lexicon.lookup("cuisinière").source == "rapport"
    assert lexicon.lookup("maçon").source == "décret"
