"""Tests of the public extracts' readers, their merge into the directory, the seed built from them
and the coverage report (issue 14).

Rows are taken, byte for byte, from the verbatim copies in knowledge/data/sources/ (with their
defects: the 0x92 apostrophe carried as U+0092, empty « Tél : | », a comment after a number,
decimal commas, « Cedex », a site with a lost slash, unreadable hours).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from knowledge import seed, sources
from knowledge.__main__ import main
from knowledge.communes import DEPARTEMENTS, load_communes
from knowledge.couverture import mesurer, par_reseau, rapport, total
from knowledge.directory import SEED_CSV_PATH, Directory
from knowledge.horaires import en_clair

SOURCES = seed.SOURCES_DIR
DILA = "dada_annuaire_dila2019_cvl.csv"
PE_2019 = "lesemplois_pole_emploi_agencies_cvl.csv"
FS_2020 = "anct_france_services_2020_cvl.csv"
MILO = "passemploi_referentiel_structures_milo_cvl.csv"
AGENCES_PE = "passemploi_agences_pe_cvl.csv"
HAND = "structures_manuelles.csv"


@pytest.fixture(scope="module")
def communes():
    return load_communes()


def extract(tmp_path: Path, name: str, *starts: str) -> Path:
    """A file with the header of a source and its lines that start with ``starts``, in that
    order, byte for byte."""
    lines = (SOURCES / name).read_bytes().splitlines(keepends=True)
    chosen = [next(line for line in lines[1:] if line.startswith(start.encode("utf-8"))) for start in starts]
    path = tmp_path / f"{len(list(tmp_path.iterdir()))}-{name}"
    path.write_bytes(lines[0] + b"".join(chosen))
    return path


def records(path: Path) -> dict[str, dict]:
    kind, found = sources.read(sources.decode(path.read_bytes()))
    return dict(found)


@pytest.fixture
def empty(communes, tmp_path):
    directory = Directory.open(f"sqlite:///{tmp_path / 'k.db'}", communes=communes, seed=None)
    yield directory
    directory.close()


def place(directory, place_id):
    return next(p for dep in DEPARTEMENTS for reseau in ("mission-locale", "cio", "france-travail", "cci",
                                                          "reseau-information-jeunesse", "apec")
                for p in directory.lieux(reseau, departement=dep, limit=100) if p["id"] == place_id)


def stored(directory, place_id):
    from sqlalchemy import select

    from knowledge.models import Lieu
    with directory._sessions() as session:
        return session.execute(select(Lieu).where(Lieu.id == place_id)).scalar_one()


# --------------------------------------------------------------------------- decoding, formats


def test_a_windows_1252_byte_is_read_as_its_character_raw_or_carried_into_utf8():
    assert sources.decode("Centre d\x92information".encode("utf-8")) == "Centre d’information"
    assert sources.decode(b"Centre d\x92information, f\xc3\xa9d\xc3\xa9ration des \x9cuvres") == \
        "Centre d’information, fédération des œuvres"
    assert sources.decode("\ufeffRésidence".encode("utf-8")) == "Résidence"


@pytest.mark.parametrize("name, kind", [
    (DILA, "dila"), (PE_2019, "pole-emploi-2019"), (FS_2020, "france-services-2020"),
    (MILO, "milo-referentiel"), (AGENCES_PE, "passemploi-agences"),
    ("passemploi_agences_milo_cvl.csv", "passemploi-agences"), (HAND, None),
])
def test_the_format_is_told_by_the_header(name, kind):
    header = next(csv.reader(io.StringIO((SOURCES / name).read_text(encoding="utf-8"))))
    assert sources.detect(header) == kind


# --------------------------------------------------------------------------- readers


def test_dila_reader_reads_the_notes_field_and_the_defects(tmp_path):
    path = extract(tmp_path, DILA, "cio-18033-01", "cij-41018-01", "cci-18033-01", "apec-45234-01",
                   "cio-28280-01", "msap-36016-01", "greta-18033-01")
    got = records(path)
    cio = got["dila:cio-18033-01"]
    assert cio["nom"] == "Centre d’information et d’orientation (CIO) - Bourges"
    assert (cio["reseau"], cio["adresse"], cio["code_postal"], cio["commune"], cio["telephone"]) == \
        ("cio", "1 A rue Charles-VII", "18000", "Bourges", "02 38 83 49 13")
    assert cio["courriel"] == "ce.ciobourges@ac-orleans-tours.fr" and cio["date_maj"] == "2019-10-22"
    assert cio["source"].startswith("okfnfr/dada-france-authorities@6811933f")
    assert cio["source"].endswith("[dila:cio-18033-01]")
    # The id's « 41018-01 » is no part of the name.
    assert got["dila:cij-41018-01"]["nom"] == "Bureau information jeunesse - Blois"
    assert got["dila:cij-41018-01"]["reseau"] == "reseau-information-jeunesse"
    # Cedex: the postal code as given, the commune without « Cedex ».
    cci = got["dila:cci-18033-01"]
    assert (cci["adresse"], cci["code_postal"], cci["commune"]) == ("Avenue d'Issoudun - CS 70237", "18022", "Bourges")
    # A comment after the number is left out.
    assert got["dila:apec-45234-01"]["telephone"] == "08 09 36 12 12"
    # « http://www.ac-orleans-tours.frorientation »: left out, and said.
    assert got["dila:cio-28280-01"]["site_web"] is None
    assert "illisible" in got["dila:cio-28280-01"]["_remarques"][0]
    assert "ac-orleans-tours.frorientation" in got["dila:cio-28280-01"]["_remarques"][0]
    # A site of 2019 in plain http is no link to send people to: left out, and said.
    assert cio["site_web"] is None and cio["_remarques"] == [
        "site web sans https laissé de côté : 'http://www.ac-orleans-tours.fr'"]
    # Types that are no SPRO network are refused with a reason.
    assert "Maison de services au public" in got["dila:msap-36016-01"]["_erreur"]
    assert "Greta" in got["dila:greta-18033-01"]["_erreur"]


def test_dila_empty_phone_stays_empty_and_an_unreadable_address_is_refused(tmp_path):
    # msap-36016-01 as copied, its type set to cij to go past the type check: « Tél : | ».
    text = sources.decode(extract(tmp_path, DILA, "msap-36016-01").read_bytes()).replace(",msap,", ",cij,")
    (_, row), = sources.read(text)[1]
    assert row["telephone"] is None and row["adresse"] == "Bureau de poste - 4 rue Aristide-Briand"
    assert (row["code_postal"], row["commune"]) == ("36370", "Bélâbre")
    broken = text.replace("Bureau de poste - 4 rue Aristide-Briand,36370,Bélâbre", "à compléter")
    (_, row), = sources.read(broken)[1]
    assert row["_erreur"].startswith("adresse illisible")


def test_pole_emploi_reader_reads_decimal_commas_and_refuses_direction_sites(tmp_path, empty):
    path = extract(tmp_path, PE_2019, "CEN0097006110", "CEN0471005725")
    report = empty.import_file(path)
    assert (report.added, report.updated) == (1, 0)
    assert report.rejected == [("pe2019:CEN0471005725",
                                "site de type DDA (direction), pas une agence qui reçoit le public")]
    row = stored(empty, "pe2019:CEN0097006110")
    assert (row.latitude, row.longitude, row.coordonnees_origine) == (47.22519, 2.05975, "source")
    assert (row.adresse, row.code_postal, row.commune, row.code_insee) == \
        ("6 rue Bernard Palissy", "18100", "Vierzon", "18279")
    assert row.telephone is None  # the list gives no phone: none is made up


def test_france_services_reader_writes_the_hours_in_osm_form(tmp_path):
    got = records(extract(tmp_path, FS_2020, "166,", "118,", "220,"))
    la_loupe = got["fs2020:166"]
    assert la_loupe["nom"] == "France services – La Loupe" and la_loupe["reseau"] == "france-services"
    # A no-break space in « 8:00\xa0- 10:00 »; a labelled span becomes an OSM comment.
    assert la_loupe["horaires_accueil"] == (
        'Mo-Th 08:00-12:15; Fr 08:00-10:00, Mo,Th 13:30-16:00 "Sur RDV ou autonomie postes informatiques"')
    assert (la_loupe["code_insee"], la_loupe["latitude"], la_loupe["telephone"]) == (
        "28214", "48.47335", "02 37 81 38 93")
    # « 14:00 - 17-00 »: no guess, no hours at all, and said.
    assert got["fs2020:118"]["horaires_accueil"] is None
    assert "17-00" in got["fs2020:118"]["_remarques"][0]
    # No phone in the source: none.
    assert got["fs2020:220"]["telephone"] is None
    assert got["fs2020:220"]["horaires_accueil"].startswith("Mo 14:00-18:00; Tu-Fr 08:15-12:15,14:00-18:00; Sa ")


def test_france_services_are_imported_as_their_own_network(tmp_path, empty):
    report = empty.import_file(extract(tmp_path, FS_2020, "166,"))
    assert report.rejected == [] and report.added == 1
    assert records(extract(tmp_path, FS_2020, "166,"))["fs2020:166"]["reseau"] == "france-services"


def test_referential_and_agency_readers(tmp_path):
    milo = records(extract(tmp_path, MILO, "18279S00"))["milo:18279S00"]
    assert milo["nom"] == "MISSION LOCALE JEUNES DU PAYS DE VIERZON [18-ML VIERZON]"
    assert (milo["code_insee"], milo["departement"], milo["date_maj"]) == ("18279", "18", "2023-09-18")
    agence = records(extract(tmp_path, "passemploi_agences_milo_cvl.csv", "9,"))["passemploi-agence:9"]
    assert agence["nom"] == "Mission Locale De Bourges Mehun Sur Yevre Et St Florent Sur Cher"
    assert (agence["reseau"], agence["departement"]) == ("mission-locale", "18")
    pe = records(extract(tmp_path, AGENCES_PE, "676,"))["passemploi-agence:676"]
    assert (pe["reseau"], pe["nom"]) == ("france-travail", "Agence Pôle emploi VIERZON")


def test_opening_hours_read_in_french():
    assert en_clair("Mo-Fr 08:30-12:00,13:30-16:30; Sa 09:00-12:00") == \
        "du lundi au vendredi : 8 h 30 – 12 h, 13 h 30 – 16 h 30 ; samedi : 9 h – 12 h"
    assert en_clair('Mo,Th 13:30-16:00 "Sur RDV", Tu "Sur RDV"') == \
        "lundi, jeudi : 13 h 30 – 16 h (Sur RDV) ; mardi : Sur RDV"
    # Free text of a hand-sourced row is shown as written.
    assert en_clair("Lundi au vendredi 8h30-12h et 13h30-17h") == "Lundi au vendredi 8h30-12h et 13h30-17h"
    assert en_clair(None) is None and en_clair("  ") is None


# --------------------------------------------------------------------------- merge


def test_rows_of_the_same_place_merge_each_field_keeping_its_source(tmp_path, empty, communes):
    hand = extract(tmp_path, HAND, "mission-locale,Mission Locale Jeunes du Pays de Vierzon")
    assert empty.import_file(hand).added == 1
    (place_id,) = [p["id"] for p in empty.lieux("mission-locale", departement="18")]
    milo = empty.import_file(extract(tmp_path, MILO, "18279S00"))
    dila = empty.import_file(extract(tmp_path, DILA, "mission_locale-18279-01"))
    assert (milo.added, milo.merged, dila.added, dila.merged) == (0, 1, 0, 1)

    vierzon = communes.resolve("Vierzon").resolved
    (lieu,) = empty.lieux("mission-locale", vierzon, limit=10)
    assert lieu["id"] == place_id
    assert lieu["nom"] == "Mission Locale Jeunes du Pays de Vierzon"  # the hand-sourced name
    assert (lieu["adresse"], lieu["telephone"]) == ("28 avenue Pierre-Sémard", "02 48 75 85 12")
    row = stored(empty, place_id)
    segments = row.source.split(" | ")
    assert segments[-1].startswith("adresse, telephone, courriel : okfnfr/dada-france-authorities@")
    assert segments[-1].endswith("[dila:mission_locale-18279-01]")
    assert any(s.startswith("même lieu : SocialGouv/pass-emploi-api@") and s.endswith("[milo:18279S00]")
               for s in segments)
    assert row.date_maj.endswith(" ; 2019-10-22 (adresse, telephone, courriel)")

    # Re-importing an extract changes nothing.
    for path in (extract(tmp_path, MILO, "18279S00"), extract(tmp_path, DILA, "mission_locale-18279-01")):
        again = empty.import_file(path)
        assert (again.added, again.updated, again.rejected) == (0, 0, [])


def test_a_field_the_hand_sourced_row_gives_wins_over_an_older_extract(tmp_path, empty, communes):
    empty.import_file(extract(tmp_path, HAND, "mission-locale,Mission Locale du Drouais"))
    empty.import_file(extract(tmp_path, DILA, "mission_locale-28134-01"))
    (lieu,) = empty.lieux("mission-locale", communes.resolve("Dreux").resolved, limit=10)
    assert lieu["adresse"] == "rue Henri-Dunant"          # the hand row's (2023 article)
    assert lieu["telephone"] == "02 37 38 57 67"          # only the DILA gives one
    assert lieu["site_web"] == "https://mldrouais.fr"     # the hand row's, not the DILA's


def test_an_agency_known_by_its_name_gets_the_address_of_the_same_agency_in_2019(tmp_path, empty):
    empty.import_file(extract(tmp_path, AGENCES_PE, "676,"))
    report = empty.import_file(extract(tmp_path, PE_2019, "CEN0097006110"))
    assert (report.added, report.merged) == (0, 1)
    row = stored(empty, "passemploi-agence:676")
    assert (row.nom, row.adresse, row.commune, row.coordonnees_origine) == \
        ("Agence Pôle emploi VIERZON", "6 rue Bernard Palissy", "Vierzon", "source")
    assert "adresse, commune, coordonnees : gip-inclusion/les-emplois@" in row.source


def test_a_name_contained_in_two_rows_of_the_file_merges_with_neither(tmp_path, empty):
    empty.import_file(extract(tmp_path, HAND, "cidff,CIDFF du Loiret"))
    report = empty.import_file(extract(tmp_path, DILA, "cidf-45208-01", "cidf-45234-01"))
    assert (report.added, report.merged) == (2, 0)
    loiret = next(row for row in empty.seed_rows() if row["nom"] == "CIDFF du Loiret")
    assert (loiret["commune"], loiret["adresse"], loiret["telephone"]) == ("", "", "")


def test_two_places_of_one_network_in_one_commune_are_not_merged(tmp_path, empty):
    report = empty.import_file(extract(tmp_path, DILA, "mission_locale-37261-01", "mission_locale-37261-02"))
    assert (report.added, report.merged) == (2, 0)


# --------------------------------------------------------------------------- seed, coverage, CLI


def test_the_committed_seed_is_what_the_sources_build():
    rows, reports = seed.build()
    assert SEED_CSV_PATH.read_text(encoding="utf-8") == seed.seed_text(rows), \
        "structures_cvl.csv n'est pas à jour : python scripts/build_structures.py"
    assert reports[DILA].remarques and all(reason for _, reason in reports[DILA].rejected)


def test_the_seed_keeps_every_hand_sourced_place(communes, tmp_path):
    hand = Directory.open(f"sqlite:///{tmp_path / 'hand.db'}", communes=communes, seed=SOURCES / HAND)
    seeded = Directory.open(f"sqlite:///{tmp_path / 'seed.db'}", communes=communes)
    try:
        seed_ids = {row["id"] for row in seeded.seed_rows()}
        assert {row["id"] for row in hand.seed_rows()} <= seed_ids
    finally:
        hand.close()
        seeded.close()


def test_coverage_counts_the_first_place_of_each_commune(tmp_path, empty, communes):
    empty.import_file(extract(tmp_path, DILA, "cio-18033-01"))
    cells = mesurer(empty, communes, ["cio"])
    cher = cells[("cio", "18")]
    assert cher.communes == cher.complets == cher.locaux == sum(1 for c in communes.all() if c.departement == "18")
    assert 0 < cher.distance_mediane < 80
    loiret = cells[("cio", "45")]
    assert loiret.complets == loiret.locaux == 0 and loiret.distance_mediane is None  # the network's service
    assert total(cells).communes == sum(c.communes for c in cells.values())
    lines = rapport(cells)
    assert any(line.startswith("cio") and " 18 " in line and "100,0 %" in line for line in lines)
    assert lines[-1].startswith("Ensemble : ")


def test_coverage_of_the_seed_meets_the_targets_where_sources_give_addresses_and_phones(communes, tmp_path):
    seeded = Directory.open(f"sqlite:///{tmp_path / 'seed.db'}", communes=communes)
    try:
        by_network = par_reseau(mesurer(seeded, communes))
    finally:
        seeded.close()
    for reseau in ("mission-locale", "cio", "reseau-information-jeunesse"):
        assert by_network[reseau].part_complets >= 0.95, reseau
    # No source gives a France Travail agency's phone, nor any Cap emploi outside the 37.
    assert by_network["france-travail"].part_complets == 0.0
    assert by_network["france-travail"].locaux == by_network["france-travail"].communes


def test_cli_imports_an_extract_and_prints_the_coverage(tmp_path, capsys, communes):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    # The seed has this CIO already (merged into « CIO de Châteaudun – antenne de Nogent-le-Rotrou »).
    assert main(["--db", db, "import", str(extract(tmp_path, DILA, "cio-28280-01", "greta-18033-01"))]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "ajoutés : 0, mis à jour : 0, rejetés : 1"
    assert "entrée dila:greta-18033-01 : type DILA « greta » non repris" in out
    assert "entrée dila:cio-28280-01, importée : site web illisible laissé de côté" in out
    assert main(["--db", db, "check", "--couverture"]) == 0
    out = capsys.readouterr().out
    assert "mission-locale" in out and out.strip().splitlines()[-1].startswith("Ensemble : ")


def test_hours_are_shown_in_the_telegram_message_and_the_fiche():
    from bot.console.fiche import render_html
    from bot.gateway.telegram.render import _lieu as telegram_lieu
    from knowledge import get_kb

    lieu = {"id": "x", "reseau": "cio", "nom": "CIO de test", "adresse": "1 rue A", "commune": "Tours",
            "telephone": "02 47 00 00 00", "site_web": None, "distance_km": 1.0,
            "horaires": "du lundi au vendredi : 9 h – 12 h"}
    assert "  Horaires : du lundi au vendredi : 9 h – 12 h" in telegram_lieu(lieu)
    orientation = {"reseaux": ["cio"], "operateur_cep": None, "lieux": [lieu], "raisons": [], "profil": {}}
    fiche = {"code_liaison": "K7M2QX9P", "date": "2026-11-25T09:12", "canal": "web",
             "orientation": {**orientation, **get_kb().presentation(orientation)}}
    assert "<p>Horaires : du lundi au vendredi : 9 h – 12 h</p>" in render_html(fiche)
    assert not any("Horaires" in line for line in telegram_lieu({**lieu, "horaires": None}))
