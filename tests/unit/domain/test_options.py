"""Transcription options: enhanced mode, MAI-Transcribe, biasing weight, and the definition sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.ai.transcription._utils.utils import serialize_multipart_data_entry

from transcriber.adapters.speech_models import transcription_options
from transcriber.config import Settings
from transcriber.domain.errors import SettingError
from transcriber.domain.options import OptionError, TranscriptionRequestOptions

BASE = {"AZURE_SPEECH_ENDPOINT": "http://127.0.0.1:1", "AudioStorage": "UseDevelopmentStorage=true"}


def sent(options: TranscriptionRequestOptions) -> dict[str, Any]:
    """The definition JSON exactly as the SDK's multipart serializer writes it."""
    return json.loads(serialize_multipart_data_entry(transcription_options(options)))


def test_options_diarization_is_sent_enabled_though_the_sdk_model_marks_it_read_only() -> None:
    assert sent(TranscriptionRequestOptions.parse(diarization="4"))["diarization"] == {
        "enabled": True,
        "maxSpeakers": 4,
    }


def test_options_translate_with_prompts_builds_enhanced_mode() -> None:
    options = TranscriptionRequestOptions.parse(task="Translate", target_language="ko", prompt=["a, b", "c"])
    assert sent(options)["enhancedMode"] == {
        "enabled": True,
        "task": "translate",
        "targetLanguage": "ko",
        "prompt": ["a, b", "c"],
    }
    assert options.describe()["enhancedMode"] == "translate" and options.describe()["prompts"] == "2"


def test_options_mai_transcribe_model_and_model_options() -> None:
    options = TranscriptionRequestOptions.parse(
        model="mai-transcribe-1.5", timestamps="Segment", style="VERBATIM"
    )
    assert sent(options)["enhancedMode"] == {
        "enabled": True,
        "model": "MAI-Transcribe-1.5",
        "modelOptions": {"timestamps": "segment", "transcribeStyle": "verbatim"},
    }


def test_options_biasing_weight_rides_with_the_phrase_list() -> None:
    options = TranscriptionRequestOptions.parse(phrases="Contoso,Fabrikam", biasing_weight="0.25")
    assert sent(options)["phraseList"] == {"phrases": ["Contoso", "Fabrikam"], "biasingWeight": 0.25}
    assert options.describe()["biasingWeight"] == "0.25"


def test_options_without_enhanced_fields_send_no_enhanced_mode() -> None:
    options = TranscriptionRequestOptions.parse(locales=["en-US"])
    assert "enhancedMode" not in sent(options) and options.describe()["enhancedMode"] == "off"


@pytest.mark.parametrize(
    ("fields", "option"),
    [
        ({"task": "summarize"}, "task"),
        ({"task": "translate"}, "target_language"),
        ({"target_language": "ko"}, "target_language"),
        ({"task": "translate", "target_language": "not a language"}, "target_language"),
        ({"model": "gpt-4o"}, "model"),
        ({"timestamps": "word"}, "timestamps"),
        ({"style": "clean"}, "style"),
        ({"model": "MAI-Transcribe-2", "timestamps": "frame"}, "timestamps"),
        ({"prompt": "hi"}, "prompt"),
        ({"task": "transcribe", "prompt": ["x"] * 11}, "prompt"),
        ({"task": "transcribe", "prompt": "x" * 1001}, "prompt"),
        ({"phrases": "a", "biasing_weight": "2.01"}, "biasing_weight"),
        ({"phrases": "a", "biasing_weight": "-1"}, "biasing_weight"),
        ({"phrases": "a", "biasing_weight": "nan-ish"}, "biasing_weight"),
        ({"biasing_weight": "1"}, "biasing_weight"),
    ],
)
def test_options_bad_values_name_the_option(fields: dict[str, Any], option: str) -> None:
    with pytest.raises(OptionError) as caught:
        TranscriptionRequestOptions.parse(**fields)
    assert caught.value.option == option


