"""The routing engine: rules as data (``data/regles.yml``), decisions, ``manquant``, scenario checks.

The engine knows no network: every rule, its order, its targets, its reason and its source live in
the YAML file. What the engine knows is how to read them:

- Stages (``etapes``) are evaluated in file order. ``mode: premiere`` keeps the first matching rule of
  the stage, ``mode: toutes`` every matching rule; ``seulement_sans_reseau: true`` skips the stage once
  a network has been chosen (the fallback).
- A rule matches when every condition holds on a *known* slot. An unknown slot never matches, so
  routing does its best with what is known and ``manquant`` says which answers would change it.
  Conditions: ``slot: value``, ``slot: [values]``, ``age: {min: .., max: ..}``, ``handicap: true``.
- ``operateur_cep: true`` makes the rule's network the CEP operator instead of a deuxième porte; the
  token ``$operateur_cep`` in a later rule's ``reseaux`` stands for that operator (dropped when none).
  A rule left with no network that way does not apply: the stage goes on to the next rule.
- ``exclusif: true`` ends the decision with that rule alone: its networks, no CEP operator (used for
  requests outside the SPRO, where we must not pretend to route).
- ``lieux: [codes]`` names networks whose nearest places are shown without being a deuxième porte
  (the France services for a request outside the SPRO).

``manquant``: for every unknown slot that a condition reads, the engine tries each of its values
(for ``age``, one value per interval between the thresholds the rules use), keeps the slot when some
value changes the outcome (networks or CEP operator), and ranks slots by how many distinct outcomes
they split into, ties in the data's ``manquant.ordre``. ``manquant.demander_plutot`` names the slot to
ask instead of another (the trade rather than the sector, since the lexicon derives the sector).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import yaml

from knowledge.profile import AGE_MAX, AGE_MIN, ENUM_SLOTS, SLOTS

DATA_DIR = Path(__file__).resolve().parent / "data"
RULES_PATH = DATA_DIR / "regles.yml"
SCENARIOS_PATH = DATA_DIR / "scenarios.yml"

CEP_TOKEN = "$operateur_cep"
MODES = ("premiere", "toutes")
CONDITION_SLOTS = tuple(ENUM_SLOTS) + ("age",)
RULE_KEYS = {"id", "etape", "si", "reseaux", "operateur_cep", "exclusif", "lieux", "texte", "source"}
# "sources" holds YAML anchors reused by rules; "non_routes" is read by the facade's check
TOP_KEYS = {"etapes", "manquant", "sources", "regles", "non_routes"}


class RulesError(ValueError):
    """The rules file is invalid; the message lists every problem, in French."""


@dataclass(frozen=True)
class Condition:
    slot: str
    values: frozenset | None = None      # enumerated slots
    low: int = AGE_MIN                   # age
    high: int = AGE_MAX

    def predicate(self) -> Callable[[Any], bool]:
        """A plain function of the slot's value: the hot loop avoids attribute look-ups."""
        if self.values is not None:
            return self.values.__contains__
        low, high = self.low, self.high
        return lambda value: low <= value <= high

    def within(self, other: "Condition") -> bool:
        """True when every value satisfying self satisfies other (same slot)."""
        if self.values is not None:
            return other.values is not None and self.values <= other.values
        return other.values is None and other.low <= self.low and self.high <= other.high

    def empty(self) -> bool:
        return not self.values if self.values is not None else self.low > self.high


@dataclass(frozen=True)
class Rule:
    id: str
    etape: str
    conditions: tuple[Condition, ...]
    reseaux: tuple[str, ...]
    operateur_cep: bool
    exclusif: bool
    lieux: tuple[str, ...]
    texte: str
    source: str
    _tests: tuple[tuple[str, Callable[[Any], bool]], ...] = field(repr=False, compare=False, default=())

    def matches(self, profil: Mapping[str, Any]) -> bool:
        for slot, test in self._tests:
            value = profil.get(slot)
            if value is None or not test(value):
                return False
        return True

    def subsumes(self, other: "Rule") -> bool:
        """Whenever ``other`` matches, so does self (each of self's conditions is implied)."""
        theirs = {c.slot: c for c in other.conditions}
        return all(c.slot in theirs and theirs[c.slot].within(c) for c in self.conditions)


