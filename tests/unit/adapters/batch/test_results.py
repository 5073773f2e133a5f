"""to_fast_shape: a batch result file as the fast-transcription result, property-tested."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.batch_samples import DOC_RESULT, SDK_SAMPLE_RESULT
from transcriber.adapters.batch.results import (
    TICKS_PER_MILLISECOND,
    BatchResultError,
    ticks_to_ms,
    to_fast_shape,
)

FAST_PHRASE_KEYS = ["offsetMilliseconds", "durationMilliseconds", "text", "words", "locale", "confidence"]


def test_the_documented_result_file_in_the_fast_shape() -> None:
    # Microsoft's example (batch-transcription-get.md): 0.76 s + 1.32 s, words 0.76/0.76 and 1.52/0.56.
    result = to_fast_shape(DOC_RESULT, locale="en-US")
    assert result["durationMilliseconds"] == 2580
    assert result["combinedPhrases"] == [{"text": "Hello world."}]
    (phrase,) = result["phrases"]
    assert list(phrase) == FAST_PHRASE_KEYS  # the fast API's key order (tests/stress/fidelity/cases.json)
    assert (phrase["offsetMilliseconds"], phrase["durationMilliseconds"]) == (760, 1320)
    assert [w["text"] for w in phrase["words"]] == ["Hello", "world."]  # display words, punctuated
    assert phrase["confidence"] == 0.5643338  # nBest[0], not a later alternative
    assert "source" not in result


def test_lexical_words_when_display_words_are_missing() -> None:
    best = {"confidence": 0.9, "display": "Hi there.", "words": [
        {"word": "hi", "offsetInTicks": 0, "durationInTicks": 4_000_000},
        {"word": "there", "offsetInTicks": 4_000_000, "durationInTicks": 4_000_000},
    ]}  # fmt: skip
    document = {"durationInTicks": 10_000_000, "recognizedPhrases": [
        {"recognitionStatus": "Success", "channel": 0, "offsetInTicks": 0, "durationInTicks": 8_000_000, "nBest": [best]}
    ]}  # fmt: skip
    phrase = to_fast_shape(document, locale="en-US")["phrases"][0]
    assert [w["text"] for w in phrase["words"]] == ["hi", "there"]
    assert phrase["text"] == "Hi there."


def test_speaker_kept_when_diarized_and_language_identified_locale_wins() -> None:
    document = {"durationMilliseconds": 4000, "recognizedPhrases": [
        {"channel": 0, "speaker": 2, "locale": "de-DE", "offset": "PT1.5S", "duration": "PT0.5S",
         "nBest": [{"confidence": 0.5, "display": "Hallo."}]},
    ]}  # fmt: skip
    (phrase,) = to_fast_shape(document, locale="en-US")["phrases"]
    assert list(phrase)[:1] == ["speaker"] and phrase["speaker"] == 2 and phrase["locale"] == "de-DE"
    assert (phrase["offsetMilliseconds"], phrase["durationMilliseconds"]) == (1500, 500)


def test_speaker_inside_n_best_as_v3_result_files_put_it() -> None:
    # The v3.0 result file format (batch-transcription.md of MicrosoftDocs/azure-docs, 2020):
    # "speaker" inside nBest[0], lexical "words" with "word", ISO and tick timings.
    document = {"durationInTicks": 41200000, "recognizedPhrases": [
        {"recognitionStatus": "Success", "channel": 0, "offset": "PT0.07S", "duration": "PT1.59S",
         "offsetInTicks": 700000.0, "durationInTicks": 15900000.0,
         "nBest": [{"confidence": 0.898652852, "speaker": 1, "display": "Hello world.", "words": [
             {"word": "hello", "offsetInTicks": 900000.0, "durationInTicks": 4800000.0, "confidence": 0.98},
             {"word": "world", "offsetInTicks": 5900000.0, "durationInTicks": 1600000.0, "confidence": 0.9}]}]}
    ]}  # fmt: skip
    (phrase,) = to_fast_shape(document, locale="en-US")["phrases"]
    assert phrase["speaker"] == 1 and (phrase["offsetMilliseconds"], phrase["durationMilliseconds"]) == (
        70,
        1590,
    )
    assert [(w["text"], w["offsetMilliseconds"], w["durationMilliseconds"]) for w in phrase["words"]] == [
        ("hello", 90, 480),
        ("world", 590, 160),
    ]


def test_the_sdk_samples_diarized_result_file() -> None:
    result = to_fast_shape(SDK_SAMPLE_RESULT, locale="en-US")
    assert result["durationMilliseconds"] == 7480  # from `durationTicks`, the sample's spelling
    assert result["combinedPhrases"] == [{"text": "Run Alabama drivers license. 0030 669"}]
    assert [
        (p["speaker"], p["offsetMilliseconds"], p["durationMilliseconds"], p["text"])
        for p in result["phrases"]
    ] == [
        (1, 40, 2180, "Run Alabama drivers license."),
        (2, 2280, 3080, "0030"),
        (1, 5400, 2060, "669"),
    ]
    assert [w["text"] for w in result["phrases"][1]["words"]] == ["zero", "zero", "three", "zero"]
    assert list(result["phrases"][0]) == ["speaker", *FAST_PHRASE_KEYS]


def test_a_negative_word_duration_is_an_instant() -> None:
    # transcriptionresult_v2024-11-15.schema.json (same repository) allows word durations down to -100000 ms.
    best = {"display": "Hi.", "confidence": 0.5, "displayWords": [
        {"displayText": "Hi.", "offsetMilliseconds": 500, "durationMilliseconds": -20}]}  # fmt: skip
    document = {"durationMilliseconds": 1000, "recognizedPhrases": [
        {"offsetMilliseconds": 500, "durationMilliseconds": 300, "nBest": [best]}]}  # fmt: skip
    (word,) = to_fast_shape(document)["phrases"][0]["words"]
    assert (word["offsetMilliseconds"], word["durationMilliseconds"]) == (500, 0)


def test_failed_or_empty_phrases_are_not_transcript() -> None:
    document = {"durationInTicks": 0, "recognizedPhrases": [
        {"recognitionStatus": "InitialSilenceTimeout", "offsetInTicks": 0, "durationInTicks": 0},
        {"recognitionStatus": "Success", "offsetInTicks": 0, "durationInTicks": 0, "nBest": []},
    ]}  # fmt: skip
    assert to_fast_shape(document) == {
        "durationMilliseconds": 0,
        "combinedPhrases": [{"text": ""}],
        "phrases": [],
    }


def test_a_phrase_without_timing_is_refused() -> None:
    document = {"recognizedPhrases": [{"nBest": [{"display": "x"}]}]}
    try:
        to_fast_shape(document)
    except BatchResultError as exc:
        assert "offset" in str(exc)
    else:
        raise AssertionError("expected BatchResultError")


def test_stereo_without_channels_is_mixed_and_with_channels_kept() -> None:
    def phrase(channel: int, start: int, text: str) -> dict[str, Any]:
        return {"channel": channel, "offsetInTicks": start, "durationInTicks": 5_000_000,
                "nBest": [{"confidence": 0.8, "display": text}]}  # fmt: skip

    document = {
        "durationInTicks": 40_000_000,
        "combinedRecognizedPhrases": [{"channel": 0, "display": "A. C."}, {"channel": 1, "display": "B."}],
        "recognizedPhrases": [phrase(0, 0, "A."), phrase(0, 20_000_000, "C."), phrase(1, 10_000_000, "B.")],
    }
    mixed = to_fast_shape(document, locale="en-US")
    assert mixed["combinedPhrases"] == [{"text": "A. B. C."}]
    assert [p["text"] for p in mixed["phrases"]] == ["A.", "B.", "C."]
    assert all("channel" not in p for p in mixed["phrases"])
    split = to_fast_shape(document, locale="en-US", channels=(0, 1))
    assert split["combinedPhrases"] == [{"channel": 0, "text": "A. C."}, {"channel": 1, "text": "B."}]
    assert [(p["channel"], p["text"]) for p in split["phrases"]] == [(0, "A."), (1, "B."), (0, "C.")]
    assert [p["text"] for p in to_fast_shape(document, channels=(1,))["phrases"]] == ["B."]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_keys = st.sampled_from(["recognizedPhrases", "combinedRecognizedPhrases", "durationInTicks", "duration", "nBest",
                         "offsetInTicks", "durationInTicks", "offset", "displayWords", "words", "channel", "speaker",
                         "recognitionStatus", "display", "displayText", "confidence", "locale"])  # fmt: skip
_hostile = st.recursive(
    _json,
    lambda inner: st.dictionaries(_keys, inner, max_size=6) | st.lists(inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_hostile)
def test_any_json_is_converted_or_refused_with_batch_result_error(document: Any) -> None:
    try:
        result = to_fast_shape(document)
    except BatchResultError:
        return
    assert set(result) == {"durationMilliseconds", "combinedPhrases", "phrases"}
    assert isinstance(result["durationMilliseconds"], int)
    for phrase in result["phrases"]:
        assert isinstance(phrase["offsetMilliseconds"], int) and phrase["durationMilliseconds"] >= 0
        assert isinstance(phrase["text"], str)


def test_a_stereo_file_with_the_same_signal_on_both_channels_shows_each_phrase_once() -> None:
    def phrase(channel: int, start: int, text: str) -> dict[str, Any]:
        return {"channel": channel, "offsetInTicks": start, "durationInTicks": 5_000_000,
                "nBest": [{"confidence": 0.8, "display": text}]}  # fmt: skip

    dual_mono = {"recognizedPhrases": [
        phrase(0, 0, "Hello."), phrase(1, 100_000, "Hello."), phrase(0, 9_000_000, "Bye."), phrase(1, 9_000_000, "Bye."),
        phrase(1, 20_000_000, "Hello."),  # said again later: kept
    ]}  # fmt: skip
    mixed = to_fast_shape(dual_mono)
    assert [(p["offsetMilliseconds"], p["text"]) for p in mixed["phrases"]] == [
        (0, "Hello."),
        (900, "Bye."),
        (2000, "Hello."),
    ]
    assert mixed["combinedPhrases"] == [{"text": "Hello. Bye. Hello."}]
    assert len(to_fast_shape(dual_mono, channels=(0, 1))["phrases"]) == 5  # asked for: both channels


@given(st.integers(min_value=0, max_value=10**15))
def test_ticks_conversion_is_exact_for_whole_milliseconds(ms: int) -> None:
    assert ticks_to_ms(ms * TICKS_PER_MILLISECOND) == ms
    assert ticks_to_ms(ms * TICKS_PER_MILLISECOND + 4_999) == ms
    assert ticks_to_ms(ms * TICKS_PER_MILLISECOND + 5_000) == ms + 1


_gap = st.integers(min_value=0, max_value=50_000_000)  # up to 5 s of silence, in ticks
_length = st.integers(min_value=1, max_value=100_000_000)
_words = st.lists(st.tuples(_gap, _length, st.text(min_size=1, max_size=8)), min_size=1, max_size=6)


@st.composite
def recordings(draw: st.DrawFn) -> dict[str, Any]:
    """A long recording's result file: phrases laid end to end (over ten hours at most), float ticks."""
    cursor, phrases = draw(st.integers(min_value=0, max_value=10**11)), []
    for words in draw(st.lists(_words, min_size=0, max_size=25)):
        start, shown = cursor, []
        for gap, length, text in words:
            cursor += gap
            shown.append(
                {"displayText": text, "offsetInTicks": float(cursor), "durationInTicks": float(length)}
            )
            cursor += length
        phrases.append({
            "recognitionStatus": "Success", "channel": 0, "offsetInTicks": float(start),
            "durationInTicks": float(cursor - start),
            "nBest": [{"confidence": 0.7, "display": " ".join(w["displayText"] for w in shown), "displayWords": shown}],
        })  # fmt: skip
        cursor += draw(_gap)
    order = draw(st.permutations(range(len(phrases))))
    return {"durationInTicks": cursor, "recognizedPhrases": [phrases[i] for i in order]}


