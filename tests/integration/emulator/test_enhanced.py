"""Enhanced mode (LLM speech, MAI-Transcribe), M4A/AAC and phrase-list weights in the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.speech_emulator import RunningEmulator

PATH = "/speechtotext/transcriptions:transcribe"
M4A = Path(__file__).resolve().parents[2] / "stress" / "fidelity" / "audio" / "jfk.m4a"


def post(emulator: RunningEmulator, definition: dict[str, Any], audio: bytes) -> httpx.Response:
    return httpx.post(
        emulator.endpoint + PATH,
        params={"api-version": "2025-10-15"},
        headers={"Ocp-Apim-Subscription-Key": emulator.key},
        files={"definition": (None, json.dumps(definition), "application/json"), "audio": ("audio", audio)},
        timeout=120,
    )


@pytest.mark.parametrize(
    "enhanced",
    [
        {"task": "summarize"},
        {"task": "translate"},
        {"task": "translate", "targetLanguage": "xx"},
        {"task": "transcribe", "targetLanguage": "ko"},
        {"model": "whisper-large"},
        {"modelOptions": {"timestamps": "word"}},
        {"model": "MAI-Transcribe-2", "modelOptions": {"timestamps": "sentence"}},
        {"model": "MAI-Transcribe-2", "modelOptions": {"transcribeStyle": "fancy"}},
        {"model": "MAI-Transcribe-2", "modelOptions": {"speed": "fast"}},
        {"prompt": "not a list"},
        {"enabled": "yes"},
        {"temperature": 0.2},
    ],
)
def test_enhanced_mode_malformed_is_400_invalid_argument(
    echo: RunningEmulator, enhanced: dict[str, Any]
) -> None:
    response = post(echo, {"enhancedMode": {"enabled": True, **enhanced}}, b"x")
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "InvalidArgument"


@pytest.mark.parametrize("enhanced", [{"enabled": False, "task": "transcribe"}, {"task": "transcribe"}])
def test_enhanced_mode_disabled_or_not_enabled_is_fast_transcription(
    echo: RunningEmulator, enhanced: dict[str, Any]
) -> None:
    response = post(echo, {"enhancedMode": enhanced}, b"x")
    assert response.headers["CSP-Billing-Usage"].startswith(
        "CognitiveServices.SpeechServices.BatchSpeechtoTextSync="
    )


@pytest.mark.parametrize(
    ("options", "has_words", "phrases"),
    [({"timestamps": "word"}, True, 1), ({"timestamps": "none"}, False, 1), ({}, False, 1)],
)
def test_enhanced_mode_mai_transcribe_timestamps_choose_word_timings(
    echo: RunningEmulator, options: dict[str, str], has_words: bool, phrases: int
) -> None:
    definition = {"enhancedMode": {"enabled": True, "model": "mai-transcribe-2", "modelOptions": options}}
    body = post(echo, definition, b"x").json()
    assert len(body["phrases"]) == phrases and ("words" in body["phrases"][0]) is has_words
    assert body["phrases"][0]["confidence"] == 0


def test_enhanced_mode_mai_segment_merges_a_speakers_phrases(speech: RunningEmulator, corpus: Path) -> None:
    audio = (corpus / "sense_and_sensibility_01_austen_64kb-0870.wav").read_bytes()
    definition = {
        "enhancedMode": {
            "enabled": True,
            "model": "MAI-Transcribe-2",
            "modelOptions": {"timestamps": "segment"},
        }
    }
    body = post(speech, definition, audio).json()
    assert len(body["phrases"]) == 1 and "words" not in body["phrases"][0]


def test_enhanced_mode_clean_style_drops_fillers(speech_emulator_factory: Any) -> None:
    echo = speech_emulator_factory(engine="echo", echo_text="well um we shall uh see")
    mai = {
        "enabled": True,
        "model": "MAI-Transcribe-2",
        "modelOptions": {"transcribeStyle": "clean", "timestamps": "word"},
    }
    assert post(echo, {"enhancedMode": mai}, b"x").json()["combinedPhrases"] == [
        {"text": "Well we shall see."}
    ]
    mai["modelOptions"]["transcribeStyle"] = "verbatim"
    assert post(echo, {"enhancedMode": mai}, b"x").json()["combinedPhrases"] == [
        {"text": "Well um we shall uh see."}
    ]


def test_enhanced_mode_translate_diarized_is_speaker_1(echo: RunningEmulator) -> None:
    definition = {
        "enhancedMode": {"enabled": True, "task": "translate", "targetLanguage": "es"},
        "diarization": {"enabled": True, "maxSpeakers": 3},
    }
    response = post(echo, definition, b"x")
    (phrase,) = response.json()["phrases"]
    assert (phrase["speaker"], phrase["locale"]) == (1, "es-ES")
    assert response.headers["CSP-Billing-Usage"].split(".")[-1].startswith("LLMSpeechTranslate=")


@pytest.mark.parametrize("weight", [-0.1, 2.5, "1", True])
def test_phrase_list_biasing_weight_out_of_range_is_refused(echo: RunningEmulator, weight: Any) -> None:
    response = post(echo, {"phraseList": {"phrases": ["Contoso"], "biasingWeight": weight}}, b"x")
    assert (response.status_code, response.json()["innerError"]["code"]) == (400, "InvalidParameterValue")


@pytest.mark.parametrize("locales", [["fr-FR"], ["ja-JP", "ko-KR"], []])
def test_locales_of_the_service_are_accepted_and_reported(echo: RunningEmulator, locales: list[str]) -> None:
    body = post(echo, {"locales": locales}, b"x").json()
    assert body["phrases"][0]["locale"] == (locales[0] if locales else "en-US")


def test_m4a_aac_is_decoded_like_the_service_does(speech: RunningEmulator, corpus: Path) -> None:
    """The same speech as tests/corpus/jfk.flac, AAC-encoded: same length, much the same words."""
    response = post(speech, {"locales": ["en-US"]}, M4A.read_bytes())
    assert response.status_code == 200, response.text
    flac = post(speech, {"locales": ["en-US"]}, (corpus / "jfk.flac").read_bytes()).json()
    body = response.json()
    assert abs(body["durationMilliseconds"] - flac["durationMilliseconds"]) < 100

    def words(result: dict[str, Any]) -> set[str]:
        return {w["text"].lower().strip(".?") for p in result["phrases"] for w in p["words"]}

    assert len(words(body) & words(flac)) >= len(words(flac)) // 2
