"""The structures directory: networks and reception places, where they are and whom they serve.

Owns: loading the networks of knowledge/data/reseaux.yml; importing places from our CSV format
(knowledge/data/structures_cvl.csv, the seed), from a data·inclusion JSON export, or from one of
the public extracts read by knowledge.sources (merged into the places they describe), with
validation and provenance; the competence zone of each place; the place lookup used by routing
(`lieux`: competent places first, then the nearest in the person's département, a place without
address or phone counting as INCOMPLETE_DETOUR_KM farther, else the network's own regional or
national service); the seed's rows (`seed_rows`, see knowledge.seed); and the directory's
consistency check.

Facts are never made up here: a place keeps what its source said. What is derived is derived
from the communes reference (coordinates and INSEE code of a named commune, the département of
a commune, postal code or referential code) and marked as such.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from knowledge import sources
from knowledge.communes import DEPARTEMENTS, Commune, Communes, distance_km, load_communes
from knowledge.horaires import en_clair
from knowledge.models import (
    COORDS_COMMUNE,
    COORDS_NAME,
    COORDS_SOURCE,
    Lieu,
    ReseauRow,
    create_schema,
    make_engine,
    make_session_factory,
)
from knowledge.texte import fold

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
RESEAUX_PATH = DATA_DIR / "reseaux.yml"
SEED_CSV_PATH = DATA_DIR / "structures_cvl.csv"

# Columns of structures_cvl.csv: all required in an imported CSV.
CSV_COLUMNS = (
    "reseau", "nom", "adresse", "code_postal", "commune", "code_insee", "telephone", "courriel",
    "site_web", "horaires", "latitude", "longitude", "source", "date_source",
)
# CSV column -> place field, where the names differ (the CSV predates the data·inclusion names).
CSV_RENAMED = {"horaires": "horaires_accueil", "date_source": "date_maj"}
# Optional CSV columns understood when present.
CSV_OPTIONAL = ("id", "complement_adresse", "departement", "zone_diffusion_type", "zone_diffusion_code")
# Columns of the seed as scripts/build_structures.py writes it.
SEED_COLUMNS = CSV_COLUMNS + ("id", "complement_adresse", "departement")

ZONE_TYPES = ("commune", "epci", "departement", "region", "pays")
PORTEES = ("departement", "region", "pays")
REGION_CODE = "24"
COUNTRY_CODES = ("france", "99100")
REGION_ZONE = tuple(sorted(DEPARTEMENTS))
REGION_ZONE_SET = frozenset(REGION_ZONE)

# Metropolitan France, generously: an import outside this box is a typo (swapped lat/lon...).
FRANCE_LAT = (41.0, 51.5)
FRANCE_LON = (-5.5, 10.0)

# Lookup: a place without a street address or a phone is ranked as if it were this much farther
# than it is, so the nearest place a person can reach comes first unless the other is much nearer
# (and a place in the same commune as another is always outranked by it).
INCOMPLETE_DETOUR_KM = 15.0

# Commune resolutions trusted to attach a place to a commune (not "approx": a guess).
TRUSTED_MATCHES = ("insee", "exact", "normalise", "code_postal")

# "[18-ML CHER SUD]": referential short code of a Mission locale, giving its département.
REFERENTIAL_CODE = re.compile(r"\[(\d{2})-[^\]]*\]")
TRAILING_CODE = re.compile(r"\s*\[[^\]]*\]\s*$")
PHONE = re.compile(r"0[1-9]\d{8}|\+33[1-9]\d{8}|\d{4}")
PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
WEBSITE = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:[/?#]\S*)?", re.I)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I)
INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")
POSTAL_CODE = re.compile(r"\d{5}")


class DirectoryError(Exception):
    """A file that cannot be imported as a whole (format, columns); nothing was written."""


@dataclass(frozen=True)
class Reseau:
    code: str
    nom: str
    site_web: str | None
    telephone: str | None
    description: str
    source: str
    date_maj: str


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    rejected: list[tuple[int | str, str]] = field(default_factory=list)
    # Fields of imported rows left out because they could not be read (the row was imported).
    remarques: list[tuple[int | str, str]] = field(default_factory=list)
    # Rows of a source extract merged into a place already known (same place, other source).
    merged: int = 0


@dataclass(frozen=True)
class _NetworkSpec:
    """A network as configured in reseaux.yml, with what import and display need."""

    reseau: Reseau
    portee: str
    reseaux_porteurs: tuple[str, ...]
    mots_du_nom: tuple[str, ...]
    renommages: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _IndexedPlace:
    public: dict                 # the §4 "lieux" dict, without distance_km
    departement: str | None
    latitude: float | None       # may be approximate (see show_distance)
    longitude: float | None
    show_distance: bool
    zone_codes: frozenset[str]


class _Rejected(Exception):
    """A row that cannot be imported; the message is the French reason."""


# --------------------------------------------------------------------------- small helpers


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", fold(text)))


def _split_codes(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = re.split(r"[\s,;|]+", str(value))
    return [str(c).strip() for c in items if str(c).strip()]


def _parse_coordinate(value: Any, label: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Rejected(f"{label} non numérique : {value!r}")
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise _Rejected(f"{label} non numérique : {value!r}") from None


def _zone_from_codes(codes: Iterable[str]) -> tuple[str, list[str]]:
    """Zone type and codes from data·inclusion v1 `zone_eligibilite`-style codes."""
    kinds, kept = set(), []
    for code in codes:
        lowered = code.lower()
        if lowered in COUNTRY_CODES:
            kinds.add("pays")
            kept.append("france")
        elif len(code) == 5:
            kinds.add("commune")
            kept.append(code.upper())
        elif len(code) == 9 and code.isdigit():
            kinds.add("epci")
            kept.append(code)
        elif 2 <= len(code) <= 3:
            kinds.add("departement")
            kept.append(code.upper())
        else:
            raise _Rejected(f"code de zone non reconnu : {code!r}")
    kept = sorted(set(kept))
    if "pays" in kinds:
        return "pays", ["france"]
    if "departement" in kinds:
        if REGION_ZONE_SET <= set(kept):
            return "region", kept
        return "departement", kept
    return ("epci" if "epci" in kinds else "commune"), kept


def _zone_from_type(zone_type: str, codes: list[str]) -> tuple[str, list[str]]:
    """Zone from a `zone_diffusion_type` and its code(s) (data·inclusion v0 style, our CSV)."""
    if zone_type not in ZONE_TYPES:
        raise _Rejected(f"type de zone de diffusion inconnu : {zone_type!r}")
    if zone_type == "pays":
        return "pays", ["france"]
    if zone_type == "region":
        # A region zone is stored as its départements, as data·inclusion v1 does.
        if codes and codes != [REGION_CODE]:
            raise _Rejected(f"zone de diffusion hors Centre-Val de Loire : région {', '.join(codes)}")
        return "region", list(REGION_ZONE)
    if not codes:
        raise _Rejected(f"zone de diffusion « {zone_type} » sans code")
    return zone_type, sorted({c.upper() for c in codes})


def _contact_problem(telephone: str | None, site_web: str | None, courriel: str | None = None) -> str | None:
    """The French reason why a contact field does not look like one, or None."""
    if telephone and not PHONE.fullmatch(PHONE_SEPARATORS.sub("", telephone)):
        return f"numéro de téléphone mal formé : {telephone!r}"
    if site_web and not WEBSITE.fullmatch(site_web):
        return f"site web mal formé : {site_web!r}"
    if courriel and not EMAIL.fullmatch(courriel):
        return f"courriel mal formé : {courriel!r}"
    return None


# Words of place names that tell the network or the kind of place, not which place it is: set
# aside to compare names across sources (« APE VIERZON » and « Agence Pôle emploi VIERZON »).
NAME_NOISE = frozenset("""
    a2s agence ape pe pole emploi france travail dt mission locale ml jeunes jeune pour l d de du des la
    le les et en sur insertion professionnelle sociale 16 25 ans antenne structure point bureau centre
    information jeunesse pij bij crij cij orientation cio et chambre metiers metier artisanat cma
    commerce industrie cci agriculture droits femmes familles cidff services france pays arrondissement
    """.split())
REFERENTIAL_CODE_FULL = re.compile(r"\[(\d{2}-ML [^\]]+)\]")
SEGMENT_FIELDS = re.compile(r"^(?P<fields>[a-z_, ]+) : .*\[(?P<ref>[^\]]+)\]$")


def _digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def _street_key(adresse: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(adresse or "")))


def _name_key(nom: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", fold(TRAILING_CODE.sub("", nom)))
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in words]
    return frozenset(w for w in words if w not in NAME_NOISE and not w.isdigit())


def _fields_of(row, place_id: str) -> set[str]:
    """Field groups a source gave a place, read from the place's ``source``."""
    for segment in (row.source or "").split(" | "):
        match = SEGMENT_FIELDS.match(segment)
        if match and match.group("ref") == place_id:
            return {f.strip() for f in match.group("fields").split(",")}
    return set()


