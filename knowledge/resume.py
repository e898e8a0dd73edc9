"""Plain-French wording of a profile and of an orientation result, shared by every channel."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import yaml

from knowledge.directory import Reseau

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


def cep_a_part(reseaux: Sequence[str], operateur_cep: str | None) -> bool:
    """Whether the CEP operator is named on its own: only when it is not among the networks."""
    return bool(operateur_cep) and operateur_cep not in reseaux


def presentation(orientation: Mapping[str, Any], reseau: Callable[[str], Reseau | None],
                 contact: Reseau, nom_commune: str | None = None) -> dict[str, Any]:
    """What every channel needs to lay an orientation out, beside the contract's fields, worded
    once from libelles.yml (`orientation`):

    - ``annuaire``: code -> ``{"nom", "site_web"}`` of every network the orientation names;
    - ``autres_portes``: the networks after the deuxième porte, in order;
    - ``cep_a_part``: whether the CEP operator is said on its own line;
    - ``contact``: ``{"reseau", "nom", "telephone", "site_web"}`` of the network given when nothing
      is near (Etoile Info);
    - ``textes``: the sentences (``resume``, ``porte``, ``autres_portes``, ``cep``, ``suite``; None
      when there is nothing to say) and the labels (``pourquoi``, ``lieux``, ``code``).
    """
    words = libelles()["orientation"]
    reseaux = list(orientation.get("reseaux") or [])
    operateur = orientation.get("operateur_cep")
    a_part = cep_a_part(reseaux, operateur)
    codes = reseaux + ([operateur] if a_part else []) + [lieu["reseau"] for lieu in orientation.get("lieux") or []]
    annuaire = {}
    for code in dict.fromkeys(codes):
        known = reseau(code)
        annuaire[code] = {"nom": known.nom if known else code, "site_web": known.site_web if known else None}

    def noms(codes: Sequence[str]) -> str:
        return ", ".join(annuaire[code]["nom"] for code in codes)

    autres = reseaux[1:]
    compris = phrase(resume_profil(orientation.get("profil") or {}, nom_commune))
    return {
        "annuaire": annuaire,
        "autres_portes": autres,
        "cep_a_part": a_part,
        "contact": {"reseau": contact.code, "nom": contact.nom, "telephone": contact.telephone,
                    "site_web": contact.site_web},
        "textes": {
            "resume": words["resume"].format(resume=compris) if compris else None,
            "porte": words["porte"].format(noms=noms(reseaux[:1])) if reseaux else None,
            "autres_portes": (words["autres_portes" if len(autres) == 1 else "autres_portes_plusieurs"]
                              .format(noms=noms(autres)) if autres else None),
            "cep": words["cep"].format(noms=noms([operateur])) if a_part else None,
            "pourquoi": words["pourquoi"],
            "lieux": words["lieux"],
            "code": words["code"],
            "suite": words["suite"].format(contact=contact.nom, telephone=contact.telephone),
        },
    }


def lignes_portes(textes: Mapping[str, str | None]) -> list[str]:
    """Where to go, from a presentation's ``textes``: the deuxième porte, the others, the CEP
    operator, those there are, in this order."""
    return [textes[key] for key in ("porte", "autres_portes", "cep") if textes.get(key)]


def phrase(parts: list[str]) -> str:
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]
