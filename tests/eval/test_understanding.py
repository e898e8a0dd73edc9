"""Understanding real-style first messages through the real stack (bench/bench_understanding.py),
with floors set from the measured values: a regression in the reader, the model or the dialogue
fails `make test`. The targets themselves (product.md §6) are printed by the benchmark."""
from __future__ import annotations

import pytest

from bench.bench_understanding import evaluate

pytestmark = pytest.mark.stack

# Measured on this set on 2026-12-02 (precision 0.778, recall 0.780, routing 0.730, 19 dead ends,
# distress recall 0.347 with 3 false alarms out of 317), less a margin for retraining; the
# targets (precision 0.97, recall 0.85, routing 0.95, no dead end, distress recall 1 with no false
# alarm) are not reached yet: raise these as the understanding improves.
FLOORS = {
    "precision": 0.75,
    "recall": 0.75,
    "routing": 0.70,
    "distress_recall": 0.30,
}
MAX_DEAD_ENDS = 24
MAX_FALSE_ALARMS = 5


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