def _stable_id(reseau: str, nom: str, where: str | None) -> str:
    key = "|".join((reseau, fold(nom), fold(where or "")))
    return f"{reseau}--{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


# --------------------------------------------------------------------------- networks


def load_reseaux(path: str | Path = RESEAUX_PATH) -> dict[str, _NetworkSpec]:
    """The networks of reseaux.yml by code; DirectoryError when the file is malformed."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DirectoryError(f"Fichier des réseaux illisible ({path}) : {exc}") from exc
    entries = data.get("reseaux") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise DirectoryError(f"Fichier des réseaux sans liste « reseaux » : {path}")
    specs: dict[str, _NetworkSpec] = {}
    for position, entry in enumerate(entries, start=1):
        missing = [k for k in ("code", "nom", "description", "source", "date_maj", "portee")
                   if not isinstance(entry, dict) or not _clean(entry.get(k))]
        if missing:
            raise DirectoryError(f"Réseau n°{position} de {path} : champ(s) manquant(s) : {', '.join(missing)}")
        code = entry["code"].strip()
        if code in specs:
            raise DirectoryError(f"Réseau en double dans {path} : {code}")
        if entry["portee"] not in PORTEES:
            raise DirectoryError(f"Réseau {code} : portée inconnue {entry['portee']!r}")
        specs[code] = _NetworkSpec(
            reseau=Reseau(
                code=code,
                nom=entry["nom"].strip(),
                site_web=_clean(entry.get("site_web")),
                telephone=_clean(entry.get("telephone")),
                description=entry["description"].strip(),
                source=entry["source"].strip(),
                date_maj=str(entry["date_maj"]).strip(),
            ),
            portee=entry["portee"],
            reseaux_porteurs=tuple(entry.get("reseaux_porteurs") or ()),
            mots_du_nom=tuple(fold(w) for w in entry.get("mots_du_nom") or ()),
            renommages=tuple(tuple(pair) for pair in entry.get("renommages") or ()),
        )
    return specs


# --------------------------------------------------------------------------- reading files


def _read_csv(path: Path) -> list[tuple[int | str, dict]]:
    """(line number, raw record with place field names) for each data line of our CSV."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DirectoryError(f"Le fichier {path.name} n'est pas encodé en UTF-8.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS if c not in columns]
    if missing:
        raise DirectoryError(
            f"Colonnes manquantes dans {path.name} : {', '.join(missing)}. "
            f"Colonnes attendues : {', '.join(CSV_COLUMNS)}."
        )
    records = []
    for row in reader:
        raw = {}
        for column, value in row.items():
            name = (column or "").strip()
            if name in CSV_COLUMNS or name in CSV_OPTIONAL:
                raw[CSV_RENAMED.get(name, name)] = value
        # Line numbers as a spreadsheet shows them: the header is line 1.
        records.append((reader.line_num, raw))
    return records


