"""The knowledge base's facade: one object that routes a profile, finds places, explains, checks.

``KnowledgeBase`` ties together the profile model (``profile``), the routing rules (``rules``), the
communes (``communes``), the structures directory (``directory``), and the info cards of
``data/fiches.yml`` (loaded and looked up here). ``get_kb()`` is the process-wide instance used by
the actions and the gateway; ``python -m knowledge`` is the command line (``__main__``).

The channels and the actions import from here only (``__all__``): the instance for what the
knowledge base holds (communes, lexicon, routes, places, cards), and the contract's vocabulary,
the fiche de liaison's store and the presentation helpers, handed on from their modules. Pure text
helpers (``knowledge.texte``) and the database plumbing (``knowledge.db``) are imported as such.

Places in a result (``lieux``): for each network of ``reseaux`` in order, then the CEP operator
when it is not among them, up to ``LIEUX_PAR_RESEAU`` places each (competent for the commune first,
then the nearest, as the directory ranks them), ``LIEUX_MAX`` in all; when the total must be cut,
every network keeps its first place before any network gets a second one.
"""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from knowledge.communes import DEPARTEMENTS, Communes, load_communes
from knowledge.comprendre import check_data as check_comprendre
from knowledge.comprendre import detresse_lexicon
from knowledge.directory import Directory, ImportReport, Reseau
from knowledge.liaison import Fiche, LiaisonStore
from knowledge.profile import (
    BESOINS,
    ENUM_SLOTS,
    SLOTS,
    Lexicon,
    ProfileError,
    check_lexicon,
    check_slot_names,
    load_lexicon,
    normalize_text,
    validate_profile,
)
from knowledge.resume import cep_a_part, libelles, lignes_portes, phrase, presentation, resume_profil
from knowledge.rules import CEP_TOKEN, RuleSet, load_rules, load_rules_data
from knowledge.rules_check import validate_rules
from knowledge.scenarios import load_scenarios, scenario_failures

__all__ = [
    "KnowledgeBase", "ProfileError", "get_kb",
    # the contract's vocabulary
    "BESOINS", "DEPARTEMENTS", "ENUM_SLOTS", "SLOTS", "validate_profile",
    # the fiches de liaison, the words every channel lays out, the distress lexicon
    "Fiche", "LiaisonStore", "libelles", "lignes_portes", "phrase", "resume_profil", "detresse_lexicon",
]

FICHES_PATH = Path(__file__).resolve().parent / "data" / "fiches.yml"
LIEUX_PAR_RESEAU = 2
LIEUX_MAX = 5
FICHE_FIELDS = ("key", "titre", "texte", "lien", "date_revue", "alias", "source")
HTTPS_LINK = re.compile(r"https://[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?", re.I)
SENTENCE_END = re.compile(r"[.!?](\s|$)")


def is_network_entry(lieu: Mapping[str, Any]) -> bool:
    """A network-level entry (the network's own service), not a reception place."""
    return str(lieu.get("id", "")).startswith("reseau:")


def _load_fiches(path: Path = FICHES_PATH) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The cards, and which of them are worth reading out for each besoin (`a_lire`: besoin, or
    `handicap` for a disability recognition -> card keys, in reading order)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for card in data["fiches"]:
        card["texte"] = " ".join(card["texte"].split())
    return data["fiches"], data.get("a_lire") or {}


def check_a_lire(a_lire: Mapping[str, list[str]], cards: list[Mapping[str, Any]]) -> list[str]:
    """Problems of the cards to read out per besoin (unknown besoin or card), in French."""
    keys = {card.get("key") for card in cards}
    problems = [f"a_lire : besoin inconnu {besoin!r}" for besoin in a_lire
                if besoin not in ENUM_SLOTS["besoin"] and besoin != "handicap"]
    return problems + [f"a_lire {besoin} : fiche inconnue {key!r}"
                       for besoin, wanted in a_lire.items() for key in wanted if key not in keys]


