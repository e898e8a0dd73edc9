"""Read `rasa test nlu` reports, print the F1 figures, fail below the floors.

Two evaluations, each with its floors (targets: intent macro-F1 >= 0.95, entity F1 >= 0.90):
- `--split`: the model trained on a fixed 80 % of nlu_data and tested on the other 20 % (what
  `make test` runs: one training);
- `--cv`: the 5-fold cross-validation (`make test-nlu-cv`, run by CI after `make test`).
Entity figures are DIET's own (its report: where the rule reader beside it agrees, DIET's span is
kept with the reader's value). The reader (bot/comprehension.py) is measured on real-style text
by bench/bench_understanding.py.
The floors are the measured values less a margin for the variation between runs; raise them as
the data improves.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

FLOORS = {
    # measured 2026-11-25 on a clean clone (0.954 / 0.896 / 0.905), less about 0.03
    "cv": {"intent macro-F1": 0.925, "entity micro-F1": 0.865, "entity macro-F1": 0.875},
    # measured 2026-12-02 on the fixed split, DIET at 50 epochs (0.955 / 0.867 / 0.896), less about 0.025
    "split": {"intent macro-F1": 0.93, "entity micro-F1": 0.84, "entity macro-F1": 0.87},
}


def scores(results: Path) -> dict[str, float]:
    intents = json.loads((results / "intent_report.json").read_text())
    entities = json.loads((results / "DIETClassifier_report.json").read_text())
    return {
        "intent macro-F1": intents["macro avg"]["f1-score"],
        "entity micro-F1": entities["micro avg"]["f1-score"],
        "entity macro-F1": entities["macro avg"]["f1-score"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--split", dest="kind", action="store_const", const="split")
    kind.add_argument("--cv", dest="kind", action="store_const", const="cv")
    parser.add_argument("results", nargs="?", default="results/nlu")
    args = parser.parse_args()
    floors = FLOORS[args.kind or "cv"]
    results = Path(args.results)
    measured = scores(results)
    failed = False
    for name, value in measured.items():
        ok = value >= floors[name]
        failed |= not ok
        print(f"{name:16s} {value:.3f}  (plancher {floors[name]:.3f}) {'ok' if ok else 'SOUS LE PLANCHER'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