def _unwrap(item: Any) -> Any:
    """data·inclusion search results wrap objects: {"service": {...}, "distance": 3}."""
    if isinstance(item, dict):
        for key in ("service", "structure"):
            if isinstance(item.get(key), dict) and "id" not in item and "nom" not in item:
                return item[key]
    return item


def _read_json(path: Path) -> Iterator[tuple[int | str, dict]]:
    """Raw records from a data·inclusion export: structures, and services folded into them."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DirectoryError(f"Fichier JSON illisible ({path.name}) : {exc}") from exc
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and any(isinstance(data.get(k), list) for k in ("structures", "services", "items")):
        items = [x for k in ("structures", "services", "items") for x in data.get(k) or []]
    else:
        raise DirectoryError(
            f"Format JSON non reconnu ({path.name}) : une liste de structures ou de services, "
            "ou un objet {\"structures\": [...]}, est attendu."
        )

    structures: dict[str, tuple[int | str, dict]] = {}
    ordered: list[tuple[int | str, dict | str]] = []
    services: list[tuple[int | str, dict]] = []
    for position, item in enumerate(items, start=1):
        item = _unwrap(item)
        if not isinstance(item, dict):
            ordered.append((position, "entrée qui n'est pas un objet JSON"))
            continue
        ref = _clean(item.get("id")) or position
        if _clean(item.get("structure_id")):
            services.append((ref, item))
        else:
            ordered.append((ref, item))
            if _clean(item.get("id")):
                structures.setdefault(_clean(item.get("id")), (ref, item))

    # A service describes where its structure works: its eligibility zone is folded into the
    # structure (one place per structure, not one per service). A service whose structure is
    # not in the file stands for a place of its own, with its nested structure's data if any.
    service_zones: dict[str, list[str]] = {}
    for ref, service in services:
        structure_id = _clean(service.get("structure_id"))
        nested = service.get("structure") if isinstance(service.get("structure"), dict) else None
        if structure_id not in structures and nested:
            merged = {**nested, "id": _clean(nested.get("id")) or structure_id}
            structures[structure_id] = (structure_id, merged)
            ordered.append((structure_id, merged))
        if structure_id in structures:
            service_zones.setdefault(structure_id, []).extend(_split_codes(service.get("zone_eligibilite")))
        else:
            ordered.append((ref, service))

    for ref, item in ordered:
        if isinstance(item, str):
            yield ref, {"_erreur": item}
            continue
        raw = dict(item)
        structure_id = _clean(raw.get("id"))
        if structure_id in service_zones and not raw.get("zone_eligibilite") and not raw.get("zone_diffusion_type"):
            raw["zone_eligibilite"] = service_zones[structure_id]
        source = _clean(raw.get("source"))
        link = _clean(raw.get("lien_source"))
        if source and link:
            raw["source"] = f"{source} | {link}"
        yield ref, raw


# --------------------------------------------------------------------------- the directory


class Directory:
    """Networks and places, stored with SQLAlchemy, looked up from an in-memory index."""

    def __init__(self, engine, communes: Communes, reseaux: dict[str, _NetworkSpec]):
        self._engine = engine
        self._sessions = make_session_factory(engine)
        self._communes = communes
        self._specs = reseaux
        self._porteurs: dict[str, list[_NetworkSpec]] = {}
        for spec in reseaux.values():
            for code in spec.reseaux_porteurs:
                self._porteurs.setdefault(code, []).append(spec)
        self._index: dict[str, tuple[_IndexedPlace, ...]] = {}
        self._fallbacks = {code: self._network_entry(spec) for code, spec in reseaux.items()}

    # ---- opening

    @classmethod
    def open(cls, url: str | None = None, communes: Communes | None = None,
             seed: Path | None = SEED_CSV_PATH) -> "Directory":
        """Open (creating the schema, seeding an empty database from ``seed``) and index the
        directory."""
        engine = make_engine(url)
        create_schema(engine)
        directory = cls(engine, communes or load_communes(), load_reseaux())
        # Several processes (action server, gateway) may open a new database at the same time:
        # the one that loses the race finds the data written by the other on its second try.
        for attempt in (1, 2):
            try:
                directory._sync_reseaux()
                directory._seed_if_empty(seed)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        return directory

    def _seed_if_empty(self, seed: Path | None) -> None:
        with self._sessions() as session:
            count = session.execute(select(func.count()).select_from(Lieu)).scalar_one()
        if count or seed is None:
            self._rebuild_index()
            return
        report = self.import_file(seed)
        for ref, reason in report.rejected:
            log.warning("Seed %s, ligne %s rejetée : %s", Path(seed).name, ref, reason)

    def seed_rows(self) -> list[dict[str, str]]:
        """Every place as a row of our CSV (SEED_COLUMNS), so that importing the rows gives the
        same places back: coordinates only when a source gave them (derived ones are derived
        again), the département only when no commune gives it."""
        with self._sessions() as session:
            rows = session.execute(select(Lieu)).scalars().all()
        out = []
        for row in rows:
            source_coords = row.coordonnees_origine == COORDS_SOURCE
            out.append({
                "reseau": row.reseau, "nom": row.nom, "adresse": row.adresse or "",
                "code_postal": row.code_postal or "", "commune": row.commune or "",
                "code_insee": row.code_insee or "", "telephone": row.telephone or "",
                "courriel": row.courriel or "", "site_web": row.site_web or "",
                "horaires": row.horaires_accueil or "",
                "latitude": repr(row.latitude) if source_coords else "",
                "longitude": repr(row.longitude) if source_coords else "",
                "source": row.source, "date_source": row.date_maj, "id": row.id,
                "complement_adresse": row.complement_adresse or "",
                "departement": row.departement if row.departement and not row.code_insee else "",
            })
        order = list(self._specs)
        out.sort(key=lambda r: (order.index(r["reseau"]) if r["reseau"] in order else len(order),
                                r["departement"] or (self._communes.get(r["code_insee"]).departement
                                                     if r["code_insee"] and self._communes.get(r["code_insee"])
                                                     else ""),
                                fold(r["nom"]), r["id"]))
        return out

    def close(self) -> None:
        self._engine.dispose()

    def _sync_reseaux(self) -> None:
        """reseaux.yml is the reference for networks: the table mirrors it."""
        with self._sessions() as session, session.begin():
            for spec in self._specs.values():
                r = spec.reseau
                session.merge(ReseauRow(
                    code=r.code, nom=r.nom, description=r.description, site_web=r.site_web,
                    telephone=r.telephone, portee=spec.portee, source=r.source, date_maj=r.date_maj,
                ))

    # ---- networks

    def reseau(self, code: str) -> Reseau | None:
        spec = self._specs.get(code)
        return spec.reseau if spec else None

    def reseaux(self) -> list[Reseau]:
        return [spec.reseau for spec in self._specs.values()]

    # ---- lookup

    def lieux(self, reseau: str, commune: Commune | None = None, departement: str | None = None,
              limit: int = 3) -> list[dict]:
        """Places of `reseau` for a person: competent for the commune first, then the nearest
        in the département; the network's own service when it has no place there."""
        if reseau not in self._specs or limit < 1:
            return []
        departement = commune.departement if commune else departement
        insee = commune.insee if commune else None
        origin = (commune.latitude, commune.longitude) if commune and commune.latitude is not None else None
        places = self._index.get(reseau, ())
        has_local = departement is not None and any(p.departement == departement for p in places)

        ranked = []
        for place in places:
            rank = self._rank(place, insee, departement, has_local)
            if rank is None:
                continue
            distance = None
            if origin and place.latitude is not None and place.longitude is not None:
                distance = distance_km(origin[0], origin[1], place.latitude, place.longitude)
            # A place a person can reach (a street address and a phone) goes before one
            # without that is less than INCOMPLETE_DETOUR_KM nearer.
            incomplete = not (place.public["adresse"] and place.public["telephone"])
            detour = INCOMPLETE_DETOUR_KM if incomplete else 0.0
            ranked.append((rank, distance is None, (distance or 0.0) + detour, incomplete,
                           place.public["nom"], distance, place))
        ranked.sort(key=lambda item: item[:5])

        result = []
        for *_, distance, place in ranked[:limit]:
            shown = round(distance, 1) if distance is not None and place.show_distance else None
            result.append({**place.public, "distance_km": shown})
        if not result:
            result.append(dict(self._fallbacks[reseau]))
        return result

    @staticmethod
    def _rank(place: _IndexedPlace, insee: str | None, departement: str | None, has_local: bool) -> int | None:
        """0 competent for the commune, 1 in the département, 2 competent from elsewhere;
        None when the place is not for this person."""
        in_departement = departement is not None and place.departement == departement
        if has_local and not in_departement:
            return None
        if insee and insee in place.zone_codes:
            return 0
        if in_departement:
            return 1
        if "france" in place.zone_codes:
            return 2
        if departement is None:
            # Unknown location is taken as "somewhere in the region".
            return 2 if place.zone_codes >= REGION_ZONE_SET else None
        return 2 if departement in place.zone_codes else None

    def _network_entry(self, spec: _NetworkSpec) -> dict:
        r = spec.reseau
        return {
            "id": f"reseau:{r.code}", "reseau": r.code, "nom": r.nom, "commune": None,
            "code_insee": None, "departement": None, "adresse": None,
            "telephone": r.telephone, "site_web": r.site_web, "distance_km": None,
        }

    def _display_name(self, spec: _NetworkSpec, nom: str) -> str:
        for old, new in spec.renommages:
            if old in nom:
                nom = nom.replace(old, new, 1)
                break
        return TRAILING_CODE.sub("", nom)

    def _rebuild_index(self) -> None:
        index: dict[str, list[_IndexedPlace]] = {}
        with self._sessions() as session:
            rows = session.execute(select(Lieu).order_by(Lieu.id)).scalars().all()
        for row in rows:
            spec = self._specs.get(row.reseau)
            if spec is None:  # reported by check(); never shown
                continue
            adresse = ", ".join(p for p in (row.adresse, row.complement_adresse) if p) or None
            public = {
                "id": row.id, "reseau": row.reseau, "nom": self._display_name(spec, row.nom),
                "commune": row.commune, "code_insee": row.code_insee, "departement": row.departement,
                "adresse": adresse, "telephone": row.telephone,
                # A place without its own website shows its network's (domain.md §7).
                "site_web": row.site_web or spec.reseau.site_web,
            }
            horaires = en_clair(row.horaires_accueil)
            if horaires:
                # Only where a source gives them: opening hours as people read them (French).
                public["horaires"] = horaires
            index.setdefault(row.reseau, []).append(_IndexedPlace(
                public=public, departement=row.departement, latitude=row.latitude,
                longitude=row.longitude, show_distance=row.coordonnees_origine != COORDS_NAME,
                zone_codes=frozenset(row.zone_diffusion_codes or ()),
            ))
        self._index = {code: tuple(places) for code, places in index.items()}

    # ---- import

    def import_file(self, path: str | Path) -> ImportReport:
        """Import places from our CSV, a data·inclusion JSON export, or one of the public extracts
        of knowledge/data/sources/ (format told by the header, see knowledge.sources), in one
        transaction. Re-importing the same file changes nothing (0 added, 0 updated).

        Our CSV and JSON replace a place by id. An extract's row is merged into the place it
        describes when the directory knows it already (see ``_same_place``): it only fills what
        that place lacks, and the fields it gave are named with its source in the place's
        ``source`` (« adresse, telephone : <source> [<id>] »)."""
        path = Path(path)
        if not path.is_file():
            raise DirectoryError(f"Fichier introuvable : {path}")
        extract = self._read_extract(path)
        records = extract[1] if extract else list(self._read(path))

        report = ImportReport()
        places: dict[str, dict] = {}
        first_ref: dict[str, int | str] = {}
        names_only: set[str] = set()
        for ref, raw in records:
            try:
                values = self._build_place(raw)
            except _Rejected as exc:
                report.rejected.append((ref, str(exc)))
                continue
            report.remarques += [(ref, remarque) for remarque in raw.get("_remarques") or ()]
            place_id = values.pop("id")
            if place_id in places:
                report.rejected.append((ref, f"doublon : même identifiant que l'entrée {first_ref[place_id]}"))
                continue
            places[place_id] = values
            first_ref[place_id] = ref
            if raw.get("_nom_seul"):
                names_only.add(place_id)

        with self._sessions() as session, session.begin():
            rows = list(session.execute(select(Lieu)).scalars())
            existing = {row.id: row for row in rows}
            if extract:
                self._merge_extract(session, rows, places, names_only, report)
            else:
                for place_id, values in places.items():
                    row = existing.get(place_id)
                    if row is None:
                        session.add(Lieu(id=place_id, **values))
                        report.added += 1
                    elif any(getattr(row, name) != value for name, value in values.items()):
                        for name, value in values.items():
                            setattr(row, name, value)
                        report.updated += 1
        self._rebuild_index()
        return report

    @staticmethod
    def _read_extract(path: Path) -> tuple[str, list[tuple[str, dict]]] | None:
        """(format, records) when the file is one of the known public extracts, else None."""
        if path.suffix.lower() == ".json":
            return None
        data = path.read_bytes()
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
            return None
        return sources.read(sources.decode(data))

    # ---- merging an extract into the places known

    def _merge_extract(self, session, rows: list[Lieu], places: dict[str, dict], names_only: set[str],
                       report: ImportReport) -> None:
        per_commune: dict[tuple[str, str], int] = {}
        for values in places.values():
            if values["code_insee"]:
                key = (values["reseau"], values["code_insee"])
                per_commune[key] = per_commune.get(key, 0) + 1
        keys_of_file: dict[str, list[tuple[str | None, frozenset[str]]]] = {}
        for values in places.values():
            keys_of_file.setdefault(values["reseau"], []).append((values["departement"], _name_key(values["nom"])))
        for place_id, values in places.items():
            unique_here = bool(values["code_insee"]) and per_commune[(values["reseau"], values["code_insee"])] == 1
            row = self._same_place(place_id, values, place_id in names_only, unique_here, rows,
                                   keys_of_file[values["reseau"]])
            if row is None:
                row = Lieu(id=place_id, **values)
                session.add(row)
                rows.append(row)
                report.added += 1
            elif self._fill(row, place_id, values):
                report.updated += 1
                if row.id != place_id:
                    report.merged += 1

    def _same_place(self, place_id: str, values: dict, names_only: bool, unique_here: bool,
                    rows: list[Lieu], keys_of_file: list[tuple[str | None, frozenset[str]]]) -> Lieu | None:
        """The known place an extract's row describes, tried from the surest sign to the
        weakest: the same source id; the same referential code « [18-ML VIERZON] »; the same
        commune and the same phone or street address; the same name (once the network's own words
        are set aside) in the same département; a name contained in the other's when one of them
        has no commune; the only place of the network in the commune, when the row is the only
        one of its file there too.
        A name contained in another one only counts when no other row of the file would match it
        too (« CIDFF du Loiret » is not taken for the CIDFF of Montargis when the file also has
        the one of Orléans)."""
        tag = f"[{place_id}]"
        for row in rows:
            if row.id == place_id or tag in (row.source or ""):
                return row
        candidates = [row for row in rows if row.reseau == values["reseau"]]
        code = REFERENTIAL_CODE_FULL.search(values["nom"])
        if code:
            for row in candidates:
                other = REFERENTIAL_CODE_FULL.search(row.nom)
                if other and fold(other.group(1)) == fold(code.group(1)):
                    return row
        insee = values["code_insee"]
        phone = _digits(values["telephone"])
        street = _street_key(values["adresse"])
        if insee:
            for row in candidates:
                if row.code_insee == insee and ((phone and _digits(row.telephone) == phone)
                                                or (street and _street_key(row.adresse) == street)):
                    return row
        key = _name_key(values["nom"])
        departement = values["departement"]
        same_dep = [row for row in candidates
                    if departement is None or row.departement is None or row.departement == departement]
        if key:
            exact = [row for row in same_dep if _name_key(row.nom) == key]
            def related(a: frozenset[str], b: frozenset[str]) -> bool:
                return bool(a) and bool(b) and (a <= b or b <= a)

            contained = [row for row in same_dep
                         if (not insee or not row.code_insee or names_only) and related(_name_key(row.nom), key)
                         and sum(1 for dep, other in keys_of_file
                                 if (dep is None or row.departement is None or dep == row.departement)
                                 and related(_name_key(row.nom), other)) == 1]
            for found in (exact, contained):
                if len(found) > 1:
                    # A structure of the referential rather than one of its antennes.
                    found = [row for row in found if REFERENTIAL_CODE_FULL.search(row.nom)]
                if len(found) == 1:
                    return found[0]
        if insee and unique_here:
            here = [row for row in candidates if row.code_insee == insee]
            if len(here) == 1:
                return here[0]
        return None

    def _fill(self, row: Lieu, place_id: str, values: dict) -> bool:
        """Give ``row`` what it lacks from an extract's ``values`` (and update what this same
        source gave it before); name the fields and the source. True when ``row`` changed."""
        base = row.id == place_id
        owned = {"adresse", "commune", "coordonnees", "telephone", "courriel", "site_web",
                 "horaires_accueil"} if base else _fields_of(row, place_id)
        given: list[str] = []
        changed = False

        def take(group: str, names: tuple[str, ...], missing: bool) -> None:
            nonlocal changed
            if all(values.get(n) in (None, "", []) for n in names):
                return
            if missing or group in owned:
                if any(getattr(row, n) != values[n] for n in names):
                    for n in names:
                        setattr(row, n, values[n])
                    changed = True
                given.append(group)

        if base and row.nom != values["nom"]:
            row.nom, changed = values["nom"], True
        take("adresse", ("adresse", "complement_adresse", "code_postal"),
             not row.adresse and (not row.code_postal or row.code_postal == values["code_postal"]))
        if values["code_insee"]:
            take("commune", ("commune", "code_insee", "departement"), not row.code_insee)
        elif values["departement"]:
            take("commune", ("departement",), not row.departement)
        if (row.zone_diffusion_type == "region" and values["zone_diffusion_type"] != "region"
                and row.departement == values["departement"]):
            row.zone_diffusion_type, row.zone_diffusion_codes = (
                values["zone_diffusion_type"], values["zone_diffusion_codes"])
            changed = True
        rank = {COORDS_SOURCE: 3, COORDS_COMMUNE: 2, COORDS_NAME: 1, None: 0}
        if rank[values["coordonnees_origine"]] >= rank[row.coordonnees_origine]:
            # Never rougher coordinates in place of finer ones, even the source's own.
            take("coordonnees", ("latitude", "longitude", "coordonnees_origine"),
                 rank[values["coordonnees_origine"]] > rank[row.coordonnees_origine])
        for name in ("telephone", "courriel", "site_web", "horaires_accueil"):
            take(name, (name,), not getattr(row, name))

        tag = f"[{place_id}]"
        segments = [s for s in (row.source or "").split(" | ") if s]
        dates = [d for d in (row.date_maj or "").split(" ; ") if d]
        if base:
            segments[0], dates[0] = values["source"], values["date_maj"]
        else:
            # This source's segment and date keep their place: a re-import changes nothing.
            segment = f"{', '.join(given) if given else 'même lieu'} : {values['source']}"
            date = f"{values['date_maj']} ({', '.join(given)})" if given else None
            mine = [i for i, s in enumerate(segments) if s.endswith(tag)]
            if mine:
                segments[mine[0]] = segment
            else:
                segments.append(segment)
            old_date = [i for i, d in enumerate(dates) if d.startswith(f"{values['date_maj']} (")]
            if old_date and date:
                dates[old_date[0]] = date
            elif date:
                dates.append(date)
        new_source, new_date = " | ".join(segments), " ; ".join(dates)
        if new_source != row.source or new_date != row.date_maj:
            row.source, row.date_maj = new_source, new_date
            changed = True
        return changed

    def _read(self, path: Path) -> Iterable[tuple[int | str, dict]]:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return _read_csv(path)
        if suffix == ".json":
            return _read_json(path)
        head = path.read_bytes()[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] in (b"[", b"{"):
            return _read_json(path)
        return _read_csv(path)

    def _network_of(self, raw: dict) -> _NetworkSpec:
        code = _clean(raw.get("reseau"))
        if code:
            if code not in self._specs:
                raise _Rejected(f"réseau inconnu : {code!r}")
            return self._specs[code]
        porteurs = [str(p).strip() for p in raw.get("reseaux_porteurs") or () if str(p).strip()]
        if not porteurs:
            raise _Rejected("réseau manquant (ni « reseau » ni « reseaux_porteurs »)")
        words = _words(_clean(raw.get("nom")) or "")
        for porteur in porteurs:
            candidates = self._porteurs.get(porteur) or ([self._specs[porteur]] if porteur in self._specs else [])
            if len(candidates) > 1:
                candidates = [s for s in candidates if words & set(s.mots_du_nom)]
            if len(candidates) == 1:
                return candidates[0]
        raise _Rejected(f"aucun réseau connu parmi les réseaux porteurs : {', '.join(porteurs)}")

    def _build_place(self, raw: dict) -> dict:
        """Validated column values (and "id") of one record; _Rejected with a French reason."""
        if "_erreur" in raw:
            raise _Rejected(raw["_erreur"])
        spec = self._network_of(raw)
        nom = _clean(raw.get("nom"))
        if not nom:
            raise _Rejected("nom manquant")
        source, date_maj = _clean(raw.get("source")), _clean(raw.get("date_maj"))
        if not source:
            raise _Rejected("source manquante")
        if not date_maj:
            raise _Rejected("date de mise à jour manquante")

        code_insee = _clean(raw.get("code_insee"))
        if code_insee and not INSEE.fullmatch(code_insee.upper()):
            raise _Rejected(f"code INSEE invalide : {code_insee!r} (5 caractères attendus)")
        code_postal = _clean(raw.get("code_postal"))
        if code_postal and not POSTAL_CODE.fullmatch(code_postal):
            raise _Rejected(f"code postal invalide : {code_postal!r} (5 chiffres attendus)")
        latitude = _parse_coordinate(raw.get("latitude"), "latitude")
        longitude = _parse_coordinate(raw.get("longitude"), "longitude")
        if (latitude is None) != (longitude is None):
            raise _Rejected("coordonnées incomplètes : latitude et longitude vont ensemble")
        if latitude is not None and not (FRANCE_LAT[0] <= latitude <= FRANCE_LAT[1]
                                         and FRANCE_LON[0] <= longitude <= FRANCE_LON[1]):
            raise _Rejected(f"coordonnées hors de France : latitude {latitude}, longitude {longitude}")
        telephone, site_web, courriel = (_clean(raw.get(k)) for k in ("telephone", "site_web", "courriel"))
        problem = _contact_problem(telephone, site_web, courriel)
        if problem:
            raise _Rejected(problem)
        porteurs = raw.get("reseaux_porteurs")
        if porteurs is not None and not isinstance(porteurs, (list, tuple)):
            porteurs = _split_codes(porteurs)

        where = self._locate(nom, code_insee.upper() if code_insee else None,
                             _clean(raw.get("commune")), code_postal, latitude, longitude,
                             _clean(raw.get("departement")))
        zone_type, zone_codes = self._zone(raw, spec, where["departement"])
        return {
            "id": _clean(raw.get("id")) or _stable_id(spec.reseau.code, nom, code_insee or _clean(raw.get("commune"))),
            "reseau": spec.reseau.code,
            "nom": nom,
            "adresse": _clean(raw.get("adresse")),
            "complement_adresse": _clean(raw.get("complement_adresse")),
            "code_postal": code_postal,
            **where,
            "telephone": telephone,
            "courriel": courriel,
            "site_web": site_web,
            "horaires_accueil": _clean(raw.get("horaires_accueil")),
            "source": source,
            "date_maj": date_maj,
            "reseaux_porteurs": sorted({str(p).strip() for p in porteurs if str(p).strip()})
            if porteurs else list(spec.reseaux_porteurs),
            "zone_diffusion_type": zone_type,
            "zone_diffusion_codes": zone_codes,
        }

    def _locate(self, nom: str, code_insee: str | None, commune_name: str | None,
                code_postal: str | None, latitude: float | None, longitude: float | None,
                departement_given: str | None = None) -> dict:
        """Commune, INSEE code, département and coordinates of a place, derived from the most
        precise thing the source gave: INSEE code, then commune name, then postal code, then a
        référentiel's département, a referential code or a commune named in the place's name."""
        commune: Commune | None = None
        departement: str | None = None
        if code_insee:
            commune = self._communes.get(code_insee)
            if commune is None:
                raise _Rejected(f"code INSEE inconnu en Centre-Val de Loire : {code_insee}")
        hint = REFERENTIAL_CODE.search(nom)
        hinted = hint.group(1) if hint and hint.group(1) in DEPARTEMENTS else None
        if departement_given:
            if departement_given not in DEPARTEMENTS:
                raise _Rejected(f"département hors Centre-Val de Loire : {departement_given}")
            hinted = departement_given
        postal = self._communes.resolve(code_postal) if code_postal and commune is None else None
        if commune is None and commune_name:
            match = self._communes.resolve(commune_name)
            if match.departement == "hors_region":
                raise _Rejected(f"commune hors Centre-Val de Loire : {commune_name}")
            candidates = match.communes if match.kind in TRUSTED_MATCHES else ()
            if len(candidates) > 1:
                candidates = tuple(c for c in candidates
                                   if (code_postal and code_postal in c.codes_postaux) or c.departement == hinted)
            if len(candidates) == 1:
                commune = candidates[0]
        if commune is None and postal is not None:
            if postal.departement == "hors_region":
                raise _Rejected(f"code postal hors Centre-Val de Loire : {code_postal}")
            if postal.resolved and not commune_name:
                commune = postal.resolved
            elif postal.departement in DEPARTEMENTS:
                departement = postal.departement

        origin = COORDS_SOURCE if latitude is not None else None
        if commune is not None:
            departement = commune.departement
            if latitude is None and commune.latitude is not None:
                latitude, longitude, origin = commune.latitude, commune.longitude, COORDS_COMMUNE
        else:
            departement = departement or hinted
            mention = self._communes.find_in_text(nom)
            if mention is not None:
                departement = departement or (mention.departement if mention.departement in DEPARTEMENTS else None)
                named = mention.resolved
                # Only to rank places: "Agence ... ORLEANS NORD" is near Orléans, maybe not in it.
                if (latitude is None and named is not None and named.latitude is not None
                        and named.departement == departement):
                    latitude, longitude, origin = named.latitude, named.longitude, COORDS_NAME
            if departement is None and origin == COORDS_SOURCE:
                nearest = self._communes.nearest(latitude, longitude)
                if nearest is None:
                    raise _Rejected(f"coordonnées hors de Centre-Val de Loire : latitude {latitude}, "
                                    f"longitude {longitude}")
                departement = nearest.departement
        return {
            "commune": commune.nom if commune else commune_name,
            "code_insee": commune.insee if commune else None,
            "departement": departement,
            "latitude": round(latitude, 6) if latitude is not None else None,
            "longitude": round(longitude, 6) if longitude is not None else None,
            "coordonnees_origine": origin,
        }

    @staticmethod
    def _zone(raw: dict, spec: _NetworkSpec, departement: str | None) -> tuple[str, list[str]]:
        zone_type = _clean(raw.get("zone_diffusion_type"))
        if zone_type:
            codes = _split_codes(raw.get("zone_diffusion_code") or raw.get("zone_diffusion_codes"))
            return _zone_from_type(zone_type.lower(), codes)
        eligibility = _split_codes(raw.get("zone_eligibilite"))
        if eligibility:
            return _zone_from_codes(eligibility)
        if spec.portee == "pays":
            return "pays", ["france"]
        if spec.portee == "departement" and departement in DEPARTEMENTS:
            return "departement", [departement]
        # A regional service, or a place of unknown département: serves the region.
        return "region", list(REGION_ZONE)

    # ---- consistency

    def check(self) -> list[str]:
        """Problems in the networks and places (French, one per line); empty when all hold."""
        problems = []
        for code, spec in self._specs.items():
            problem = _contact_problem(spec.reseau.telephone, spec.reseau.site_web)
            if problem:
                problems.append(f"Réseau {code} : {problem}")
        with self._sessions() as session:
            stale = session.execute(select(ReseauRow.code)).scalars().all()
            rows = session.execute(select(Lieu).order_by(Lieu.id)).scalars().all()
        problems += [f"Réseau {code} en base mais absent de reseaux.yml." for code in stale if code not in self._specs]
        for row in rows:
            problems += [f"Lieu {row.id} ({row.nom}) : {p}" for p in self._place_problems(row)]
        return problems

    def _place_problems(self, row: Lieu) -> list[str]:
        problems = []
        if row.reseau not in self._specs:
            problems.append(f"réseau inconnu de reseaux.yml : {row.reseau}")
        if not _clean(row.nom):
            problems.append("nom manquant")
        if not _clean(row.source):
            problems.append("source manquante")
        if not _clean(row.date_maj):
            problems.append("date de mise à jour manquante")
        if row.code_insee:
            commune = self._communes.get(row.code_insee)
            if commune is None:
                problems.append(f"code INSEE inconnu : {row.code_insee}")
            elif commune.departement != row.departement:
                problems.append(f"département {row.departement} incohérent avec la commune {row.code_insee}")
        if row.departement is not None and row.departement not in DEPARTEMENTS:
            problems.append(f"département hors région : {row.departement}")
        if (row.latitude is None) != (row.longitude is None):
            problems.append("coordonnées incomplètes")
        elif row.latitude is not None and self._communes.nearest(row.latitude, row.longitude) is None:
            problems.append(f"coordonnées hors de la région : {row.latitude}, {row.longitude}")
        if row.zone_diffusion_type not in ZONE_TYPES:
            problems.append(f"type de zone de diffusion inconnu : {row.zone_diffusion_type}")
        if not row.zone_diffusion_codes:
            problems.append("zone de diffusion sans code")
        problem = _contact_problem(row.telephone, row.site_web, row.courriel)
        if problem:
            problems.append(problem)
        return problems
