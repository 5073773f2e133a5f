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


def test_results_numbers_are_digits_and_each_keeps_the_timing_of_its_spoken_words() -> None:
    text = "numbers like one two three and two thousand twenty six rose twenty percent"
    spoken = RecognizedPhrase(tuple(RecognizedWord(w, i * 200, 160, 0.5) for i, w in enumerate(text.split())))
    body = render_result(Transcript(3000, [Track(None, [spoken])]), TranscriptionSpec(), "2025-10-15")
    assert body["phrases"][0]["text"] == "Numbers like 1, 2, 3 and 2026 rose 20%."
    words = [
        (w["text"], w["offsetMilliseconds"], w["durationMilliseconds"]) for w in body["phrases"][0]["words"]
    ]
    assert words[2:5] == [("1,", 400, 160), ("2,", 600, 160), ("3", 800, 160)]  # "one" at 400 ms
    # "two thousand twenty six" (spoken words 6-9) is one word over their span; "twenty percent" too.
    assert words[6] == ("2026", 1200, 760) and words[8] == ("20%.", 2200, 360)


@pytest.mark.parametrize(
    ("spoken", "shown"),
    [
        ("i have one cat", "I have one cat."),  # an isolated small number stays a word
        ("what is the fourth one", "What is the 4th one?"),
        ("three point five", "3.5."),
        ("twenty twenty six", "20 26."),  # a year read in pairs: the service's form is unknown
        ("one two", "1 2."),  # two numbers are not yet a list
    ],
)
def test_results_display_form_of_numbers_follows_text2num(spoken: str, shown: str) -> None:
    body = render_result(Transcript(900, [Track(None, [phrase(spoken)])]), TranscriptionSpec(), "2025-10-15")
    assert body["combinedPhrases"] == [{"text": shown}]


def test_results_removed_profanity_splits_the_numbers_around_it() -> None:
    body = render_result(
        Transcript(900, [Track(None, [phrase("one shit two three four")])]),
        TranscriptionSpec(profanity="Removed"),
        "2025-10-15",
    )
    assert body["phrases"][0]["text"] == "One  2, 3, 4."  # "one" alone stays a word
    assert [w["text"] for w in body["phrases"][0]["words"]] == ["One", "", "2,", "3,", "4."]
