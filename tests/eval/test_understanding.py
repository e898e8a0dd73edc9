"""Understanding real-style first messages through the real stack (bench/bench_understanding.py),
with floors set from the measured values: a regression in the reader, the model or the dialogue
fails `make test`. The targets themselves (product.md §6) are printed by the benchmark."""
from __future__ import annotations

import pytest

from bench.bench_understanding import evaluate

pytestmark = pytest.mark.stack

# Measured on this set on 2026-12-02 with this commit's model (python -m bench.bench_understanding):
# precision 0.903, recall 0.765, routing 0.909, 3 dead ends, distress recall 0.680 with 6 false
# alarms out of 317 ordinary messages; the floors leave a margin for retraining. The targets
# (precision 0.97, recall 0.85, routing 0.95, no dead end, distress recall 1 with no false alarm)
# are not all reached: raise these as the understanding improves.
FLOORS = {
    "precision": 0.88,
    "recall": 0.74,
    "routing": 0.88,
    "distress_recall": 0.64,
}
MAX_DEAD_ENDS = 6
MAX_FALSE_ALARMS = 9


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
