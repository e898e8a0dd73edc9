"""Tests of the structures directory: seeding, place lookup, imports and the consistency check."""
from __future__ import annotations

import csv
import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from knowledge.communes import DEPARTEMENTS, distance_km, load_communes
from knowledge.couverture import RESEAUX_COUVERTURE
from knowledge.db import Base, make_engine
from knowledge.directory import RESEAUX_PATH, SEED_CSV_PATH, Directory, DirectoryError, load_reseaux
from knowledge.models import Lieu
from knowledge.rules import CEP_TOKEN, load_rules_data
from knowledge.scenarios import load_scenarios
from knowledge.sources import DILA_RESEAUX, PASSEMPLOI_STRUCTURES

FIXTURES = Path(__file__).parent / "fixtures"
DI_EXPORT = FIXTURES / "data_inclusion_export.json"
CRIA_CSV = FIXTURES / "cria_37.csv"


@pytest.fixture(scope="module")
def communes():
    return load_communes()


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory, communes) -> Path:
    """A database seeded once from structures_cvl.csv; tests that write work on a copy."""
    path = tmp_path_factory.mktemp("seed") / "knowledge.db"
    Directory.open(f"sqlite:///{path}", communes=communes).close()
    return path


@pytest.fixture(scope="module")
def seeded(seeded_db, communes):
    directory = Directory.open(f"sqlite:///{seeded_db}", communes=communes)
    yield directory
    directory.close()


@pytest.fixture
def fresh(seeded_db, communes, tmp_path):
    path = tmp_path / "knowledge.db"
    shutil.copy(seeded_db, path)
    directory = Directory.open(f"sqlite:///{path}", communes=communes)
    yield directory
    directory.close()


def biggest_commune(communes, departement):
    return max((c for c in communes.all() if c.departement == departement), key=lambda c: c.population or 0)


def all_places(directory, reseau):
    """Every place of a network, whatever the person's location."""
    return [p for dep in DEPARTEMENTS for p in directory.lieux(reseau, departement=dep, limit=1000)
            if not p["id"].startswith("reseau:")]


# --------------------------------------------------------------------------- seed


def test_seed_loads_every_row_of_the_sourced_csv(seeded):
    with SEED_CSV_PATH.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = Counter(row["reseau"] for row in rows)
    # The 91 hand-sourced places, then what the public extracts add (knowledge/seed.py).
    assert sum(expected.values()) == len(rows) > 91
    for reseau, count in expected.items():
        ids = {p["id"] for p in all_places(seeded, reseau)}
        # transitions-pro's only place serves the whole region, so it shows in every département.
        assert len(ids) == count, reseau


def test_reimporting_the_seed_changes_nothing(fresh):
    report = fresh.import_file(SEED_CSV_PATH)
    assert (report.added, report.updated, report.rejected) == (0, 0, [])


def test_seed_derives_location_from_the_commune_and_the_referential_code(seeded, communes):
    dreux = communes.resolve("Dreux").resolved
    drouais = next(p for p in seeded.lieux("mission-locale", dreux, limit=10) if "Drouais" in p["nom"])
    assert (drouais["code_insee"], drouais["departement"], drouais["distance_km"]) == (dreux.insee, "28", 0.0)
    assert drouais["adresse"] == "rue Henri-Dunant"

    # "[18-ML CHER SUD]": the referential's id 18197S00 gives the siège's commune, no source
    # gives its address: none is shown.
    cher_sud = next(p for p in seeded.lieux("mission-locale", departement="18", limit=10) if "Cher Sud" in p["nom"])
    assert cher_sud["departement"] == "18"
    assert (cher_sud["code_insee"], cher_sud["commune"]) == ("18197", "Saint-Amand-Montrond")
    assert cher_sud["adresse"] is None and cher_sud["telephone"] is None
    assert "[" not in cher_sud["nom"]


def test_france_travail_places_show_the_current_network_name(seeded):
    names = [p["nom"] for p in all_places(seeded, "france-travail")]
    # The 34 agencies of 2023, and APE ORLEANS LOIRE, only in the list of 2019.
    assert len(names) == 35 and "Agence France Travail ORLEANS LOIRE" in names
    assert all(n.startswith("Agence France Travail ") for n in names)
    assert not any("Pôle emploi" in n for n in names)


