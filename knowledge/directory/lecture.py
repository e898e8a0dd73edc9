"""Reading a file into raw records: our CSV format (that of the seed, knowledge/data/structures_cvl.csv),
a data·inclusion JSON export, or one of the public extracts read by knowledge.sources. A raw record
is ``(reference, dict with the place field names)``; whether it makes a place is told by
knowledge.directory.lignes."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Iterable, Iterator

from knowledge import sources
from knowledge.directory._common import DATA_DIR, DirectoryError, _clean, _split_codes

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


def read_extract(path: Path) -> tuple[str, list[tuple[str, dict]]] | None:
    """(format, records) when the file is one of the known public extracts, else None."""
    if path.suffix.lower() == ".json":
        return None
    data = path.read_bytes()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return None
    return sources.read(sources.decode(data))


def read_file(path: Path) -> Iterable[tuple[int | str, dict]]:
    """Raw records of our CSV or of a data·inclusion JSON export, told by the suffix, else by the
    first character."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".json":
        return _read_json(path)
    head = path.read_bytes()[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        return _read_json(path)
    return _read_csv(path)
