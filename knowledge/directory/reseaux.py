"""The networks of knowledge/data/reseaux.yml: what each one is (``Reseau``) and what import and
display need of it (``_NetworkSpec``: scope, parent networks, words of its places' names,
renamings)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.directory._common import DATA_DIR, DirectoryError, _clean
from knowledge.texte import fold

RESEAUX_PATH = DATA_DIR / "reseaux.yml"

PORTEES = ("departement", "region", "pays")


@dataclass(frozen=True)
class Reseau:
    code: str
    nom: str
    site_web: str | None
    telephone: str | None
    description: str
    source: str
    date_maj: str


@dataclass(frozen=True)
class _NetworkSpec:
    """A network as configured in reseaux.yml, with what import and display need."""

    reseau: Reseau
    portee: str
    reseaux_porteurs: tuple[str, ...]
    mots_du_nom: tuple[str, ...]
    renommages: tuple[tuple[str, str], ...]
    contact: bool = False


def contact_of(specs: dict[str, "_NetworkSpec"]) -> Reseau:
    """The network marked ``contact`` (Etoile Info): given when nothing is near, when a person
    asks for someone, and as the place a code de liaison can be given."""
    return next(spec.reseau for spec in specs.values() if spec.contact)


def load_reseaux(path: str | Path = RESEAUX_PATH) -> dict[str, _NetworkSpec]:
    """The networks of reseaux.yml by code; DirectoryError when the file is malformed.

    Parsed once per version of the file (its path, size and modification time): every directory
    opened and every caller share that parse, and a file edited on disk is read again."""
    try:
        stat = Path(path).stat()
    except OSError as exc:
        raise DirectoryError(f"Fichier des réseaux illisible ({path}) : {exc}") from exc
    return dict(_parsed(str(path), stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=8)
def _parsed(path: str, size: int, mtime_ns: int) -> dict[str, _NetworkSpec]:
    """The parse behind load_reseaux (its specs are frozen; callers get a copy of the dict)."""
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
            contact=entry.get("contact") is True,
        )
    contacts = [code for code, spec in specs.items() if spec.contact]
    if len(contacts) != 1 or not specs[contacts[0]].reseau.telephone:
        raise DirectoryError(f"{path} : il faut exactement un réseau « contact: true », avec un "
                             f"téléphone (trouvé : {', '.join(contacts) or 'aucun'})")
    return specs
