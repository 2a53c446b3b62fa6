"""Rasa server: check the action server's answers with one JSON-schema validator.

Rasa 3.6 checks every answer from the action server against its response schema
(`RemoteAction._validate_action_result`) with `jsonschema.validate`, which first
checks the schema itself against the JSON-schema meta-schema and builds a new
validator, on every call. The schema never changes (its events part is Rasa's
`EVENTS_SCHEMA`), so here it is checked once and one validator is kept. The
answer is checked exactly as before: same schema, same validator class
(`validator_for`), same error (`best_match`), same message.

Profiled under load (py-spy, knowledge questions over REST), the schema check was
5.9 % of the Rasa server's busy time and validation as a whole 8.3 %, about 4 ms
of every turn that runs a custom action. tests/rasa/test_action_validation.py
compares the verdicts with Rasa's own.

`install()` is idempotent; bot/serving_models.py calls it, as config.yml makes
every Rasa server import that module when it loads the model.
"""
from __future__ import annotations

import threading
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_ORIGINAL = RemoteAction._validate_action_result
# One validator per thread: its reference resolver keeps a stack of scopes while
# it validates. Rasa validates on its event loop's thread, so in practice one.
_per_thread = threading.local()


def _response_validator() -> Any:
    validator = getattr(_per_thread, "validator", None)
    if validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _per_thread.validator = cls(schema)
    return validator


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's `_validate_action_result` with the validator made once."""
    error = exceptions.best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]


def uninstall() -> None:
    """Back to Rasa's own (for tests)."""
    RemoteAction._validate_action_result = _ORIGINAL  # type: ignore[assignment]