def test_agency_known_only_by_its_name_gets_a_departement_but_no_distance(communes, tmp_path):
    names_only = tmp_path / "agences_pe.csv"
    names_only.write_text(
        "id,nom_agence,nom_region,structure,code_departement,timezone,source\n"
        "647,Agence Pôle emploi CHATEAUROUX BALSAN,Centre-Val de Loire,POLE_EMPLOI,36,Europe/Paris,"
        "SocialGouv/pass-emploi-api@551432df7ce0e8aa5173002a463e6c28ae87f7cc:src/infrastructure/"
        "sequelize/seeders/data/agences_pe.json\n", encoding="utf-8")
    directory = Directory.open(f"sqlite:///{tmp_path / 'k.db'}", communes=communes, seed=None)
    try:
        assert directory.import_file(names_only).added == 1
        chateauroux = communes.resolve("Châteauroux").resolved
        balsan = directory.lieux("france-travail", chateauroux)[0]
        assert balsan["departement"] == "36" and balsan["commune"] is None
        assert balsan["distance_km"] is None
    finally:
        directory.close()


def test_agency_of_the_2023_list_gets_its_address_from_the_2019_list(seeded, communes):
    chateauroux = communes.resolve("Châteauroux").resolved
    balsan = next(p for p in seeded.lieux("france-travail", chateauroux, limit=10) if "BALSAN" in p["nom"])
    assert balsan["nom"] == "Agence France Travail CHATEAUROUX BALSAN"
    assert (balsan["adresse"], balsan["commune"]) == ("4 avenue Francois Mitterrand", "Châteauroux")
    assert balsan["telephone"] is None  # no source gives an agency's phone
    assert balsan["distance_km"] is not None


# --------------------------------------------------------------------------- lookup


@pytest.mark.parametrize("departement", sorted(DEPARTEMENTS))
@pytest.mark.parametrize("reseau", ["mission-locale", "france-travail"])
def test_lieux_stay_in_the_persons_departement(seeded, communes, reseau, departement):
    commune = biggest_commune(communes, departement)
    for places in (seeded.lieux(reseau, commune), seeded.lieux(reseau, departement=departement)):
        assert 1 <= len(places) <= 3
        assert all(p["reseau"] == reseau and p["departement"] == departement for p in places)
        assert not any(p["id"].startswith("reseau:") for p in places)


def test_lieux_dicts_have_exactly_the_contract_keys(seeded, communes):
    keys = {"id", "reseau", "nom", "commune", "code_insee", "departement", "adresse", "telephone",
            "site_web", "distance_km"}
    tours = communes.resolve("Tours").resolved
    assert all(set(p) == keys for p in seeded.lieux("cio", tours) + seeded.lieux("france-vae", tours))
    # "horaires" only where a source gives opening hours (BIJ 37 and Cap emploi 37 in the seed).
    shown = (seeded.lieux("reseau-information-jeunesse", tours, limit=10)
             + seeded.lieux("cap-emploi-reseau-cheops", tours))
    with_hours = [p for p in shown if "horaires" in p]
    assert {p["nom"] for p in with_hours} >= {"Bureau Information Jeunesse d'Indre-et-Loire (BIJ 37)"}
    assert all(set(p) == keys | {"horaires"} and p["horaires"] for p in with_hours)


def test_competent_place_first_then_nearest_in_the_departement(fresh, communes):
    report = fresh.import_file(CRIA_CSV)
    assert report.added == 4
    tours = communes.resolve("Tours").resolved
    places = fresh.lieux("cria", tours, limit=10)
    names = [p["nom"] for p in places]
    # D (Blois, 41) is never shown to someone in Tours: the network has places in 37.
    assert names == ["CRIA fictif A – compétent pour Tours", "CRIA fictif B", "CRIA fictif C"]
    competent, *others = places
    assert competent["distance_km"] > others[0]["distance_km"]
    assert others[0]["distance_km"] <= others[1]["distance_km"]
    loches = communes.resolve("Loches").resolved
    assert others[1]["distance_km"] == round(distance_km(tours.latitude, tours.longitude,
                                                          loches.latitude, loches.longitude), 1)
    assert len(fresh.lieux("cria", tours, limit=2)) == 2

    blois = communes.resolve("Blois").resolved
    assert [p["nom"] for p in fresh.lieux("cria", blois)] == ["CRIA fictif D"]


