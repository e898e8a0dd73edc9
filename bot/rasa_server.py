"""Rasa's command line, with two hot paths of Rasa 3.6 made cheap, behaviour unchanged.

1. Rasa 3.6 checks every action server response with `jsonschema.validate(response, schema)`, which
first re-checks the whole events schema against JSON Schema's meta-schema and builds a new
validator, on every call. Profiled here (py-spy on the running server), that re-check was 57 % of
Rasa's CPU time per message, since each turn of the form calls the action server two or three
times. The validation itself is kept, against the same schema, with the same error: only the
per-call schema check and validator construction go.

2. Every event read from the tracker store is typed by `Event.resolve_by_type`, which walks the
tree of Event subclasses anew each time: 7 % of the CPU once (1) was fixed. The lookup is now a
table built from the same walk, rebuilt when a name is not in it (a subclass imported later).

3. A button's payload is not interpolated as a response template (an ERROR and a stack in the
log for every `/informer{…}` button otherwise).

4. `--auth-token` is taken from SPRO_RASA_TOKEN when not given, so it is not on the command line.

    python -m bot.rasa_server run --model models/spro.tar.gz ...   (what `make run` starts)
"""
from __future__ import annotations

import os
import sys
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg import interpolator
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from bot.passerelle import SECRET_ENV


def _response_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once, at start, instead of once per action call
    return cls(schema)


_VALIDATOR = _response_validator()
_original_validate_action_result = RemoteAction._validate_action_result


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result, same checks and message, validator reused."""
    error = best_match(_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions")
        raise error
    return True


_EVENT_TYPES: dict[str, type[Event]] = {}
_original_resolve_by_type = Event.resolve_by_type


def resolve_event_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Event.resolve_by_type from a table; the original (and its errors) for unknown names."""
    if type_name not in _EVENT_TYPES:
        for cls in all_subclasses(Event):  # Rasa's order: the first class with the name wins
            _EVENT_TYPES.setdefault(cls.type_name, cls)
    found = _EVENT_TYPES.get(type_name)
    return found if found is not None else _original_resolve_by_type(type_name, default)


_original_interpolate_text = interpolator.interpolate_text


def interpolate_text(response: Any, values: dict[str, Any]) -> Any:
    """interpolator.interpolate_text, except for a button's payload (`/informer{"statut": …}`): an
    intent, never a template. Rasa tried `{"statut": …}` as a slot name and logged an ERROR with
    its stack for every such button (3.7 KB a message)."""
    if isinstance(response, str) and response.startswith("/"):
        return response
    return _original_interpolate_text(response, values)


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_type)
    interpolator.interpolate_text = interpolate_text


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    # The API token from the environment (SPRO_RASA_TOKEN), so `ps` never shows it.
    token = os.environ.get(SECRET_ENV, "")
    if "--enable-api" in sys.argv and "--auth-token" not in sys.argv and token:
        sys.argv += ["--auth-token", token]
    rasa_main()


if __name__ == "__main__":
    main()
