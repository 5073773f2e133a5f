"""Values of the enhanced-mode and phrase-list options: LLM speech, MAI-Transcribe, biasing weight.

The names and ranges are Microsoft's (docs/API.md links the service's pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "MAI_MODELS",
    "MAX_BIASING_WEIGHT",
    "STYLES",
    "TASKS",
    "TASK_OFF",
    "TIMESTAMPS",
    "parse_biasing_weight",
    "parse_choice",
    "parse_prompts",
    "parse_target_language",
]

TASKS = ("transcribe", "translate")
TASK_OFF = "off"  # a caller's way to turn a default enhanced mode off
MAI_MODELS = ("MAI-Transcribe-2", "MAI-Transcribe-1.5", "MAI-Transcribe-1")
TIMESTAMPS = ("word", "segment", "none")
STYLES = ("verbatim", "clean")
MAX_BIASING_WEIGHT = 2.0  # phraseList.biasingWeight: 0.0-2.0, the SDK's documented range
MAX_PROMPTS = 10
MAX_PROMPT_CHARS = 1000
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}$")


class OptionValueError(ValueError):
    """A value is wrong; the caller adds which option it belongs to."""


def parse_choice(value: str | None, choices: tuple[str, ...]) -> str | None:
    """One of `choices` (any case), spelled as Microsoft does; None when not given."""
    if value is None or not str(value).strip():
        return None
    for choice in choices:
        if str(value).strip().lower() == choice.lower():
            return choice
    raise OptionValueError(f"must be one of {', '.join(choices)}, not {value!r}")


def parse_target_language(value: str | None) -> str | None:
    """A language such as `ko` or `pt-BR`."""
    if value is None or not str(value).strip():
        return None
    language = str(value).strip()
    if not _LANGUAGE.match(language):
        raise OptionValueError(f"{language!r} is not a language like ko or pt-BR")
    return language


def parse_prompts(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """One prompt per string (a prompt may hold commas); at most MAX_PROMPTS of MAX_PROMPT_CHARS."""
    if value is None:
        return None
    prompts = [value] if isinstance(value, str) else [str(v) for v in value]
    prompts = [p.strip() for p in prompts if p.strip()]
    if not prompts:
        return None
    if len(prompts) > MAX_PROMPTS:
        raise OptionValueError(f"at most {MAX_PROMPTS} prompts, got {len(prompts)}")
    if any(len(p) > MAX_PROMPT_CHARS for p in prompts):
        raise OptionValueError(f"a prompt is at most {MAX_PROMPT_CHARS} characters")
    return tuple(prompts)


def parse_biasing_weight(value: str | float | None) -> float | None:
    """A number from 0 to MAX_BIASING_WEIGHT."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise OptionValueError(f"must be a number from 0 to {MAX_BIASING_WEIGHT:g}, not {value!r}")
    try:
        weight = float(value)
    except (TypeError, ValueError):
        raise OptionValueError(f"must be a number from 0 to {MAX_BIASING_WEIGHT:g}, not {value!r}") from None
    if not 0 <= weight <= MAX_BIASING_WEIGHT:
        raise OptionValueError(f"must be from 0 to {MAX_BIASING_WEIGHT:g}, not {weight:g}")
    return weight