@settings(max_examples=200, deadline=None)
@given(recordings())
def test_offsets_monotonic_continuous_and_no_phrase_lost(document: dict[str, Any]) -> None:
    result = to_fast_shape(document, locale="en-US")
    phrases = result["phrases"]
    assert len(phrases) == len(document["recognizedPhrases"])  # no phrase lost
    by_start = sorted(document["recognizedPhrases"], key=lambda p: p["offsetInTicks"])
    previous_end = 0
    for source, phrase in zip(by_start, phrases, strict=True):
        start, end = source["offsetInTicks"], source["offsetInTicks"] + source["durationInTicks"]
        assert phrase["offsetMilliseconds"] == ticks_to_ms(int(start))
        assert phrase["offsetMilliseconds"] + phrase["durationMilliseconds"] == ticks_to_ms(int(end))
        assert phrase["offsetMilliseconds"] >= previous_end  # monotonic, never overlapping
        previous_end = phrase["offsetMilliseconds"] + phrase["durationMilliseconds"]
        word_end = phrase["offsetMilliseconds"]
        for word, shown in zip(phrase["words"], source["nBest"][0]["displayWords"], strict=True):
            assert word["text"] == shown["displayText"]
            assert word["offsetMilliseconds"] >= word_end  # adjoining words still adjoin
            word_end = word["offsetMilliseconds"] + word["durationMilliseconds"]
        assert word_end <= previous_end
    assert result["durationMilliseconds"] == ticks_to_ms(document["durationInTicks"]) >= previous_end
    assert result["combinedPhrases"] == [{"text": " ".join(p["text"] for p in phrases if p["text"])}]
