"""Benchmark of a routing decision + place lookup (target: p95 ≤ 2 ms, ≥ 5,000 decisions/s
on one core). Prints numbers; asserts nothing.

    .venv/bin/python bench/bench_routing.py [--profiles 5000] [--seed 2024] [--db URL]

Each decision is a full ``KnowledgeBase.route()``: profile validation, rules, ``manquant`` (which
re-runs the rules for every slot worth asking) and up to five places from the directory's index.
Profiles are random but valid: each slot is present with some probability, communes are drawn
from the region's, trades from the lexicon (half of them inside a short phrase).
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge import KnowledgeBase  # noqa: E402
from knowledge.profile import AGE_MAX, AGE_MIN, BESOINS, CONTRATS, DEPARTEMENT_VALUES, SECTEURS, STATUTS  # noqa: E402


def random_profiles(kb: KnowledgeBase, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    communes = [c.insee for c in kb.communes.all()]
    trades = [form for entry in kb.lexicon.entries for form in entry.forms]
    profiles = []
    for _ in range(count):
        p: dict = {}
        if rng.random() < 0.8:
            p["besoin"] = rng.choice(BESOINS)
        if rng.random() < 0.8:
            p["statut"] = rng.choice(STATUTS)
        if rng.random() < 0.7:
            p["age"] = rng.randint(AGE_MIN, AGE_MAX) if rng.random() < 0.3 else rng.randint(15, 60)
        if p.get("statut") in ("salarie", "apprenti") and rng.random() < 0.5:
            p["contrat"] = rng.choice(CONTRATS)
        if rng.random() < 0.4:
            trade = rng.choice(trades)
            p["metier"] = f"je voudrais être {trade}" if rng.random() < 0.5 else trade
        elif rng.random() < 0.1:
            p["secteur"] = rng.choice(SECTEURS)
        for flag in ("handicap", "cadre"):
            if rng.random() < 0.3:
                p[flag] = rng.random() < 0.2
        where = rng.random()
        if where < 0.6:
            p["commune"] = rng.choice(communes)
        elif where < 0.8:
            p["departement"] = rng.choice(DEPARTEMENT_VALUES)
        profiles.append(p)
    return profiles


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--db", default=None, help="directory database (default: a throw-away SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.load(args.db or f"sqlite:///{tmp}/knowledge.db")
        profiles = random_profiles(kb, args.profiles, args.seed)
        for p in profiles[:200]:   # warm-up: lazy imports, caches of the interpreter
            kb.route(p)
        timings = []
        networks = places = asked = 0
        started = time.perf_counter()
        for p in profiles:
            t0 = time.perf_counter()
            result = kb.route(p)
            timings.append(time.perf_counter() - t0)
            networks += len(result["reseaux"])
            places += len(result["lieux"])
            asked += len(result["manquant"])
        elapsed = time.perf_counter() - started
        kb.directory.close()

    ms = sorted(t * 1000 for t in timings)
    n = len(profiles)
    print(f"{n} random profiles (seed {args.seed}); route() = validation + rules + manquant + places")
    print(f"decisions/s : {n / elapsed:,.0f}")
    print(f"latency ms  : p50 {percentile(ms, 0.50):.3f}  p95 {percentile(ms, 0.95):.3f}  "
          f"p99 {percentile(ms, 0.99):.3f}  max {ms[-1]:.3f}  mean {statistics.fmean(ms):.3f}")
    print(f"per decision: {networks / n:.2f} networks, {places / n:.2f} places, {asked / n:.2f} slots in manquant")
    print("targets (product.md §6): p95 <= 2 ms, >= 5,000 decisions/s on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
