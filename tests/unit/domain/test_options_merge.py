"""The option merge as properties: a caller's options over the app's defaults (Settings.defaults).

Options are drawn as the raw strings a query or a setting carries, valid on their own, and go
through the one parser; the defaults are read from a settings dict as the app reads them.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.builders import ENVIRON
from transcriber.config import Settings
from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.option_values import MAI_MODELS, STYLES, TIMESTAMPS
from transcriber.domain.options import (
    PROFANITY_MODES,
    OptionError,
    TranscriptionRequestOptions,
    effective_options,
)

FIELDS = tuple(f.name for f in fields(TranscriptionRequestOptions))
SETTINGS = {  # the parser's keyword -> the app setting that gives its default
    "locales": "TRANSCRIPTION_LOCALES",
    "diarization": "TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS",
    "channels": "TRANSCRIPTION_CHANNELS",
    "profanity": "TRANSCRIPTION_PROFANITY_MODE",
    "phrases": "TRANSCRIPTION_PHRASE_LIST",
    "biasing_weight": "TRANSCRIPTION_PHRASE_LIST_BIASING_WEIGHT",
    "task": "TRANSCRIPTION_ENHANCED_TASK",
    "target_language": "TRANSCRIPTION_TARGET_LANGUAGE",
    "prompt": "TRANSCRIPTION_PROMPT",
    "model": "TRANSCRIPTION_MODEL",
    "timestamps": "TRANSCRIPTION_TIMESTAMPS",
    "style": "TRANSCRIPTION_STYLE",
}
# Fields of a default enhanced mode that a caller's task turns off though the caller left them out.
DROPPED_BY_TASK = {
    "transcribe": {"target_language"},
    "off": {"target_language", "prompt", "model", "timestamps", "style"},
}


def maybe(values: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | values


@st.composite
def raw_options(draw: st.DrawFn) -> dict[str, str]:
    """Option values as strings, each set valid with itself (the parser's cross-field rules)."""
    raw: dict[str, str | None] = {
        "locales": draw(
            maybe(st.sets(st.sampled_from(["en-US", "de-DE", "fr-FR", "ja-JP"]), min_size=1).map(",".join))
        ),
        "diarization": draw(maybe(st.integers(2, 35).map(str))),
        "profanity": draw(maybe(st.sampled_from(PROFANITY_MODES))),
        "phrases": draw(
            maybe(st.lists(st.sampled_from(["Contoso", "Azure", "Fabrikam"]), min_size=1).map(";".join))
        ),
        "task": draw(maybe(st.sampled_from(["transcribe", "translate", "off"]))),
        "model": draw(maybe(st.sampled_from(MAI_MODELS))),
    }
    raw["channels"] = draw(maybe(st.sampled_from(["0", "1"] if raw["diarization"] else ["0", "1", "0,1"])))
    if raw["phrases"]:
        raw["biasing_weight"] = draw(maybe(st.sampled_from(["0", "0.5", "1.5", "2"])))
    if raw["task"] == "translate":
        raw["target_language"] = draw(st.sampled_from(["de", "fr-FR"]))
    if raw["model"] or raw["task"] in ("transcribe", "translate"):
        raw["prompt"] = draw(maybe(st.just("Speakers name products")))
    if raw["model"]:
        raw["timestamps"] = draw(maybe(st.sampled_from(TIMESTAMPS)))
        raw["style"] = draw(maybe(st.sampled_from(STYLES)))
    return {name: value for name, value in raw.items() if value is not None}


def caller(raw: dict[str, str]) -> TranscriptionRequestOptions:
    return TranscriptionRequestOptions.parse(**raw)


def app_defaults(raw: dict[str, str]) -> TranscriptionRequestOptions:
    return Settings.from_environ(
        {**ENVIRON, **{SETTINGS[name]: value for name, value in raw.items()}}
    ).defaults


def merged_or_refused(
    options: TranscriptionRequestOptions, defaults: TranscriptionRequestOptions
) -> TranscriptionRequestOptions | None:
    try:
        return effective_options(options, defaults)
    except InvalidRequestError:
        return None


@given(raw=raw_options())
def test_defaults_read_from_settings_are_what_the_caller_parser_makes_of_the_same_values(
    raw: dict[str, str],
) -> None:
    expected = caller({"locales": "en-US", **raw})  # TRANSCRIPTION_LOCALES defaults to en-US
    assert app_defaults(raw) == expected


@given(mine=raw_options(), theirs=raw_options())
def test_the_callers_values_win_and_the_defaults_fill_the_rest(
    mine: dict[str, str], theirs: dict[str, str]
) -> None:
    options, defaults = caller(mine), app_defaults(theirs)
    merged = merged_or_refused(options, defaults)
    if merged is None:
        return  # a clash: see test_a_clash_is_refused_exactly_when_the_merged_options_are_invalid
    dropped = DROPPED_BY_TASK.get(options.task or "", set())
    for name in FIELDS:
        given_value = getattr(options, name)
        if given_value is not None:
            assert getattr(merged, name) == given_value, name
        elif name in dropped:
            assert getattr(merged, name) is None, name
        else:
            assert getattr(merged, name) == getattr(defaults, name), name


@given(mine=raw_options(), theirs=raw_options())
def test_the_merge_is_idempotent(mine: dict[str, str], theirs: dict[str, str]) -> None:
    defaults = app_defaults(theirs)
    merged = merged_or_refused(caller(mine), defaults)
    if merged is not None:
        assert effective_options(merged, defaults) == merged


@given(raw=raw_options())
def test_nothing_over_the_defaults_is_the_defaults_and_options_over_nothing_are_themselves(
    raw: dict[str, str],
) -> None:
    options = caller(raw)
    assert effective_options(TranscriptionRequestOptions(), options) == options
    assert effective_options(options, TranscriptionRequestOptions()) == options
    assert effective_options(options, options) == options


@given(mine=raw_options(), theirs=raw_options())
def test_a_clash_is_refused_exactly_when_the_merged_options_are_invalid(
    mine: dict[str, str], theirs: dict[str, str]
) -> None:
    options, defaults = caller(mine), app_defaults(theirs)
    naive: dict[str, Any] = {n: getattr(defaults, n) for n in FIELDS}
    naive.update({n: getattr(options, n) for n in FIELDS if getattr(options, n) is not None})
    for name in DROPPED_BY_TASK.get(options.task or "", set()):
        if getattr(options, name) is None:
            naive[name] = None
    try:
        TranscriptionRequestOptions(**naive).check()
    except OptionError as clash:
        with pytest.raises(InvalidRequestError, match=f"invalid option {clash.option}"):
            effective_options(options, defaults)
    else:
        assert effective_options(options, defaults) == TranscriptionRequestOptions(**naive)


def test_two_channels_over_default_diarization_is_the_callers_clash_to_fix() -> None:
    defaults = app_defaults({"diarization": "4"})
    with pytest.raises(
        InvalidRequestError, match="diarization: cannot be combined with more than one channel"
    ):
        effective_options(caller({"channels": "0,1"}), defaults)
    assert effective_options(caller({"channels": "1"}), defaults).max_speakers == 4
