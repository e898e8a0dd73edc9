"""Validation of the rules file (``data/regles.yml``): every problem in French, for ``load_rules`` and
``python -m knowledge check`` — unknown sections, stages, slots or values, missing reason or source,
targets that are no network, and rules that can never fire (impossible or shadowed).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from knowledge.profile import AGE_MAX, AGE_MIN, ENUM_SLOTS, SLOTS
from knowledge.rules import CEP_TOKEN, MODES, Rule, RuleSet, Stage, parse_rules

CONDITION_SLOTS = tuple(ENUM_SLOTS) + ("age",)
RULE_KEYS = {"id", "etape", "si", "reseaux", "operateur_cep", "exclusif", "lieux", "texte", "source"}
# "sources" holds YAML anchors reused by rules; "non_routes" is read by the facade's check
TOP_KEYS = {"etapes", "manquant", "sources", "regles", "non_routes"}


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


def unreachable_rules(ruleset: RuleSet) -> list[str]:
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
