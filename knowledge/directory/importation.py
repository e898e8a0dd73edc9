"""Writing imported places into the database, in one transaction: the places of our CSV or of a
data·inclusion export replace those of the same id; a public extract's rows are merged into the
places they describe (see ``_same_place``), filling only what those lack and naming their source
for the fields they gave. ``ImportReport`` tells what was added, updated, merged and rejected."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from knowledge.directory._common import TRAILING_CODE, DirectoryError
from knowledge.directory.lecture import read_extract, read_file
from knowledge.directory.lignes import PlaceBuilder, _Rejected
from knowledge.models import COORDS_COMMUNE, COORDS_NAME, COORDS_SOURCE, Lieu
from knowledge.texte import fold


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    rejected: list[tuple[int | str, str]] = field(default_factory=list)
    # Fields of imported rows left out because they could not be read (the row was imported).
    remarques: list[tuple[int | str, str]] = field(default_factory=list)
    # Rows of a source extract merged into a place already known (same place, other source).
    merged: int = 0


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


def import_file(path: str | Path, sessions, builder: PlaceBuilder) -> ImportReport:
    """Import the places of ``path`` in one transaction of ``sessions``, each record made a place by
    ``builder`` (see Directory.import_file, which then rebuilds its index)."""
    path = Path(path)
    if not path.is_file():
        raise DirectoryError(f"Fichier introuvable : {path}")
    extract = read_extract(path)
    records = extract[1] if extract else list(read_file(path))

    report = ImportReport()
    places: dict[str, dict] = {}
    first_ref: dict[str, int | str] = {}
    names_only: set[str] = set()
    for ref, raw in records:
        try:
            values = builder.build_place(raw)
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

    with sessions() as session, session.begin():
        rows = list(session.execute(select(Lieu)).scalars())
        existing = {row.id: row for row in rows}
        if extract:
            _merge_extract(session, rows, places, names_only, report)
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
    return report


# --------------------------------------------------------------------------- merging an extract


def _merge_extract(session, rows: list[Lieu], places: dict[str, dict], names_only: set[str],
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
        row = _same_place(place_id, values, place_id in names_only, unique_here, rows,
                          keys_of_file[values["reseau"]])
        if row is None:
            row = Lieu(id=place_id, **values)
            session.add(row)
            rows.append(row)
            report.added += 1
        elif _fill(row, place_id, values):
            report.updated += 1
            if row.id != place_id:
                report.merged += 1


def _same_place(place_id: str, values: dict, names_only: bool, unique_here: bool,
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


def _fill(row: Lieu, place_id: str, values: dict) -> bool:
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