def check_fiches(cards: list[Mapping[str, Any]]) -> list[str]:
    """Problems of the info cards (empty = fine), in French."""
    problems = []
    seen: dict[str, str] = {}
    for card in cards:
        key = card.get("key") or "?"
        problems += [f"fiche {key} : champ {name} manquant" for name in FICHE_FIELDS if not card.get(name)]
        if not HTTPS_LINK.fullmatch(str(card.get("lien", ""))):
            problems.append(f"fiche {key} : lien https invalide {card.get('lien')!r}")
        try:
            date.fromisoformat(str(card.get("date_revue")))
        except ValueError:
            problems.append(f"fiche {key} : date_revue invalide {card.get('date_revue')!r}")
        sentences = len(SENTENCE_END.findall(str(card.get("texte", ""))))
        if not 2 <= sentences <= 4:
            problems.append(f"fiche {key} : {sentences} phrases (2 à 4 attendues)")
        for fait in card.get("faits") or []:
            if not all(fait.get(name) for name in ("texte", "source", "date")):
                problems.append(f"fiche {key} : un fait sans texte, source ou date")
        for name in [key] + list(card.get("alias") or []):
            norm = normalize_text(str(name))
            if norm in seen and seen[norm] != key:
                problems.append(f"fiche {key} : « {name} » désigne déjà la fiche {seen[norm]}")
            seen.setdefault(norm, key)
    return problems


