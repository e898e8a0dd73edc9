"""Action tests: real actions over the real knowledge base, with Rasa-shaped tracker fixtures."""
from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import ROOT

# The actions use the process-wide knowledge base, a throw-away database: see tests/conftest.py.


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"slots": {}, "forms": {}, "responses": {}, "intents": [], "entities": []}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("slots", "forms", "responses"):
            merged[key].update(part.get(key) or {})
        for key in ("intents", "entities"):
            merged[key] += part.get(key) or []
    return merged


def make_tracker(slots: dict[str, Any] | None = None, text: str = "", intent: str = "informer",
                 entities: list[dict] | None = None, events: list[dict] | None = None,
                 requested_slot: str | None = None, active_loop: str | None = None) -> Tracker:
    slots = dict(slots or {})
    slots["requested_slot"] = requested_slot
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or [],
              "metadata": {"canal": "web"}}
    events = list(events or []) + [{"event": "user", "text": text, "parse_data": latest}]
    # Rasa hands validation actions the slots set since the last user message as SlotSet events.
    events += [{"event": "slot", "name": k, "value": v} for k, v in slots.items()
               if v is not None and k != "requested_slot"]
    return Tracker("test", slots, latest, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


@pytest.fixture(name="make_tracker")
def make_tracker_fixture():
    return make_tracker


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