def test_options_caller_enhanced_fields_merge_over_defaults() -> None:
    defaults = TranscriptionRequestOptions.parse(model="MAI-Transcribe-2", timestamps="word")
    caller = TranscriptionRequestOptions.parse(model="MAI-Transcribe-2", style="clean")
    merged = caller.with_defaults(defaults)
    assert (merged.model, merged.timestamps, merged.style) == ("MAI-Transcribe-2", "word", "clean")


def test_settings_read_enhanced_and_biasing_settings() -> None:
    settings = Settings.from_environ(
        {
            **BASE,
            "TRANSCRIPTION_ENHANCED_TASK": "translate",
            "TRANSCRIPTION_TARGET_LANGUAGE": "de",
            "TRANSCRIPTION_PROMPT": "Names: Ana, Bo",
            "TRANSCRIPTION_PHRASE_LIST": "Ana,Bo",
            "TRANSCRIPTION_PHRASE_LIST_BIASING_WEIGHT": "1.2",
        }
    )
    defaults = settings.defaults
    assert (defaults.task, defaults.target_language, defaults.prompt) == (
        "translate",
        "de",
        ("Names: Ana, Bo",),
    )
    assert defaults.biasing_weight == 1.2


@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        ({"TRANSCRIPTION_ENHANCED_TASK": "dictate"}, "TRANSCRIPTION_ENHANCED_TASK"),
        ({"TRANSCRIPTION_ENHANCED_TASK": "translate"}, "TRANSCRIPTION_TARGET_LANGUAGE"),
        ({"TRANSCRIPTION_MODEL": "whisper"}, "TRANSCRIPTION_MODEL"),
        ({"TRANSCRIPTION_TIMESTAMPS": "word"}, "TRANSCRIPTION_TIMESTAMPS"),
        ({"TRANSCRIPTION_MODEL": "MAI-Transcribe-2", "TRANSCRIPTION_STYLE": "x"}, "TRANSCRIPTION_STYLE"),
        ({"TRANSCRIPTION_PROMPT": "hello"}, "TRANSCRIPTION_PROMPT"),
        (
            {"TRANSCRIPTION_PHRASE_LIST": "a", "TRANSCRIPTION_PHRASE_LIST_BIASING_WEIGHT": "9"},
            "TRANSCRIPTION_PHRASE_LIST_BIASING_WEIGHT",
        ),
    ],
)
def test_settings_bad_enhanced_settings_name_the_setting(extra: dict[str, str], setting: str) -> None:
    with pytest.raises(SettingError) as caught:
        Settings.from_environ({**BASE, **extra})
    assert setting in str(caught.value)


def test_options_caller_task_off_or_transcribe_overrides_a_default_translation() -> None:
    defaults = TranscriptionRequestOptions.parse(task="translate", target_language="ko", prompt="Be brief")
    off = TranscriptionRequestOptions.parse(task="off").with_defaults(defaults)
    assert not off.enhanced and off.target_language is None and off.prompt is None
    assert "enhancedMode" not in sent(off) and off.describe()["enhancedMode"] == "off"
    transcribe = TranscriptionRequestOptions.parse(task="transcribe").with_defaults(defaults)
    assert sent(transcribe)["enhancedMode"] == {"enabled": True, "task": "transcribe", "prompt": ["Be brief"]}


def test_options_sdk_model_alone_would_drop_enhanced_mode_enabled_on_upload() -> None:
    """Why sdk_models exists: SDK 1.0.0's own models lose `enabled` in the multipart definition."""
    from azure.ai.transcription.models import EnhancedModeProperties, TranscriptionOptions

    own = TranscriptionOptions(enhanced_mode=EnhancedModeProperties(task="translate", target_language="ko"))
    assert "enabled" not in json.loads(serialize_multipart_data_entry(own))["enhancedMode"]
    ours = TranscriptionRequestOptions.parse(task="translate", target_language="ko")
    assert sent(ours)["enhancedMode"]["enabled"] is True
