"""The territory file (data/territoire.yml) is what the code uses: profile values, commune and
département reading, and what the directory's import accepts. Expectations are taken from the loaded
file, so a module that kept its own copy of a fact would fail here."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from knowledge import ProfileError
from knowledge.communes import load_communes
from knowledge.directory import Directory
from knowledge.profile import validate_profile
from knowledge.territoire import load_territoire

ROOT = Path(__file__).resolve().parents[2]
T = load_territoire()
# Communes of other départements: Paris, Nantes (Loire-Atlantique), Poitiers (Vienne), Le Mans (Sarthe).
ELSEWHERE = ("75056", "44109", "86194", "72181")


@pytest.fixture(scope="module")
def communes():
    return load_communes()


@pytest.fixture(scope="module")
def directory(tmp_path_factory, communes):
    base = Directory.open(f"sqlite:///{tmp_path_factory.mktemp('territoire') / 'knowledge.db'}", communes=communes)
    yield base
    base.close()


def test_the_communes_extract_covers_exactly_the_listed_departements(communes):
    assert {c.departement for c in communes.all()} == set(T.departements)


def test_the_extraction_script_keeps_the_listed_departements():
    spec = importlib.util.spec_from_file_location("extract_communes", ROOT / "scripts" / "extract_communes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.REGION_DEPARTEMENTS == tuple(T.departements)


# ---- profile

@pytest.mark.parametrize("code", list(T.departements))
def test_each_listed_departement_is_a_profile_value(code):
    assert validate_profile({"departement": code}) == {"departement": code}


@pytest.mark.parametrize("insee", ELSEWHERE)
def test_a_commune_outside_the_listed_departements_is_refused(communes, insee):
    assert insee[:2] not in T.departements
    with pytest.raises(ProfileError, match=f"Commune inconnue en {T.region} : '{insee}'"):
        validate_profile({"commune": insee}, communes)
    with pytest.raises(ProfileError, match="Valeur inconnue pour departement"):
        validate_profile({"departement": insee[:2]})
    assert communes.resolve(insee).departement == "hors_region"


# ---- reading département names

@pytest.mark.parametrize("written, code", [(nom, code) for code, nom in T.departements.items()]
                         + list(T.alias_departements.items()))
def test_each_name_of_a_departement_is_read_as_it(communes, written, code):
    match = communes.resolve(written)
    assert (match.kind, match.departement) == ("departement", code)
    assert communes.find_in_text(f"j'habite dans le {written.title()}").departement == code


@pytest.mark.parametrize("word", sorted(T.departements_mots_courants))
def test_a_departement_name_that_is_a_word_counts_only_as_a_name(communes, word):
    assert communes.find_in_text(f"c'est trop {word} pour moi") is None
    assert communes.find_in_text(f"je vis dans le {word}").kind == "departement"


# ---- reading commune names that are also words

def _names(match) -> set[str]:
    return {c.insee for c in match.communes} if match else set()


@pytest.mark.parametrize("word, not_a_place", [
    # after « à » a plain name is read; a name that is also a word needs a capital or a place context
    *((word, f"c'est à {word} ou pas") for word in sorted(T.communes_mots_courants)),
    # « de » with a capital is enough for a common word, not for another name
    *((word, f"je viens de {word.title()}") for word in sorted(T.communes_autres_noms)),
])
def test_a_commune_name_that_is_also_a_word_needs_a_place_context(communes, word, not_a_place):
    named = {c.insee for c in communes.resolve(word).communes}
    assert named, f"{word} ne nomme aucune commune de l'extrait"
    assert not named & _names(communes.find_in_text(not_a_place))
    assert named & _names(communes.find_in_text(f"j'habite à {word.title()}"))


# ---- the directory's import

def _import(directory, tmp_path, **fields) -> dict:
    row = {"id": "test--territoire", "source": "fixture-de-test", "nom": "CIDFF fictif", "date_maj": "2025-01-15",
           "reseaux_porteurs": ["cidff"], **fields}
    path = tmp_path / "export.json"
    path.write_text(json.dumps([row]), encoding="utf-8")
    report = directory.import_file(path)
    return {"added": report.added + report.updated, "rejected": dict(report.rejected).get(row["id"])}


def test_a_place_in_another_departement_is_refused(directory, tmp_path):
    result = _import(directory, tmp_path, departement="44", commune="Nantes")
    assert result["rejected"] == f"département hors {T.region} : 44"


def test_a_regional_zone_is_the_regions_own(directory, tmp_path):
    other = _import(directory, tmp_path, code_insee="37261", zone_diffusion_type="region", zone_diffusion_code="11")
    assert other["rejected"] == f"zone de diffusion hors {T.region} : région 11"
    ours = _import(directory, tmp_path, code_insee="37261", zone_diffusion_type="region",
                   zone_diffusion_code=T.code_region)
    assert ours == {"added": 1, "rejected": None}
    # stored as the listed départements: shown to a person of the region whose commune is not known
    assert "test--territoire" in [p["id"] for p in directory.lieux("cidff", limit=100)]


def test_coordinates_beyond_the_box_around_france_are_refused(directory, tmp_path):
    north = T.latitudes[1]
    beyond = _import(directory, tmp_path, latitude=north + 0.1, longitude=2.0)["rejected"]
    assert beyond.startswith("coordonnées hors de France")
    inside = _import(directory, tmp_path, latitude=north - 0.1, longitude=2.0)["rejected"]
    assert inside.startswith(f"coordonnées hors de {T.region}")
