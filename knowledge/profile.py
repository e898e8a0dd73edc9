"""The person's profile (fixed slot names and values): vocabulary, validation, derived slots, trade
lexicon.

This module owns what a valid profile is. ``validate_profile`` turns what the dialogue collected
into a clean dict, or raises ``ProfileError`` with a one-line French message. Three slots are derived
when absent: ``statut`` from ``contrat``, ``departement`` from ``commune`` and ``secteur`` from
``metier`` (through the trade lexicon of ``data/metiers.yml``).

Decisions worth knowing:
- ``None`` means "not known" for every slot (Rasa's empty slots), so it is dropped, never an error.
- ``age``: an int, an integral float (Rasa float slots give ``19.0``) or a string of digits, 11–99.
- ``commune`` is authoritative: the département is always taken from it, replacing a stale
  ``departement`` left by an earlier answer (the dialogue corrects slots one at a time).
- ``contrat`` describes an employment contract, the one rule between contract and statut: a contract
  given without a statut says it (``apprenti`` for an alternance, ``salarie`` otherwise; the actions
  take the statut slot from here); it is kept with a salaried statut (``salarie``, ``apprenti``,
  ``agent_public``); with any other statut it is dropped from the profile (a job seeker's former CDD
  does not make them an employee).
- An explicit ``secteur`` wins over the one the lexicon would derive from ``metier``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import yaml

from knowledge.territoire import TERRITOIRE
from knowledge.texte import words

if TYPE_CHECKING:  # pragma: no cover - typing only
    from knowledge.communes import Communes

DATA_DIR = Path(__file__).resolve().parent / "data"
METIERS_PATH = DATA_DIR / "metiers.yml"

STATUTS = ("scolaire", "etudiant", "apprenti", "salarie", "agent_public", "independant",
           "demandeur_emploi", "decrocheur", "sans_activite", "retraite")
CONTRATS = ("cdi", "cdd", "interim", "alternance", "autre")
BESOINS = ("orientation_scolaire", "choix_metier", "reconversion", "evolution", "formation",
           "financement", "apprentissage", "vae", "creation_entreprise", "emploi",
           "retour_formation", "hors_champ")
SECTEURS = ("artisanat", "commerce_industrie_services", "agriculture")
DEPARTEMENT_VALUES = tuple(TERRITOIRE.departements) + ("hors_region",)
AGE_MIN, AGE_MAX = 11, 99
METIER_MAX_LEN = 100
SALARIED_STATUTS = frozenset({"salarie", "apprenti", "agent_public"})


def statut_du_contrat(contrat: str) -> str:
    """The statut a contract says: an apprentice for an alternance, otherwise an employee."""
    return "apprenti" if contrat == "alternance" else "salarie"

# Closed vocabularies; age, metier and commune are checked by their own functions below.
ENUM_SLOTS: dict[str, tuple[Any, ...]] = {
    "statut": STATUTS,
    "contrat": CONTRATS,
    "besoin": BESOINS,
    "secteur": SECTEURS,
    "departement": DEPARTEMENT_VALUES,
    "handicap": (True, False),
    "cadre": (True, False),
}
SLOTS = ("age", "statut", "contrat", "besoin", "secteur", "metier", "handicap", "cadre",
         "commune", "departement")


class ProfileError(ValueError):
    """An invalid profile; ``str(error)`` is a one-line French message for the person or the CLI."""


def _fail(message: str) -> None:
    raise ProfileError(message)


def check_slot_names(names: Iterable[str]) -> None:
    for name in names:
        if name not in SLOTS:
            _fail(f"Information inconnue : {name!r} (attendu : {', '.join(SLOTS)})")


def _age(value: Any) -> int:
    if isinstance(value, bool):
        _fail(f"Âge invalide : {value!r} (un nombre entier de {AGE_MIN} à {AGE_MAX} est attendu)")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not AGE_MIN <= value <= AGE_MAX:
        _fail(f"Âge invalide : {value!r} (un nombre entier de {AGE_MIN} à {AGE_MAX} est attendu)")
    return value


def _enum(slot: str, value: Any) -> Any:
    allowed = ENUM_SLOTS[slot]
    if slot == "departement" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(allowed[0], bool):
        if not isinstance(value, bool):
            _fail(f"Valeur invalide pour {slot} : {value!r} (true ou false attendu)")
        return value
    if not isinstance(value, str) or value not in allowed:
        _fail(f"Valeur inconnue pour {slot} : {value!r}")
    return value


def _metier(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(f"Métier invalide : {value!r} (un texte non vide est attendu)")
    text = " ".join(value.split())
    if len(text) > METIER_MAX_LEN:
        _fail(f"Métier trop long : {len(text)} caractères (au plus {METIER_MAX_LEN})")
    return text


def _commune(value: Any, communes: "Communes | None"):
    code = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(code, str) or not re.fullmatch(r"\d[\dAB]\d{3}", code.strip()):
        _fail(f"Commune invalide : {value!r} (un code INSEE à 5 caractères est attendu)")
    code = code.strip()
    commune = communes.get(code) if communes is not None else None
    if communes is not None and commune is None:
        _fail(f"Commune inconnue en {TERRITOIRE.region} : {code!r}")
    return code, commune


def validate_profile(raw: Mapping[str, Any], communes: "Communes | None" = None,
                     lexicon: "Lexicon | None" = None) -> dict[str, Any]:
    """Return the clean profile (slot order of SLOTS, derived slots filled) or raise ProfileError.

    Without ``communes`` the commune code is only checked for its shape (used by rule tests that
    need no territory); without ``lexicon`` no secteur is derived.
    """
    if not isinstance(raw, Mapping):
        _fail("Le profil doit être un objet JSON (des paires information : valeur)")
    check_slot_names(raw)
    profil: dict[str, Any] = {}
    commune_obj = None
    for slot in SLOTS:
        value = raw.get(slot)
        if value is None:
            continue
        if slot == "age":
            profil[slot] = _age(value)
        elif slot == "metier":
            profil[slot] = _metier(value)
        elif slot == "commune":
            profil[slot], commune_obj = _commune(value, communes)
        else:
            profil[slot] = _enum(slot, value)
    if "contrat" in profil:
        if "statut" not in profil:
            profil["statut"] = statut_du_contrat(profil["contrat"])
        elif profil["statut"] not in SALARIED_STATUTS:
            del profil["contrat"]
    if commune_obj is not None:
        profil["departement"] = commune_obj.departement
    if "secteur" not in profil and "metier" in profil and lexicon is not None:
        secteur = lexicon.secteur(profil["metier"])
        if secteur is not None:
            profil["secteur"] = secteur
    return {slot: profil[slot] for slot in SLOTS if slot in profil}


# --- trade lexicon -------------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """Lower case, no accents, letters and digits separated by single spaces ("Aide-Soignante" ->
    "aide soignante"); ligatures are spelt out so "œnologue" and "oenologue" meet."""
    return words(text)


def singular(token: str) -> str:
    # French plurals of trade nouns: -s (boulangers), -x (chevaux is not a trade; "travaux" is
    # handled as its own entry). Short words keep their s ("bus", "gens").
    if len(token) > 3 and token[-1] in "sx" and not token.endswith("ss"):
        return token[:-1]
    return token


# Little words skipped on both sides, so "agent accueil" meets "agent d'accueil" and
# "peintre en bâtiment" is found in "je suis peintre dans le bâtiment".
_LITTLE_WORDS = frozenset({"a", "au", "aux", "d", "dans", "de", "des", "du", "en", "l", "la", "le", "les",
                           "un", "une"})


def _key(text: str) -> tuple[str, ...]:
    return tuple(singular(tok) for tok in normalize_text(text).split() if tok not in _LITTLE_WORDS)


@dataclass(frozen=True)
class LexiconEntry:
    forms: tuple[str, ...]   # as written in the data, masculine first
    secteur: str
    source: str
    domaine: bool = False    # a trade field ("la boulangerie", "le commerce"), not a trade


class Lexicon:
    """Trade / trade-domain words -> secteur, matched inside short phrases."""

    def __init__(self, entries: Iterable[LexiconEntry]):
        self.entries = tuple(entries)
        index: dict[tuple[str, ...], LexiconEntry] = {}
        self.conflicts: list[str] = []
        for entry in self.entries:
            for form in entry.forms:
                key = _key(form)
                previous = index.get(key)
                if previous is not None and previous.secteur != entry.secteur:
                    self.conflicts.append(f"« {form} » classé à la fois {previous.secteur} et {entry.secteur}")
                index.setdefault(key, entry)
        self._index = index
        self._max_len = max((len(k) for k in index), default=1)

    def lookup(self, text: str) -> LexiconEntry | None:
        """The entry for the first trade named in ``text``, preferring the longest words at a
        position ("peintre en batiment" over "peintre")."""
        tokens = _key(text)
        for start in range(len(tokens)):
            for length in range(min(self._max_len, len(tokens) - start), 0, -1):
                entry = self._index.get(tokens[start:start + length])
                if entry is not None:
                    return entry
        return None

    def secteur(self, text: str) -> str | None:
        entry = self.lookup(text)
        return entry.secteur if entry else None


def parse_lexicon(data: Mapping[str, Any]) -> Lexicon:
    entries = []
    for secteur, block in data["secteurs"].items():
        for kind in ("metiers", "domaines"):
            for item in block.get(kind, []):
                if isinstance(item, Mapping):
                    forms, source = item["formes"], item.get("source", block["source"])
                else:
                    forms, source = item, block["source"]
                forms = (forms,) if isinstance(forms, str) else tuple(forms)
                entries.append(LexiconEntry(forms=forms, secteur=secteur, source=source,
                                            domaine=kind == "domaines"))
    return Lexicon(entries)


@lru_cache(maxsize=4)
def load_lexicon(path: str | Path = METIERS_PATH) -> Lexicon:
    with open(path, encoding="utf-8") as handle:
        return parse_lexicon(yaml.safe_load(handle))


def check_lexicon(path: str | Path = METIERS_PATH) -> list[str]:
    """Problems in the lexicon file (empty list = fine), in French."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    problems = []
    for secteur, block in (data.get("secteurs") or {}).items():
        if secteur not in SECTEURS:
            problems.append(f"metiers.yml : secteur inconnu {secteur!r}")
        if not block.get("source"):
            problems.append(f"metiers.yml : le secteur {secteur} n'a pas de source")
    if problems:
        return problems
    lexicon = parse_lexicon(data)
    problems.extend(f"metiers.yml : {c}" for c in lexicon.conflicts)
    trades = sum(1 for block in data["secteurs"].values() for _ in block.get("metiers", []))
    if trades < 150:
        problems.append(f"metiers.yml : {trades} métiers seulement (150 attendus au moins)")
    return problems
