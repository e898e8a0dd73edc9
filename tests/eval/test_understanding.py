"""Understanding real-style first messages through the real stack (bench/bench_understanding.py),
with floors set from the measured values: a regression in the reader, the model or the dialogue
fails `make test`. The product's targets themselves are listed above FLOORS."""
from __future__ import annotations

import pytest

from bench.bench_understanding import evaluate

pytestmark = pytest.mark.stack

# Measured on 2026-12-07 (seventh session) with the model of the clean-clone CI of af7b435 (python -m
# bench.bench_understanding; no training input has changed since), on the 700 first messages and
# the 310 distress / 1,022 ordinary messages: precision 0.939, recall 0.870, routing 676/700 =
# 0.966, no dead end, distress recall 303/310 = 0.977, 13 false alarms out of 1,022 ordinary
# messages, the one line shown to 41 of them. On the set no tuning has read (`*_avril`): precision
# 0.907, recall 0.844, routing 72/80, distress 34/40, 6 false alarms of 120. The reader's share
# does not vary with the draw; the classifier's does (an earlier retraining moved its false alarms
# from 12 to 20): the floors leave a margin for that. The targets (precision 0.97, recall 0.85,
# routing 0.95, no dead end, distress recall 1 with no false alarm) are not all reached: raise
# these as the understanding improves.
FLOORS = {
    "precision": 0.92,
    "recall": 0.84,
    "routing": 0.94,
    "distress_recall": 0.95,
}
MAX_DEAD_ENDS = 2
MAX_FALSE_ALARMS = 20
MAX_LINES_SHOWN = 48  # ordinary messages given the safety net's one line with the 3114


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
