"""Options from named fields, as a query string, a form, a JSON body or the command line give them.

Each name maps to its values (a query may repeat `locale`); the values are parsed and checked by
`TranscriptionRequestOptions.parse`, the same rules as the app's default settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.options import OptionError, TranscriptionRequestOptions
from transcriber.domain.redaction import redacted_cause

# Enhanced mode (task, target_language, prompt, model, timestamps, style) and biasing_weight: see transcriber.domain.options.
SCALAR_OPTIONS = (
    "diarization",
    "profanity",
    "biasing_weight",
    "task",
    "target_language",
    "model",
    "timestamps",
    "style",
)
OPTION_FIELDS = ("locale", "locales", "channels", "phrases", "prompt", "format", *SCALAR_OPTIONS)


def options_from_fields(fields: Mapping[str, list[Any]]) -> TranscriptionRequestOptions:
    """Options from fields (each name to its values); InvalidRequestError names a bad one."""

    def one(name: str) -> Any:
        values = fields.get(name)
        if values and len(values) > 1:
            raise InvalidRequestError(f"option {name!r} was given more than once")
        return values[0] if values else None

    locales = [*fields.get("locale", []), *fields.get("locales", [])]
    prompts = fields.get("prompt")
    try:
        return TranscriptionRequestOptions.parse(
            locales=[str(v) for v in _flatten(locales)] or None,
            channels=_flatten(fields["channels"]) if "channels" in fields else None,
            phrases=_phrases(fields.get("phrases")),
            prompt=[str(v) for v in _flatten(prompts)] if prompts else None,  # one prompt per value
            **{name: _scalar(one(name), name) for name in SCALAR_OPTIONS},
        )
    except OptionError as exc:
        raise InvalidRequestError(f"invalid option {exc}") from redacted_cause(exc)


def _phrases(values: list[Any] | None) -> str | list[str] | None:
    """One string is a comma-separated list; a JSON list or repeated fields keep each phrase whole."""
    if not values:
        return None
    flat = _flatten(values)
    return str(flat[0]) if len(values) == 1 and not isinstance(values[0], list) else [str(v) for v in flat]


def _flatten(values: list[Any]) -> list[Any]:
    return [item for value in values for item in (value if isinstance(value, list) else [value])]


def _scalar(value: Any, name: str) -> Any:
    if isinstance(value, (dict, list)):
        raise InvalidRequestError(f"option {name!r} must be a single value")
    return None if value is None else str(value)