@dataclass(frozen=True)
class Stage:
    nom: str
    mode: str
    seulement_sans_reseau: bool
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Decision:
    reseaux: tuple[str, ...]
    operateur_cep: str | None
    regles: tuple[Rule, ...]     # fired rules, in the order their reasons should be read

    @property
    def outcome(self) -> tuple[tuple[str, ...], str | None]:
        return self.reseaux, self.operateur_cep

    def raisons(self) -> list[dict[str, str]]:
        return [{"regle": r.id, "texte": r.texte} for r in self.regles]

    @property
    def lieux(self) -> tuple[str, ...]:
        """Networks whose places the fired rules show beside the deuxième porte, if any."""
        return tuple(dict.fromkeys(code for r in self.regles for code in r.lieux))


def _compile_condition(slot: str, spec: Any) -> Condition:
    if slot == "age":
        return Condition(slot, low=spec.get("min", AGE_MIN), high=spec.get("max", AGE_MAX))
    values = spec if isinstance(spec, list) else [spec]
    return Condition(slot, values=frozenset(values))


def validate_rules(data: Any, reseaux: Iterable[str] | None = None) -> list[str]:
    """Every problem of a parsed rules file, in French (empty list = valid).

    ``reseaux``: the known network codes; when given, every target must be one of them.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("regles"), list) \
            or not isinstance(data.get("etapes"), list):
        return ["regles.yml : il faut les listes « etapes » et « regles »"]
    known = set(reseaux) if reseaux is not None else None
    problems: list[str] = [f"regles.yml : rubrique inconnue {key!r}" for key in set(data) - TOP_KEYS]
    settings = data.get("manquant") or {}
    asked = list(settings.get("ordre", [])) + [s for pair in (settings.get("demander_plutot") or {}).items()
                                                 for s in pair]
    problems += [f"manquant : créneau inconnu {slot!r}" for slot in asked if slot not in SLOTS]
    stages = {}
    for stage in data["etapes"]:
        name = stage.get("nom") if isinstance(stage, Mapping) else None
        if not name or name in stages:
            problems.append(f"étape sans nom ou en double : {stage!r}")
            continue
        if stage.get("mode") not in MODES:
            problems.append(f"étape {name} : mode {stage.get('mode')!r} inconnu (attendu : {', '.join(MODES)})")
        stages[name] = stage
    stage_names = list(stages)
    cep_positions = [stage_names.index(r["etape"]) for r in data["regles"]
                     if isinstance(r, Mapping) and r.get("operateur_cep") and r.get("etape") in stages]
    first_cep = min(cep_positions, default=None)
    seen_ids: set[str] = set()
    for raw in data["regles"]:
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        if not rid or not isinstance(rid, str):
            problems.append(f"règle sans identifiant : {raw!r}")
            continue
        where = f"règle {rid}"
        if rid in seen_ids:
            problems.append(f"{where} : identifiant en double")
        seen_ids.add(rid)
        for key in set(raw) - RULE_KEYS:
            problems.append(f"{where} : champ inconnu {key!r}")
        stage = raw.get("etape")
        if stage not in stages:
            problems.append(f"{where} : étape inconnue {stage!r}")
        for key in ("texte", "source"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                problems.append(f"{where} : {key} manquant")
        if "domain.md" in str(raw.get("source", "")):
            problems.append(f"{where} : la source doit citer le texte d'origine, pas une note de conception")
        conditions = raw.get("si") or {}
        if not isinstance(conditions, Mapping):
            problems.append(f"{where} : « si » doit être un dictionnaire")
            conditions = {}
        for slot, spec in conditions.items():
            problems.extend(f"{where} : {p}" for p in _condition_problems(slot, spec))
        targets = raw.get("reseaux") or []
        if not isinstance(targets, list):
            problems.append(f"{where} : « reseaux » doit être une liste")
            targets = []
        for code in targets:
            if code == CEP_TOKEN:
                if first_cep is None or stage not in stages or stage_names.index(stage) <= first_cep:
                    problems.append(f"{where} : {CEP_TOKEN} avant toute étape qui fixe l'opérateur CEP")
            elif known is not None and code not in known:
                problems.append(f"{where} : réseau inconnu {code!r}")
        if raw.get("operateur_cep"):
            if len(targets) != 1 or targets[0] == CEP_TOKEN:
                problems.append(f"{where} : une règle d'opérateur CEP désigne exactement un réseau")
        lieux = raw.get("lieux") or []
        if not isinstance(lieux, list):
            problems.append(f"{where} : « lieux » doit être une liste")
            lieux = []
        problems += [f"{where} : réseau inconnu {code!r} dans « lieux »" for code in lieux
                     if known is not None and code not in known]
        if not targets and not raw.get("exclusif"):
            problems.append(f"{where} : aucune cible (seule une règle exclusive peut n'orienter vers personne)")
    if problems:
        return problems
    try:
        ruleset = parse_rules(data)
    except (KeyError, TypeError, ValueError) as exc:  # defensive: shapes not caught above
        return [f"regles.yml illisible : {exc}"]
    return unreachable_rules(ruleset)


def _condition_problems(slot: str, spec: Any) -> list[str]:
    if slot not in CONDITION_SLOTS:
        return [f"condition sur {slot!r} impossible (créneaux utilisables : {', '.join(CONDITION_SLOTS)})"]
    if slot == "age":
        if not isinstance(spec, Mapping) or not spec or set(spec) - {"min", "max"}:
            return ["condition d'âge attendue sous la forme {min: .., max: ..}"]
        bad = [v for v in spec.values() if not isinstance(v, int) or not AGE_MIN <= v <= AGE_MAX]
        return [f"âge hors de {AGE_MIN}–{AGE_MAX} : {bad}"] if bad else []
    values = spec if isinstance(spec, list) else [spec]
    allowed = ENUM_SLOTS[slot]
    return [f"valeur inconnue pour {slot} : {v!r}" for v in values
            if v not in allowed or isinstance(v, bool) != isinstance(allowed[0], bool)]


def unreachable_rules(ruleset: "RuleSet") -> list[str]:
    """Rules that can never fire: impossible conditions, or shadowed by an earlier rule of the same
    first-match stage, or by an earlier exclusive rule."""
    problems = []
    earlier: list[tuple[Stage, Rule]] = []
    for stage in ruleset.stages:
        for rule in stage.rules:
            if any(c.empty() for c in rule.conditions):
                problems.append(f"règle {rule.id} : conditions impossibles")
            for other_stage, other in earlier:
                # a rule whose only target is "$operateur_cep" lets later rules through when the
                # person has no CEP operator, so it shadows nothing
                always_applies = other.operateur_cep or any(c != CEP_TOKEN for c in other.reseaux)
                shadowing = other.exclusif or (other_stage is stage and stage.mode == "premiere" and always_applies)
                if shadowing and other.subsumes(rule):
                    problems.append(f"règle {rule.id} : jamais appliquée, la règle {other.id} passe avant")
                    break
            earlier.append((stage, rule))
    return problems


def parse_rules(data: Mapping[str, Any]) -> "RuleSet":
    by_stage: dict[str, list[Rule]] = {s["nom"]: [] for s in data["etapes"]}
    for raw in data["regles"]:
        conditions = tuple(_compile_condition(slot, spec) for slot, spec in (raw.get("si") or {}).items())
        rule = Rule(id=raw["id"], etape=raw["etape"], conditions=conditions,
                    reseaux=tuple(raw.get("reseaux") or ()), operateur_cep=bool(raw.get("operateur_cep")),
                    exclusif=bool(raw.get("exclusif")), lieux=tuple(raw.get("lieux") or ()),
                    texte=" ".join(raw["texte"].split()),
                    source=" ".join(raw["source"].split()),
                    _tests=tuple((c.slot, c.predicate()) for c in conditions))
        by_stage[rule.etape].append(rule)
    stages = tuple(Stage(nom=s["nom"], mode=s["mode"], seulement_sans_reseau=bool(s.get("seulement_sans_reseau")),
                         rules=tuple(by_stage[s["nom"]])) for s in data["etapes"])
    settings = data.get("manquant") or {}
    return RuleSet(stages, order=tuple(settings.get("ordre", SLOTS)),
                   ask_instead=dict(settings.get("demander_plutot", {})))


class RuleSet:
    def __init__(self, stages: Sequence[Stage], order: Sequence[str] = SLOTS,
                 ask_instead: Mapping[str, str] | None = None):
        self.stages = tuple(stages)
        self.rules = tuple(r for s in self.stages for r in s.rules)
        self.by_id = {r.id: r for r in self.rules}
        self._order = {slot: i for i, slot in enumerate(order)}
        self._ask_instead = dict(ask_instead or {})
        self._candidates = self._candidate_values()
        self._rank = {r.id: i for i, r in enumerate(self.rules)}

    @property
    def targets(self) -> set[str]:
        return {code for r in self.rules for code in r.reseaux if code != CEP_TOKEN}

    def _candidate_values(self) -> dict[str, tuple[Any, ...]]:
        """For each slot a condition reads, the values worth trying in ``manquant``. For age, the
        outcome is constant between thresholds, so one value per interval is enough."""
        conditions = [c for r in self.rules for c in r.conditions]
        slots = sorted({c.slot for c in conditions}, key=lambda s: self._order.get(s, len(self._order)))
        candidates: dict[str, tuple[Any, ...]] = {}
        for slot in slots:
            if slot == "age":
                starts = {AGE_MIN}
                for c in conditions:
                    if c.slot == "age":
                        starts.update(v for v in (c.low, c.high + 1) if AGE_MIN <= v <= AGE_MAX)
                candidates[slot] = tuple(sorted(starts))
            else:
                candidates[slot] = ENUM_SLOTS[slot]
        return candidates

    def decide(self, profil: Mapping[str, Any]) -> Decision:
        reseaux: list[str] = []
        operateur = None
        fired: list[tuple[Rule, tuple[str, ...]]] = []   # rule and the networks it contributed
        for stage in self.stages:
            if stage.seulement_sans_reseau and reseaux:
                continue
            for rule in stage.rules:
                if not rule.matches(profil):
                    continue
                if rule.exclusif:
                    return Decision(rule.reseaux, None, (rule,))
                if rule.operateur_cep:
                    operateur = rule.reseaux[0]
                    fired.append((rule, (operateur,)))
                else:
                    added = tuple(operateur if code == CEP_TOKEN else code for code in rule.reseaux)
                    added = tuple(code for code in added if code is not None)
                    if not added:
                        continue   # only "$operateur_cep" and the person has none: nothing to offer
                    for code in added:
                        if code not in reseaux:
                            reseaux.append(code)
                    fired.append((rule, added))
                if stage.mode == "premiere":
                    break
        position = {code: i for i, code in enumerate(reseaux)}
        last = len(reseaux)
        ordered = sorted(fired, key=lambda item: (min((position.get(c, last) for c in item[1]), default=last),
                                                  self._rank[item[0].id]))
        return Decision(tuple(reseaux), operateur, tuple(rule for rule, _ in ordered))

    def manquant(self, profil: Mapping[str, Any], inconnus: Iterable[str] = ()) -> list[str]:
        """Slots worth asking, most discriminating first (see the module docstring)."""
        skip = set(inconnus)
        base = self.decide(profil).outcome
        scored = []
        trial = dict(profil)
        for slot, values in self._candidates.items():
            if slot in profil or slot in skip:
                continue
            outcomes = set()
            for value in values:
                trial[slot] = value
                outcomes.add(self.decide(trial).outcome)
            del trial[slot]
            if outcomes == {base}:
                continue
            asked = self._ask_instead.get(slot)
            if asked is None or asked in profil or asked in skip:
                asked = slot
            scored.append((-len(outcomes), self._order.get(asked, len(self._order)), asked))
        return [name for *_, name in sorted(scored)]


def load_rules_data(path: str | Path = RULES_PATH) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_PATH) -> RuleSet:
    """The compiled rule set; raises RulesError listing every problem of the file."""
    data = load_rules_data(path)
    problems = validate_rules(data)
    if problems:
        raise RulesError("; ".join(problems))
    return parse_rules(data)


# --- scenario table ------------------------------------------------------------------------------

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
