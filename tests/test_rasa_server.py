"""The Rasa server we start validates action server responses exactly as Rasa does, only faster."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot import rasa_server

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "age", "value": 24},
                {"event": "active_loop", "name": "profil_form"},
                {"event": "slot", "name": "requested_slot", "value": "besoin"}],
     "responses": [{"response": "utter_ask_besoin"}, {"text": "Bonjour", "buttons": []}]},
    {"events": [{"event": "followup", "name": "action_orientation"}]},
]
INVALID = [
    {"events": {"event": "slot"}},                                   # events must be a list
    {"events": [{"event": "slot", "name": "age", "value": 24}], "responses": "texte"},
    {"events": [{"event": "pas_un_evenement"}]},                     # unknown event type
    {"events": [{"event": "slot", "value": 24}]},                    # a slot without its name
]


@pytest.fixture
def remote() -> RemoteAction:
    return RemoteAction("validate_profil_form", None)


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass_as_with_rasa(remote, response):
    assert rasa_server._original_validate_action_result(remote, response) is True
    assert rasa_server.validate_action_result(remote, response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_are_refused_as_with_rasa(remote, response):
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        rasa_server._original_validate_action_result(remote, response)
    with pytest.raises(jsonschema.ValidationError) as ours:
        rasa_server.validate_action_result(remote, response)
    assert ours.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in ours.value.message


def test_event_types_resolve_as_with_rasa():
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "slot", "action", "active_loop"} <= names
    for name in names:
        assert rasa_server.resolve_event_type(name) is rasa_server._original_resolve_by_type(name)
    assert rasa_server.resolve_event_type("topic") is None  # Rasa's backwards compatibility
    assert rasa_server.resolve_event_type("inconnu", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        rasa_server.resolve_event_type("inconnu")


def test_install_replaces_both_hot_paths(monkeypatch, remote):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])  # the staticmethod
    rasa_server.install()
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result
    with pytest.raises(jsonschema.ValidationError):
        remote._validate_action_result(INVALID[0])
    assert Event.resolve_by_type is rasa_server.resolve_event_type
    event = Event.from_parameters({"event": "user", "text": "bonjour", "parse_data": {}})
    assert isinstance(event, UserUttered) and event.text == "bonjour"


def test_a_buttons_payload_is_not_read_as_a_template():
    from rasa.core.nlg import interpolator
    from structlog.testing import capture_logs

    payload = '/informer{"statut": "salarie"}'
    with capture_logs() as original:  # Rasa's own: an error, with its stack, for every such button
        assert rasa_server._original_interpolate_text(payload, {}) == payload
    assert [e["event"] for e in original] == ["interpolator.interpolate.text"]
    rasa_server.install()
    buttons = [{"title": "Salarié·e", "payload": payload}]
    with capture_logs() as ours:
        assert interpolator.interpolate(buttons, {"statut": None}) == buttons
        assert interpolator.interpolate("Vous avez {age} ans.", {"age": 24}) == "Vous avez 24 ans."
    assert ours == []
