"""The routing engine: rules as data (``data/regles.yml``) compiled into a ``RuleSet``, its decisions and
``manquant``. The rules file is validated by ``rules_check``, the scenario table run by ``scenarios``.

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

CEP_TOKEN = "$operateur_cep"
MODES = ("premiere", "toutes")


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
    # the validation compiles the rules too (to find unreachable ones), so it imports this module
    from knowledge.rules_check import validate_rules

    data = load_rules_data(path)
    problems = validate_rules(data)
    if problems:
        raise RulesError("; ".join(problems))
    return parse_rules(data)