class KnowledgeBase:
    """Routing, places, trade lexicon and info cards over one directory database."""

    def __init__(self, communes: Communes, directory: Directory, rules: RuleSet, lexicon: Lexicon,
                 fiches: list[dict[str, Any]], a_lire: Mapping[str, list[str]] | None = None):
        self.communes = communes
        self.directory = directory
        self.rules = rules
        self.lexicon = lexicon
        self._fiches = fiches
        self._a_lire = dict(a_lire or {})
        self._fiche_index = {}
        for card in fiches:
            for name in [card["key"]] + list(card.get("alias") or []):
                self._fiche_index.setdefault(normalize_text(name), card)
        self._local_networks = self._networks_with_local_places()

    @classmethod
    def load(cls, db_url: str | None = None) -> "KnowledgeBase":
        communes = load_communes()
        return cls(communes, Directory.open(db_url, communes=communes), load_rules(), load_lexicon(),
                   *_load_fiches())

    def _networks_with_local_places(self) -> frozenset[str]:
        """Networks with at least one place in some département: for them the commune matters."""
        local = set()
        for reseau in self.directory.reseaux():
            for dep in DEPARTEMENTS:
                found = self.directory.lieux(reseau.code, departement=dep, limit=1)
                if any(not is_network_entry(lieu) and lieu["departement"] == dep for lieu in found):
                    local.add(reseau.code)
                    break
        return frozenset(local)

    # ---- routing

    def route(self, profil: Mapping[str, Any], inconnus: Iterable[str] = ()) -> dict[str, Any]:
        """The orientation payload (the fixed contract, without code_liaison) plus ``manquant``.

        Raises ProfileError on an unknown slot or value (in ``profil`` or ``inconnus``).
        """
        inconnus = tuple(inconnus)
        check_slot_names(inconnus)
        clean = validate_profile(profil, self.communes, self.lexicon)
        decision = self.rules.decide(clean)
        manquant = self.rules.manquant(clean, inconnus)
        networks = list(decision.reseaux)
        if cep_a_part(networks, decision.operateur_cep):
            networks.append(decision.operateur_cep)
        networks += [code for code in decision.lieux if code not in networks]
        if ("commune" not in clean and "departement" not in clean
                and not {"commune", "departement"} & set(inconnus)
                and any(code in self._local_networks for code in networks)):
            manquant.append("commune")
        commune = self.communes.get(clean["commune"]) if "commune" in clean else None
        return {
            "reseaux": list(decision.reseaux),
            "operateur_cep": decision.operateur_cep,
            "lieux": self._lieux(networks, commune, clean.get("departement")),
            "raisons": decision.raisons(),
            "profil": clean,
            "manquant": manquant,
        }

    def _lieux(self, networks: list[str], commune, departement: str | None) -> list[dict]:
        if departement == "hors_region":
            departement = None
        per_network = [self.directory.lieux(code, commune=commune, departement=departement,
                                            limit=LIEUX_PAR_RESEAU) for code in networks]
        kept = [[] for _ in per_network]
        budget = LIEUX_MAX
        for rank in range(LIEUX_PAR_RESEAU):
            for places, keep in zip(per_network, kept, strict=True):
                if budget and rank < len(places):
                    keep.append(places[rank])
                    budget -= 1
        return [lieu for keep in kept for lieu in keep]

    def presentation(self, orientation: Mapping[str, Any]) -> dict[str, Any]:
        """The fields beside the contract's that every channel lays an orientation out from
        (names, other doors, the CEP operator's line, the contact, the sentences): see
        ``knowledge.resume.presentation``."""
        profil = orientation.get("profil") or {}
        commune = self.communes.get(profil["commune"]) if profil.get("commune") else None
        return presentation(orientation, self.directory.reseau, self.contact, commune.nom if commune else None)

    @property
    def contact(self) -> Reseau:
        """The network every channel gives when nothing is near or a person asks for someone, and
        to which a code de liaison can be given: Etoile Info (``contact: true`` in reseaux.yml)."""
        return self.directory.contact()

    def secteur(self, metier: str) -> str | None:
        return self.lexicon.secteur(metier)

    # ---- info cards

    def info_card(self, key: str) -> dict | None:
        """The card whose key or alias is ``key`` (case, accents and punctuation ignored)."""
        card = self._fiche_index.get(normalize_text(key))
        return dict(card) if card else None

    def info_cards(self) -> list[dict]:
        return [dict(card) for card in self._fiches]

    def cards_to_read(self, profil: Mapping[str, Any]) -> list[dict]:
        """The cards worth reading out to this person (data `a_lire` of fiches.yml): those of
        the besoin, then the disability recognition's when there is one."""
        keys = list(self._a_lire.get(profil.get("besoin"), []))
        if profil.get("handicap"):
            keys += [k for k in self._a_lire.get("handicap", []) if k not in keys]
        return [card for card in (self.info_card(k) for k in keys) if card]

    # ---- import and checks

    def import_file(self, path: str | Path) -> ImportReport:
        report = self.directory.import_file(path)
        self._local_networks = self._networks_with_local_places()
        return report

    def _play(self, scenarios: list[Mapping[str, Any]] | None) -> list[tuple[Mapping[str, Any], dict | str]]:
        """Each scenario with its route() result, or the ProfileError message."""
        played = []
        for scenario in scenarios if scenarios is not None else load_scenarios():
            try:
                played.append((scenario, self.route(scenario.get("profil") or {}, scenario.get("inconnus") or ())))
            except ProfileError as exc:
                played.append((scenario, str(exc)))
        return played

    @staticmethod
    def _failures(played) -> dict[str, list[str]]:
        return {scenario["id"]: [f"profil refusé : {result}"] if isinstance(result, str)
                else scenario_failures(scenario, result, is_network_entry)
                for scenario, result in played}

    def _coverage(self, played) -> list[str]:
        results = [result for _, result in played if not isinstance(result, str)]
        fired = {r["regle"] for result in results for r in result["raisons"]}
        reached = {code for result in results for code in result["reseaux"]}
        problems = [f"règle {rule.id} jamais appliquée par les scénarios"
                    for rule in self.rules.rules if rule.id not in fired]
        problems += [f"réseau {code} jamais atteint par les scénarios"
                     for code in sorted(self.rules.targets - reached)]
        return problems

    def run_scenarios(self, scenarios: list[Mapping[str, Any]] | None = None) -> dict[str, list[str]]:
        """Scenario id -> failures (empty list = passes); the table of data/scenarios.yml by default."""
        return self._failures(self._play(scenarios))

    def coverage_problems(self, scenarios: list[Mapping[str, Any]] | None = None) -> list[str]:
        """Rules never fired and routed networks never reached by the scenarios."""
        return self._coverage(self._play(scenarios))

    def check(self) -> dict[str, list[str]]:
        """Every consistency check, by section (empty lists = all hold)."""
        data = load_rules_data()
        codes = {r.code for r in self.directory.reseaux()}
        rule_problems = validate_rules(data, codes)
        non_routes = data.get("non_routes") or {}
        targets = {c for r in data.get("regles", []) for c in (r.get("reseaux") or []) if c != CEP_TOKEN}
        rule_problems += [f"réseau {code} : aucune règle n'y oriente (à expliquer dans non_routes)"
                          for code in sorted(codes - targets - set(non_routes))]
        rule_problems += [f"non_routes : {code} est inconnu ou visé par une règle"
                          for code in sorted(set(non_routes) - (codes - targets))]
        played = self._play(None)
        scenario_problems = [f"scénario {sid} : {failure}"
                             for sid, failures in self._failures(played).items() for failure in failures]
        return {
            "règles": rule_problems,
            "métiers": check_lexicon(),
            "compréhension": check_comprendre(),
            "structures": self.directory.check(),
            "fiches": check_fiches(self._fiches) + check_a_lire(self._a_lire, self._fiches),
            "scénarios": scenario_problems + self._coverage(played),
        }


@lru_cache(maxsize=1)
def get_kb() -> KnowledgeBase:
    """The process-wide knowledge base (database from SPRO_KNOWLEDGE_DB_URL or the default file)."""
    return KnowledgeBase.load()
