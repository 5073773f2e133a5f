"""`enhancedMode`: LLM speech (transcribe/translate, prompts) and MAI-Transcribe, validated strictly.

What the recordings show: `{"enabled": true, "task": "transcribe", "prompt": [...]}` and
`{"enabled": true, "task": "translate", "targetLanguage": "ko"}` are accepted, billed as
`LLMSpeechTranscribe` / `LLMSpeechTranslate`, report confidence 0, and a translation answers in the
target language's locale with placeholder word timings. MAI-Transcribe is chosen with
`enhancedMode.model` and tuned with `enhancedMode.modelOptions` (`timestamps`: word, segment or
none, default none; `transcribeStyle`: verbatim or clean), per Microsoft's MAI-Transcribe page.
`enabled` defaults to false (Microsoft's MAI-Transcribe page), so enhanced mode needs
`"enabled": true`, which the SDKs always send with a task. The service's answer to unknown keys or
values is not recorded: the emulator refuses them rather than guess that they are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devtools.speech_emulator.errors import ServiceError
from devtools.speech_emulator.locales import target_locale

__all__ = ["MAI_MODELS", "TASKS", "EnhancedSpec", "parse_enhanced"]

TASKS = ("transcribe", "translate")
MAI_MODELS = ("MAI-Transcribe-2", "MAI-Transcribe-1.5", "MAI-Transcribe-1")
TIMESTAMPS = ("word", "segment", "none")
STYLES = ("verbatim", "clean")
_KEYS = {"enabled", "task", "targetLanguage", "prompt", "model", "modelOptions"}
_OPTION_KEYS = {"timestamps", "transcribeStyle"}


@dataclass(frozen=True)
class EnhancedSpec:
    """A validated, enabled enhanced mode."""

    task: str = "transcribe"
    target_locale: str | None = None  # set for translate
    prompt: tuple[str, ...] = ()
    model: str | None = None  # a MAI-Transcribe model, or None for the LLM speech default
    timestamps: str = "word"  # what the answer carries; MAI's own default is "none"
    style: str | None = None

    @property
    def billing_meter(self) -> str:
        return "LLMSpeechTranslate" if self.task == "translate" else "LLMSpeechTranscribe"


def _bad(message: str) -> ServiceError:
    return ServiceError.invalid_argument("InvalidParameterValue", message)


def _choice(value: Any, choices: tuple[str, ...], name: str) -> str:
    for choice in choices:
        if isinstance(value, str) and value.lower() == choice.lower():
            return choice
    raise _bad(f"'{name}' must be one of {', '.join(choices)}, not {value!r}.")


def parse_enhanced(value: Any) -> EnhancedSpec | None:
    """None when enhanced mode is absent or disabled; 400 InvalidArgument for anything malformed."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _bad("'enhancedMode' must be an object.")
    unknown = sorted(set(value) - _KEYS)
    if unknown:
        raise _bad(f"'enhancedMode' has unknown properties: {', '.join(unknown)}.")
    enabled = value.get("enabled")
    if enabled is not None and not isinstance(enabled, bool):
        raise _bad("'enhancedMode.enabled' must be true or false.")
    task = (
        _choice(value["task"], TASKS, "enhancedMode.task") if value.get("task") is not None else "transcribe"
    )
    prompt = value.get("prompt")
    if prompt is not None and not (isinstance(prompt, list) and all(isinstance(p, str) for p in prompt)):
        raise _bad("'enhancedMode.prompt' must be a list of strings.")
    model = (
        _choice(value["model"], MAI_MODELS, "enhancedMode.model") if value.get("model") is not None else None
    )
    timestamps, style = _model_options(value.get("modelOptions"), model)
    language = value.get("targetLanguage")
    locale = None
    if task == "translate":
        if not isinstance(language, str) or not language.strip():
            raise _bad("'enhancedMode.targetLanguage' is required when the task is translate.")
        locale = target_locale(language)
        if locale is None:
            raise ServiceError.invalid_argument(
                "InvalidLocale", "The specified target language is not supported."
            )
    elif language is not None:
        raise _bad("'enhancedMode.targetLanguage' applies only to the translate task.")
    if enabled is not True:  # Microsoft documents `enabled` as defaulting to false; the SDKs always send it
        return None
    return EnhancedSpec(task, locale, tuple(prompt or ()), model, timestamps, style)


def _model_options(options: Any, model: str | None) -> tuple[str, str | None]:
    if options is None:
        return ("none" if model else "word"), None
    if model is None:
        raise _bad("'enhancedMode.modelOptions' needs 'enhancedMode.model' (a MAI-Transcribe model).")
    if not isinstance(options, dict) or set(options) - _OPTION_KEYS:
        raise _bad(f"'enhancedMode.modelOptions' may hold only {', '.join(sorted(_OPTION_KEYS))}.")
    timestamps = options.get("timestamps")
    style = options.get("transcribeStyle")
    return (
        _choice(timestamps, TIMESTAMPS, "modelOptions.timestamps") if timestamps is not None else "none",
        _choice(style, STYLES, "modelOptions.transcribeStyle") if style is not None else None,
    )
