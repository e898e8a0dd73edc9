"""The territory served, read from ``data/territoire.yml``: the region, its départements and the words
that name them, the commune names that are also ordinary words, and the box around France.

Every module that needs one of these facts takes it from ``TERRITOIRE`` (communes, profile values,
the directory's zones and checks), so that another region is a change of data, not of code.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

TERRITOIRE_PATH = Path(__file__).resolve().parent / "data" / "territoire.yml"


@dataclass(frozen=True)
class Territoire:
    region: str                               # its name, as French messages write it
    code_region: str                          # INSEE code
    departements: dict[str, str]              # code -> name, in the file's order
    alias_departements: dict[str, str]        # another written form -> code
    departements_mots_courants: frozenset[str]  # names that are also ordinary words ("cher")
    communes_mots_courants: frozenset[str]    # one-word commune names that are also French words
    communes_autres_noms: frozenset[str]      # ... or first names, people, places elsewhere
    latitudes: tuple[float, float]            # box around metropolitan France
    longitudes: tuple[float, float]


def _words(items) -> frozenset[str]:
    return frozenset(str(item) for item in items or ())


@lru_cache(maxsize=4)
def load_territoire(path: str | Path = TERRITOIRE_PATH) -> Territoire:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    departements = {str(code): str(nom) for code, nom in data["departements"].items()}
    aliases = {str(form): str(code) for form, code in (data.get("alias_departements") or {}).items()}
    unknown = sorted(set(aliases.values()) - set(departements))
    if unknown:
        raise ValueError(f"territoire.yml : alias d'un département inconnu {unknown}")
    box = data["france"]
    return Territoire(
        region=str(data["region"]["nom"]),
        code_region=str(data["region"]["code"]),
        departements=departements,
        alias_departements=aliases,
        departements_mots_courants=_words(data.get("departements_mots_courants")),
        communes_mots_courants=_words(data.get("communes_mots_courants")),
        communes_autres_noms=_words(data.get("communes_autres_noms")),
        latitudes=(float(box["latitude"][0]), float(box["latitude"][1])),
        longitudes=(float(box["longitude"][0]), float(box["longitude"][1])),
    )


TERRITOIRE = load_territoire()
