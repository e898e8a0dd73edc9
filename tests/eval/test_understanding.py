"""Understanding real-style first messages through the real stack (bench/bench_understanding.py),
with floors set from the measured values: a regression in the reader, the model or the dialogue
fails `make test`. The targets themselves (product.md §6) are printed by the benchmark."""
from __future__ import annotations

import pytest

from bench.bench_understanding import evaluate

pytestmark = pytest.mark.stack

# Measured on 2026-12-02 (fourth session) with this commit's model (python -m
# bench.bench_understanding), on the 460 first messages and the 190 distress / 202 ordinary
# messages: precision 0.896, recall 0.817, routing 0.939, 3 dead ends, distress recall 0.968 (182
# with the full emergency message, 2 more with the safety net's one line), 20 false alarms out of
# 662 ordinary messages, and the one line shown to 21 of them. On the set no tuning has read
# (`*_janvier`): precision 0.834, recall 0.789, routing 71/80, distress 34/40, 5 false alarms.
# The reader's share of distress (173/190) does not vary with the draw; the classifier's does: a
# retraining after a lexicon edit moved its false alarms from 12 to 20 of 662. The floors leave a
# margin for that. The targets (precision 0.97, recall 0.85, routing 0.95, no dead end, distress
# recall 1 with no false alarm) are not reached: raise these as the understanding improves.
FLOORS = {
    "precision": 0.87,
    "recall": 0.77,
    "routing": 0.91,
    "distress_recall": 0.90,
}
MAX_DEAD_ENDS = 5
MAX_FALSE_ALARMS = 26
MAX_LINES_SHOWN = 35  # ordinary messages given the safety net's one line with the 3114


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
    assert len(report.lines_shown) <= MAX_LINES_SHOWN
