"""Plain-French wording of a profile and of an orientation result, shared by every channel."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

LIBELLES_PATH = Path(__file__).resolve().parent / "data" / "libelles.yml"


@lru_cache(maxsize=1)
def libelles() -> dict[str, dict[Any, str]]:
    with open(LIBELLES_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def resume_profil(profil: Mapping[str, Any], nom_commune: str | None = None) -> list[str]:
    """The facts we understood, one short clause each ("vous avez 19 ans", …)."""
    words = libelles()
    parts: list[str] = []
    if profil.get("age") is not None:
        parts.append(f"vous avez {profil['age']} ans")
    statut = words["statut"].get(profil.get("statut"))
    if statut:
        contrat = words["contrat"].get(profil.get("contrat"))
        parts.append(f"{statut} {contrat}" if contrat else statut)
    besoin = words["besoin"].get(profil.get("besoin"))
    if besoin and besoin != statut:  # "vous cherchez un emploi" once, not twice
        parts.append(besoin)
    if profil.get("metier"):
        parts.append(f"le métier de {profil['metier']} vous intéresse")
    elif profil.get("secteur"):
        parts.append(f"le secteur qui vous intéresse : {words['secteur'][profil['secteur']].removeprefix('dans ')}")
    for flag in ("handicap", "cadre"):
        if profil.get(flag) is not None:
            parts.append(words[flag][profil[flag]])
    if nom_commune:
        parts.append(f"vous habitez à {nom_commune}")
    return parts


@lru_cache(maxsize=1)
def _noms_reseaux() -> dict[str, str]:
    from knowledge.directory import load_reseaux
    return {code: spec.reseau.nom for code, spec in load_reseaux().items()}


def nom_reseau(code: str) -> str:
    """A network's name as people know it ("Mission locale"), or its code when unknown."""
    return _noms_reseaux().get(code, code)


def lignes_portes(orientation: Mapping[str, Any]) -> list[str]:
    """Where to go, said to the person: the deuxième porte, the others, the CEP operator."""
    reseaux = list(orientation.get("reseaux") or [])
    lines = []
    if reseaux:
        lines.append(f"Je vous conseille de vous adresser à : {nom_reseau(reseaux[0])}.")
    if reseaux[1:]:
        lines.append("Autre possibilité : " + ", ".join(nom_reseau(r) for r in reseaux[1:]) + ".")
    operateur = orientation.get("operateur_cep")
    if operateur and operateur not in reseaux:
        lines.append(f"Pour un conseil en évolution professionnelle, gratuit : {nom_reseau(operateur)}.")
    return lines


def phrase(parts: list[str]) -> str:
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
