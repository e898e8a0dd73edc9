"""Understanding real-style first messages through the real stack (bench/bench_understanding.py),
with floors set from the measured values: a regression in the reader, the model or the dialogue
fails `make test`. The targets themselves (product.md §6) are printed by the benchmark."""
from __future__ import annotations

import pytest

from bench.bench_understanding import evaluate

pytestmark = pytest.mark.stack

# Measured on 2026-12-02 with this commit's model (python -m bench.bench_understanding), on the 300
# first messages and the 110 distress / 122 ordinary messages: precision 0.905, recall 0.774,
# routing 0.920, 1 dead end, distress recall 0.827 with 17 false alarms out of 422 ordinary
# messages (the classifier alone reads distress in some long stories of hardship; the questions
# then go on). On the never-read groups alone: precision 0.88-0.89, routing 102/114 and 62/70,
# distress 25/37 and 28/35. The floors leave a margin for retraining. The targets (precision 0.97,
# recall 0.85, routing 0.95, no dead end, distress recall 1 with no false alarm) are not reached:
# raise these as the understanding improves.
FLOORS = {
    "precision": 0.88,
    "recall": 0.75,
    "routing": 0.89,
    "distress_recall": 0.78,
}
MAX_DEAD_ENDS = 3
MAX_FALSE_ALARMS = 22


@pytest.fixture(scope="module")
def report(gateway):
    result = evaluate(gateway)
    print("\n".join(result.lines()))
    return result


def test_first_turn_facts(report):
    assert report.facts.precision >= FLOORS["precision"]
    assert report.facts.recall >= FLOORS["recall"]


def test_routing_and_dead_ends(report):
    assert report.routing >= FLOORS["routing"]
    assert len(report.dead_ends) <= MAX_DEAD_ENDS


def test_distress(report):
    assert report.distress_recall >= FLOORS["distress_recall"]
    assert len(report.false_alarms) <= MAX_FALSE_ALARMS