def test_network_without_place_in_the_departement_gives_its_own_service(fresh, seeded, communes):
    fresh.import_file(CRIA_CSV)
    chateauroux = communes.resolve("Châteauroux").resolved
    cria = fresh.lieux("cria", chateauroux)
    assert [p["id"] for p in cria] == ["reseau:cria"]

    cap = seeded.lieux("cap-emploi-reseau-cheops", chateauroux)
    assert len(cap) == 1
    entry = cap[0]
    assert entry["id"] == "reseau:cap-emploi-reseau-cheops"
    assert entry["nom"] == seeded.reseau("cap-emploi-reseau-cheops").nom
    assert entry["adresse"] is None and entry["commune"] is None and entry["distance_km"] is None
    assert entry["site_web"] == seeded.reseau("cap-emploi-reseau-cheops").site_web
    # Indre-et-Loire has a Cap emploi place: it is shown there instead of the network entry.
    tours = communes.resolve("Tours").resolved
    assert [p["nom"] for p in seeded.lieux("cap-emploi-reseau-cheops", tours)] == [
        "Cap emploi 37 – ARPS Handi emploi (association gestionnaire)"]


@pytest.mark.parametrize("departement", sorted(DEPARTEMENTS))
def test_national_service_is_the_network_entry_everywhere(seeded, communes, departement):
    places = seeded.lieux("france-vae", biggest_commune(communes, departement))
    assert places == [{"id": "reseau:france-vae", "reseau": "france-vae", "nom": "France VAE",
                       "commune": None, "code_insee": None, "departement": None, "adresse": None,
                       "telephone": None, "site_web": "https://vae.gouv.fr", "distance_km": None}]


def test_etoile_info_entry_carries_the_number_of_reseaux_yml(seeded):
    number = load_reseaux()["etoile-info"].reseau.telephone
    assert number and [p["telephone"] for p in seeded.lieux("etoile-info")] == [number]


def test_regional_place_serves_every_departement(seeded, communes):
    bourges = communes.resolve("Bourges").resolved
    [place] = seeded.lieux("transitions-pro", bourges)
    assert place["commune"] == "Olivet" and place["distance_km"] > 50


def test_outside_the_region_only_the_network_entry(seeded):
    assert [p["id"] for p in seeded.lieux("mission-locale", departement="hors_region")] == ["reseau:mission-locale"]


def test_unknown_network_has_no_place(seeded):
    assert seeded.lieux("pole-emploi", departement="45") == []


# --------------------------------------------------------------------------- imports


def test_data_inclusion_import_adds_maps_and_rejects_with_reasons(fresh, communes):
    report = fresh.import_file(DI_EXPORT)
    assert (report.added, report.updated) == (3, 0)
    reasons = dict(report.rejected)
    assert set(reasons) == {"test--restos", "test--coordonnees", "test--sans-nom", "test--consulaire"}
    assert "restos-du-coeur" in reasons["test--restos"]
    assert "coordonnées hors de France" in reasons["test--coordonnees"]
    assert reasons["test--sans-nom"] == "nom manquant"
    assert "chambres-consulaires" in reasons["test--consulaire"]

    # chambres-consulaires + "métiers" in the name -> cma; coordinates derived from the INSEE code.
    chateauroux = communes.resolve("Châteauroux").resolved
    cma = fresh.lieux("cma", chateauroux, limit=10)
    assert ("test--cma-chateauroux", 0.0) in [(p["id"], p["distance_km"]) for p in cma]
    # The seed's CMA of the Indre (DILA), with an address and a phone, is shown before it.
    assert cma[0]["id"] == "dila:chambre_metier-36044-01"
    orleans = communes.resolve("Orléans").resolved
    assert "test--ft-orleans" in [p["id"] for p in fresh.lieux("france-travail", orleans, limit=10)]


