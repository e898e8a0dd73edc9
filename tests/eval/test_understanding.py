"""Understanding real-style first messages through the real stack (bench/bench_understanding.py),
with floors set from the measured values: a regression in the reader, the model or the dialogue
fails `make test`. The targets themselves (product.md §6) are printed by the benchmark."""
from __future__ import annotations

import pytest

from bench.bench_understanding import evaluate

pytestmark = pytest.mark.stack

# Measured on 2026-12-02 (second session) with this commit's model (python -m
# bench.bench_understanding), on the 380 first messages and the 150 distress / 162 ordinary
# messages: precision 0.895, recall 0.784, routing 0.934, 3 dead ends, distress recall 0.947 with
# 13 false alarms out of 542 ordinary messages (the classifier alone reads distress in some
# stories of hardship; the questions then go on). On the set no tuning has read (`*_decembre`):
# precision 0.832, recall 0.782, routing 70/80, distress 32/40, 3 false alarms. A retraining on
# nearly the same data gave distress 137/150 (27/40 unread): the classifier's share of distress
# varies with the draw, the reader's 130/150 does not. The floors leave a margin for that. The targets (precision 0.97, recall 0.85, routing 0.95, no dead end,
# distress recall 1 with no false alarm) are not reached: raise these as the understanding improves.
FLOORS = {
    "precision": 0.87,
    "recall": 0.76,
    "routing": 0.91,
    "distress_recall": 0.88,
}
MAX_DEAD_ENDS = 5
MAX_FALSE_ALARMS = 20


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
