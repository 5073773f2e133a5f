"""Transcription through the real SDK (sync and aio) against the pocketsphinx-backed emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from azure.ai.transcription import TranscriptionClient
from azure.ai.transcription.aio import TranscriptionClient as AsyncTranscriptionClient
from azure.ai.transcription.models import (
    EnhancedModeProperties,
    TranscriptionContent,
    TranscriptionDiarizationOptions,
    TranscriptionOptions,
)
from azure.core.credentials import AzureKeyCredential

from devtools.speech_emulator import API_VERSIONS, ECHO_TEXT, RunningEmulator
from tests.integration.emulator.conftest import AIOHTTP_BYTES_WARNING, FAST_RETRIES, wav
from transcriber.adapters.speech_models import diarization


def raw(pipeline_response: Any, deserialized: Any, headers: Any) -> tuple[Any, Any]:
    """`cls=` hook: keep the HTTP response beside the model."""
    return pipeline_response.http_response, deserialized


def test_transcribe_sync_bytes_returns_recognised_text(
    client: TranscriptionClient, speech: RunningEmulator, cards: bytes
) -> None:
    options = TranscriptionOptions(locales=["en-US"])
    result = client.transcribe(TranscriptionContent(definition=options, audio=cards))
    assert result.combined_phrases[0].text == "10 of clubs."  # display form: numbers in digits
    (request,) = speech.requests()
    assert (request.status, request.auth, request.audio_bytes, request.audio_url) == (
        200,
        "key",
        len(cards),
        None,
    )
    assert request.definition == {"locales": ["en-US"]} and request.api_version == "2025-10-15"


def test_transcribe_sync_file_object_returns_recognised_text(
    client: TranscriptionClient, speech: RunningEmulator, corpus: Path
) -> None:
    with (corpus / "cards-003.wav").open("rb") as audio:
        result = client.transcribe(TranscriptionContent(definition=TranscriptionOptions(), audio=audio))
    assert "7 of clubs" in result.combined_phrases[0].text
    assert speech.requests()[0].audio_bytes == (corpus / "cards-003.wav").stat().st_size


@pytest.mark.filterwarnings(AIOHTTP_BYTES_WARNING)
async def test_transcribe_aio_bytes_and_file_object_give_the_same_text(
    speech: RunningEmulator, corpus: Path
) -> None:
    path = corpus / "cards-002.wav"
    async with AsyncTranscriptionClient(
        speech.endpoint, AzureKeyCredential(speech.key), **FAST_RETRIES
    ) as client:
        from_bytes = await client.transcribe(
            TranscriptionContent(definition=TranscriptionOptions(locales=["en-US"]), audio=path.read_bytes())
        )
        with path.open("rb") as audio:
            from_file = await client.transcribe(
                TranscriptionContent(definition=TranscriptionOptions(), audio=audio)
            )
    assert from_bytes.combined_phrases[0].text == from_file.combined_phrases[0].text
    assert "clubs" in from_bytes.combined_phrases[0].text.lower()
    assert [r.audio_bytes for r in speech.requests()] == [path.stat().st_size] * 2


def test_transcribe_without_definition_defaults_to_en_us(
    client: TranscriptionClient, speech: RunningEmulator, cards: bytes
) -> None:
    result = client.transcribe(TranscriptionContent(audio=cards))
    assert result.phrases[0].locale == "en-US" and "clubs" in result.combined_phrases[0].text.lower()
    assert speech.requests()[0].definition is None


def test_transcribe_result_has_the_service_shape_and_headers(
    client: TranscriptionClient, cards: bytes
) -> None:
    response, result = client.transcribe(TranscriptionContent(audio=cards), cls=raw)
    body = response.json()
    assert set(body) == {"durationMilliseconds", "combinedPhrases", "phrases"}
    assert body["durationMilliseconds"] == result.duration_milliseconds == 1095
    assert body["combinedPhrases"] == [{"text": "10 of clubs."}]
    (phrase,) = body["phrases"]
    assert set(phrase) == {
        "offsetMilliseconds",
        "durationMilliseconds",
        "text",
        "words",
        "locale",
        "confidence",
    }
    assert [w["text"] for w in phrase["words"]] == ["10", "of", "clubs."]
    assert (
        0
        < phrase["offsetMilliseconds"]
        < phrase["offsetMilliseconds"] + phrase["durationMilliseconds"]
        <= 1095
    )
    assert all(set(w) == {"text", "offsetMilliseconds", "durationMilliseconds"} for w in phrase["words"])
    assert 0.0 < phrase["confidence"] <= 1.0
    headers = response.headers
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["x-ms-region"] == "East US" and len(headers["apim-request-id"]) == 36
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["CSP-Billing-Usage"] == "CognitiveServices.SpeechServices.BatchSpeechtoTextSync=2"


def test_transcribe_same_audio_twice_gives_identical_results(
    client: TranscriptionClient, corpus: Path
) -> None:
    audio = (corpus / "sense_and_sensibility_01_austen_64kb-0880.wav").read_bytes()
    first = client.transcribe(TranscriptionContent(audio=audio))
    client.transcribe(TranscriptionContent(audio=(corpus / "cards-002.wav").read_bytes()))
    again = client.transcribe(TranscriptionContent(audio=audio))
    assert first.as_dict() == again.as_dict()


@pytest.mark.parametrize("signal", ["digital silence", "faint noise"])
def test_transcribe_silence_returns_empty_text(client: TranscriptionClient, signal: str) -> None:
    rng = np.random.default_rng(7)
    samples = np.zeros(32_000) if signal == "digital silence" else rng.normal(0, 0.0005, 32_000)
    result = client.transcribe(TranscriptionContent(audio=wav(samples)))
    assert result.duration_milliseconds == 2000
    assert [p.text for p in result.combined_phrases] == [""] and result.phrases == []


@pytest.mark.parametrize("version", API_VERSIONS)
def test_transcribe_each_api_version_answers_with_its_field_names(
    speech: RunningEmulator, cards: bytes, version: str
) -> None:
    with TranscriptionClient(speech.endpoint, AzureKeyCredential(speech.key), api_version=version) as client:
        response, _ = client.transcribe(TranscriptionContent(audio=cards), cls=raw)
    body = response.json()
    timing = (
        ("offset", "duration")
        if version.endswith("preview")
        else ("offsetMilliseconds", "durationMilliseconds")
    )
    assert body[timing[1]] == 1095 and set(timing) <= set(body["phrases"][0])
    assert set(timing) <= set(body["phrases"][0]["words"][0])
    assert speech.requests()[0].api_version == version


def test_transcribe_diarization_on_mono_labels_every_phrase_speaker_1(
    client: TranscriptionClient, cards: bytes
) -> None:
    options = TranscriptionOptions(diarization_options=diarization(3))
    result = client.transcribe(TranscriptionContent(definition=options, audio=cards))
    assert [p.speaker for p in result.phrases] == [1]


def test_transcribe_diarization_without_enabled_labels_no_speaker(
    client: TranscriptionClient, cards: bytes
) -> None:
    """What SDK 1.0.0's own model sends (Azure/azure-sdk-for-python#44436): the service labels nobody."""
    options = TranscriptionOptions(diarization_options=TranscriptionDiarizationOptions(max_speakers=3))
    result = client.transcribe(TranscriptionContent(definition=options, audio=cards))
    assert [p.speaker for p in result.phrases] == [None]