def test_service_zone_makes_its_structure_competent(fresh, communes):
    fresh.import_file(DI_EXPORT)
    bourges = communes.resolve("Bourges").resolved
    first, *rest = fresh.lieux("mission-locale", bourges)
    # Farther than the Bourges antenne, but its service lists Bourges in its zone.
    assert first["id"] == "test--ml-vierzon"
    antenne = next(p for p in rest if p["commune"] == "Bourges")
    assert first["distance_km"] > antenne["distance_km"] == 0.0
    assert first["telephone"] == "01 99 00 00 01"


def test_list_shaped_export_gives_the_same_result(fresh, tmp_path):
    data = json.loads(DI_EXPORT.read_text(encoding="utf-8"))
    flat = tmp_path / "export.json"
    flat.write_text(json.dumps(data["structures"] + data["services"]), encoding="utf-8")
    report = fresh.import_file(flat)
    assert (report.added, report.updated, len(report.rejected)) == (3, 0, 4)


def test_reimport_is_idempotent_and_a_changed_field_is_an_update(fresh, tmp_path):
    first = fresh.import_file(DI_EXPORT)
    again = fresh.import_file(DI_EXPORT)
    assert (again.added, again.updated) == (0, 0)
    assert again.rejected == first.rejected

    data = json.loads(DI_EXPORT.read_text(encoding="utf-8"))
    data["structures"][0]["telephone"] = "01 99 00 00 02"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    report = fresh.import_file(changed)
    assert (report.added, report.updated) == (0, 1)
    place = next(p for p in fresh.lieux("mission-locale", departement="18", limit=20) if p["id"] == "test--ml-vierzon")
    assert place["telephone"] == "01 99 00 00 02"


def test_csv_rows_rejected_with_their_line_number(fresh):
    report = fresh.import_file(CRIA_CSV)
    assert dict(report.rejected) == {
        6: "réseau inconnu : 'pole-emploi'",
        7: "code INSEE invalide : '3726' (5 caractères attendus)",
    }


def test_csv_with_missing_columns_is_refused_and_changes_nothing(fresh, communes):
    fresh.import_file(CRIA_CSV)
    tours = communes.resolve("Tours").resolved
    before = fresh.lieux("cria", tours, limit=10)
    with pytest.raises(DirectoryError) as error:
        fresh.import_file(FIXTURES / "colonnes_manquantes.csv")
    assert "source" in str(error.value) and "date_source" in str(error.value)
    assert len(before) == 3 and fresh.lieux("cria", tours, limit=10) == before
    again = fresh.import_file(CRIA_CSV)
    assert (again.added, again.updated) == (0, 0)


def test_unreadable_json_is_refused(fresh, tmp_path):
    broken = tmp_path / "export.json"
    broken.write_text('{"structures": [', encoding="utf-8")
    with pytest.raises(DirectoryError, match="JSON illisible"):
        fresh.import_file(broken)


# --------------------------------------------------------------------------- check


def test_check_passes_on_the_seed(seeded):
    assert seeded.check() == []


def test_place_away_from_the_region_is_rejected_on_import(fresh, tmp_path):
    paris = tmp_path / "paris.json"
    paris.write_text(json.dumps([{
        "id": "test--paris", "source": "fixture-de-test", "nom": "CIDFF fictif à Paris",
        "date_maj": "2025-01-15", "reseaux_porteurs": ["cidff"], "latitude": 48.8566, "longitude": 2.3522,
    }]), encoding="utf-8")
    report = fresh.import_file(paris)
    assert report.added == 0 and "hors de Centre-Val de Loire" in dict(report.rejected)["test--paris"]


def test_check_reports_places_edited_into_an_inconsistent_state(fresh):
    with fresh._sessions() as session, session.begin():
        place = session.get(Lieu, next(p["id"] for p in fresh.lieux("cidff", departement="37")))
        place.latitude, place.longitude = 48.8566, 2.3522
        place.code_insee = "45234"
        place.source = ""
    problems = fresh.check()
    assert len(problems) == 3
    assert all(place.id in p for p in problems)
    assert any("hors de la région" in p for p in problems)
    assert any("incohérent" in p for p in problems)
    assert any("source manquante" in p for p in problems)


