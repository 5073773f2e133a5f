"""Rendering a transcript as the service's JSON: display text, profanity modes, optional fields."""

from __future__ import annotations

import pytest

from devtools.speech_emulator.definition import TranscriptionSpec
from devtools.speech_emulator.engines import Track, Transcript
from devtools.speech_emulator.recognition import RecognizedPhrase, RecognizedWord
from devtools.speech_emulator.results import render_result


def phrase(text: str, start_ms: int = 0) -> RecognizedPhrase:
    words = text.split()
    return RecognizedPhrase(
        tuple(RecognizedWord(w, start_ms + i * 100, 100, 0.5) for i, w in enumerate(words))
    )


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("Masked", "Well ******* hell."),
        ("None", "Well fucking hell."),
        ("Removed", "Well  hell."),
        ("Tags", "Well <profanity>fucking</profanity> hell."),
    ],
)
def test_results_profanity_mode_shapes_text_and_words(mode: str, expected: str) -> None:
    body = render_result(
        Transcript(400, [Track(None, [phrase("well fucking hell")])]),
        TranscriptionSpec(profanity=mode),
        "2025-10-15",
    )
    assert body["combinedPhrases"] == [{"text": expected}]
    words = body["phrases"][0]["words"]
    assert " ".join(w["text"] for w in words) == expected  # words carry the punctuation
    assert len(words) == 3 and all(w["durationMilliseconds"] > 0 for w in words)


def test_results_masked_is_the_default_and_removed_keeps_even_an_all_profane_phrase_as_empty_words() -> None:
    transcript = Transcript(900, [Track(None, [phrase("shit"), phrase("i said so", 500)])])
    assert (
        render_result(transcript, TranscriptionSpec(), "2025-10-15")["combinedPhrases"][0]["text"]
        == "****. I said so."
    )
    removed = render_result(transcript, TranscriptionSpec(profanity="Removed"), "2025-10-15")
    assert [p["text"] for p in removed["phrases"]] == ["", "I said so."]
    assert removed["phrases"][0]["words"] == [
        {"text": "", "offsetMilliseconds": 0, "durationMilliseconds": 120}
    ]


def test_results_channels_and_speakers_are_present_only_when_known() -> None:
    transcript = Transcript(
        2000, [Track(1, [phrase("later words", 800)], [2]), Track(0, [phrase("first words")], [1])]
    )
    body = render_result(transcript, TranscriptionSpec(max_speakers=2), "2025-10-15")
    assert body["combinedPhrases"] == [
        {"channel": 1, "text": "Later words."},
        {"channel": 0, "text": "First words."},
    ]
    assert [(p["channel"], p["speaker"], p["offsetMilliseconds"]) for p in body["phrases"]] == [
        (0, 1, 0),
        (1, 2, 800),
    ]
    plain = render_result(
        Transcript(100, [Track(None, [phrase("hello")])]), TranscriptionSpec(), "2025-10-15"
    )
    assert "channel" not in plain["phrases"][0] and "speaker" not in plain["phrases"][0]


def test_results_preview_api_version_uses_offset_and_duration() -> None:
    body = render_result(
        Transcript(300, [Track(None, [phrase("hello there")])]), TranscriptionSpec(), "2024-05-15-preview"
    )
    assert body["duration"] == 300 and {"offset", "duration"} <= set(body["phrases"][0])
    assert {"offset", "duration"} <= set(body["phrases"][0]["words"][0])


def test_results_no_speech_is_one_empty_combined_phrase() -> None:
    body = render_result(Transcript(2000, [Track(None, [])]), TranscriptionSpec(), "2025-10-15")
    assert body == {"durationMilliseconds": 2000, "combinedPhrases": [{"text": ""}], "phrases": []}