def test_transcribe_diarization_on_stereo_follows_the_dominant_channel(
    client: TranscriptionClient, corpus: Path
) -> None:
    first, _ = soundfile.read(corpus / "cards-001.wav", dtype="float32")
    second, _ = soundfile.read(corpus / "cards-003.wav", dtype="float32")
    pause = np.zeros(16_000, dtype=np.float32)
    left = np.concatenate([first, pause, np.zeros_like(second)])
    right = np.concatenate([np.zeros_like(first), pause, second])
    options = TranscriptionOptions(diarization_options=diarization(2))
    result = client.transcribe(
        TranscriptionContent(definition=options, audio=wav(np.stack([left, right], axis=1)))
    )
    assert [(p.speaker, p.text.lower().rstrip(".")) for p in result.phrases] == [
        (1, "10 of clubs"),
        (2, "7 of clubs"),
    ]


def test_transcribe_in_thread_decoder_matches_worker_processes(
    speech_emulator_factory: Any, client: TranscriptionClient, cards: bytes
) -> None:
    in_thread = speech_emulator_factory(decoder_processes=0)
    with TranscriptionClient(in_thread.endpoint, AzureKeyCredential(in_thread.key)) as thread_client:
        assert (
            thread_client.transcribe(TranscriptionContent(audio=cards)).as_dict()
            == client.transcribe(TranscriptionContent(audio=cards)).as_dict()
        )


def test_transcribe_echo_engine_returns_fixed_text_without_decoding(
    echo_client: TranscriptionClient, echo: RunningEmulator
) -> None:
    result = echo_client.transcribe(TranscriptionContent(audio=b"not audio at all"))
    assert result.combined_phrases[0].text.lower().rstrip(".") == ECHO_TEXT
    assert [w.text.lower().rstrip(".") for w in result.phrases[0].words] == ECHO_TEXT.split()
    assert echo.requests()[0].audio_bytes == len(b"not audio at all")


def test_transcribe_enhanced_mode_reports_zero_confidence(echo_client: TranscriptionClient) -> None:
    options = TranscriptionOptions(
        enhanced_mode=EnhancedModeProperties(task="transcribe", prompt=["Be brief"])
    )
    result = echo_client.transcribe(TranscriptionContent(definition=options, audio=b"x"))
    assert [p.confidence for p in result.phrases] == [0.0]


@pytest.mark.parametrize("locales", [["EN-us"], ["de-DE", "en-US", "fr-FR"], []])
def test_transcribe_locale_list_with_english_transcribes_english(
    echo_client: TranscriptionClient, locales: list[str]
) -> None:
    result = echo_client.transcribe(
        TranscriptionContent(definition=TranscriptionOptions(locales=locales), audio=b"x")
    )
    assert result.phrases[0].locale == "en-US"