@pytest.mark.parametrize("contacts", [[], ["etoile-info", "apec"], ["apec"]])
def test_exactly_one_network_with_a_phone_is_the_contact(tmp_path, contacts):
    data = yaml.safe_load(RESEAUX_PATH.read_text(encoding="utf-8"))
    for entry in data["reseaux"]:
        entry["contact"] = entry["code"] in contacts  # apec has no phone
    path = tmp_path / "reseaux.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DirectoryError, match="contact"):
        load_reseaux(path)
    assert [code for code, spec in load_reseaux().items() if spec.contact] == ["etoile-info"]


def test_reseaux_yml_is_parsed_once_per_version_of_the_file(tmp_path):
    first, again = load_reseaux(), load_reseaux()
    assert first is not again and first["etoile-info"] is again["etoile-info"]  # one parse, own dicts
    path = tmp_path / "reseaux.yml"
    data = yaml.safe_load(RESEAUX_PATH.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_reseaux(path)["etoile-info"].reseau.nom == first["etoile-info"].reseau.nom
    data["reseaux"] = [dict(e, nom="Etoile Info (bis)") if e["code"] == "etoile-info" else e
                       for e in data["reseaux"]]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_reseaux(path)["etoile-info"].reseau.nom == "Etoile Info (bis)"  # edited: read again


def test_every_network_named_elsewhere_has_an_entry():
    """reseaux.yml may gain or lose networks; what must hold is that nothing names a code it lacks:
    the rules (targets, places shown, networks no rule routes to), the scenarios' expectations, the
    seed directory, the importers' mappings, the coverage report and the channels."""
    rules = load_rules_data()
    expected = [scenario["attendu"] for scenario in load_scenarios()]
    with SEED_CSV_PATH.open(encoding="utf-8", newline="") as handle:
        seed = {row["reseau"] for row in csv.DictReader(handle)}
    named = {
        "regles.yml": {code for r in rules["regles"] for code in [*(r.get("reseaux") or []), *(r.get("lieux") or [])]
                       if code != CEP_TOKEN} | set(rules.get("non_routes") or {}),
        "scenarios.yml": {code for attendu in expected
                          for code in [*(attendu.get("reseaux") or []), *(attendu.get("lieux_repli") or []),
                                       *(attendu.get("lieux_reseaux") or []), attendu.get("operateur_cep")]
                          if code},
        SEED_CSV_PATH.name: seed,
        "knowledge/sources.py": {*DILA_RESEAUX.values(), *PASSEMPLOI_STRUCTURES.values()},
        "knowledge/couverture.py": set(RESEAUX_COUVERTURE),
    }
    assert all(named.values())  # each still names networks where the test looks
    codes = set(load_reseaux())
    assert {where: sorted(found - codes) for where, found in named.items() if found - codes} == {}


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def postgres_url():
    """A throw-away PostgreSQL database named by KNOWLEDGE_TEST_POSTGRES_URL (its tables are
    dropped); the test is skipped when the variable is not set."""
    url = os.environ.get("KNOWLEDGE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("KNOWLEDGE_TEST_POSTGRES_URL non défini : pas de serveur PostgreSQL de test")
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    yield url
    Base.metadata.drop_all(engine)
    engine.dispose()


def test_postgresql_seeds_looks_up_and_imports_like_sqlite(postgres_url, seeded, communes):
    directory = Directory.open(postgres_url, communes=communes)
    try:
        assert directory.check() == []
        tours = communes.resolve("Tours").resolved
        for reseau in ("france-travail", "mission-locale", "cio", "cci"):
            assert directory.lieux(reseau, tours) == seeded.lieux(reseau, tours)
        first = directory.import_file(DI_EXPORT)
        again = directory.import_file(DI_EXPORT)
        assert (first.added, again.added, again.updated) == (3, 0, 0)
    finally:
        directory.close()
