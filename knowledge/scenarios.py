"""The scenario table (``data/scenarios.yml``): profiles with what their routing must give. This module
reads the table and compares a ``route()`` answer with a scenario's ``attendu``; the knowledge base
plays it (``KnowledgeBase.run_scenarios``), pytest and ``python -m knowledge check`` report it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

SCENARIOS_PATH = Path(__file__).resolve().parent / "data" / "scenarios.yml"

EXPECTATION_KEYS = {"reseaux", "operateur_cep", "regles", "manquant", "manquant_debut", "manquant_contient",
                    "manquant_exclut", "lieux_departement", "lieux_repli", "lieux_reseaux"}


def load_scenarios(path: str | Path = SCENARIOS_PATH) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    scenarios = data["scenarios"]
    ids = [s["id"] for s in scenarios]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"scenarios.yml : identifiants en double {sorted(duplicates)}")
    return scenarios


def scenario_failures(scenario: Mapping[str, Any], result: Mapping[str, Any],
                      is_fallback: Callable[[Mapping[str, Any]], bool]) -> list[str]:
    """How ``result`` (a route() answer) differs from the scenario's ``attendu``; empty = passes.

    ``is_fallback(lieu)`` tells a network-level entry (no known place) from a real place.
    """
    expected = scenario.get("attendu") or {}
    failures = [f"attente inconnue {key!r}" for key in set(expected) - EXPECTATION_KEYS]
    if not expected:
        failures.append("aucune attente")

    def differ(what: str, want: Any, got: Any) -> None:
        failures.append(f"{what} : attendu {want!r}, obtenu {got!r}")

    manquant = result["manquant"]
    if "reseaux" in expected and list(result["reseaux"]) != expected["reseaux"]:
        differ("reseaux", expected["reseaux"], result["reseaux"])
    if "operateur_cep" in expected and result["operateur_cep"] != expected["operateur_cep"]:
        differ("operateur_cep", expected["operateur_cep"], result["operateur_cep"])
    fired = [r["regle"] for r in result["raisons"]]
    if "regles" in expected and fired != expected["regles"]:
        differ("regles", expected["regles"], fired)
    if "manquant" in expected and manquant != expected["manquant"]:
        differ("manquant", expected["manquant"], manquant)
    if "manquant_debut" in expected and manquant[:len(expected["manquant_debut"])] != expected["manquant_debut"]:
        differ("début de manquant", expected["manquant_debut"], manquant)
    for slot in expected.get("manquant_contient", []):
        if slot not in manquant:
            differ("manquant doit contenir", slot, manquant)
    for slot in expected.get("manquant_exclut", []):
        if slot in manquant:
            differ("manquant ne doit pas contenir", slot, manquant)
    lieux = result["lieux"]
    if "lieux_departement" in expected:
        real = [lieu for lieu in lieux if not is_fallback(lieu)]
        got = real[0]["departement"] if real else None
        if got != expected["lieux_departement"]:
            differ("département du premier lieu", expected["lieux_departement"], got)
    for code in expected.get("lieux_repli", []):
        entries = [lieu for lieu in lieux if lieu["reseau"] == code]
        if not entries or not all(is_fallback(lieu) for lieu in entries):
            differ(f"lieux de {code} (service du réseau seulement)", "repli", entries)
    if "lieux_reseaux" in expected:
        got = sorted({lieu["reseau"] for lieu in lieux})
        if got != sorted(expected["lieux_reseaux"]):
            differ("réseaux des lieux", sorted(expected["lieux_reseaux"]), got)
    return failures
