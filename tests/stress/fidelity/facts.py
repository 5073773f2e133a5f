"""Check a response against the recorded facts of one fidelity case (see cases.json)."""

from __future__ import annotations

import math
from typing import Any

import httpx

from devtools.speech_emulator.locales import SUPPORTED_LOCALES

__all__ = ["check_facts"]


def check_facts(case: dict[str, Any], shared: dict[str, Any], response: httpx.Response) -> None:
    """Assert every fact the case names; messages name the case and the fact."""
    expect, name = case["expect"], case["name"]
    assert response.status_code == expect["status"], f"{name}: status {response.status_code}: {response.text}"
    for header, value in shared["success_headers"].items():
        assert response.headers.get(header) == value, (
            f"{name}: header {header}={response.headers.get(header)!r}"
        )
    assert len(response.headers.get("apim-request-id", "")) == 36, f"{name}: apim-request-id"
    body = response.json()
    if "error" in expect:
        _check_error(name, expect, body, response)
        return
    assert set(body) == {"durationMilliseconds", "combinedPhrases", "phrases"}, (
        f"{name}: top-level keys {set(body)}"
    )
    assert isinstance(body["durationMilliseconds"], int) and body["durationMilliseconds"] > 0, name
    if "billing_meter" in expect:  # left out where the recording's headers were not read
        billed = math.ceil(body["durationMilliseconds"] / 1000)
        meter = f"CognitiveServices.SpeechServices.{expect['billing_meter']}={billed}"
        billing = response.headers.get("CSP-Billing-Usage")
        assert billing == meter, f"{name}: billing {billing}"
    phrases, combined = body["phrases"], body["combinedPhrases"]
    assert phrases and combined, f"{name}: no phrases"
    for entry in combined:
        assert isinstance(entry["text"], str), name
        if "combined_keys" in expect:
            assert set(entry) == set(expect["combined_keys"]), f"{name}: combinedPhrases keys {set(entry)}"
    phrase_keys = (
        shared["fast_phrase_keys"] if expect.get("phrase_keys") == "fast" else expect.get("phrase_keys")
    )
    for phrase in phrases:
        _check_phrase(name, expect, shared, phrase, phrase_keys, body["durationMilliseconds"])
    _check_confidence(name, expect, phrases)
    if expect.get("one_locale"):
        assert len({p["locale"] for p in phrases}) == 1, f"{name}: locales differ between phrases"
    if expect.get("combined_joins_phrases"):
        assert [c["text"] for c in combined] == [" ".join(p["text"] for p in phrases)], (
            f"{name}: combined text"
        )
    if "min_phrases" in expect:
        assert len(phrases) >= expect["min_phrases"], f"{name}: {len(phrases)} phrases"
    if "phrase_channel" in expect:
        assert all(p["channel"] == expect["phrase_channel"] for p in phrases), f"{name}: phrase channel"
    if "channel" in expect:
        assert all(p["channel"] == expect["channel"] for p in [*phrases, *combined]), f"{name}: channel"
    if "text_equals" in expect:
        assert [c["text"] for c in combined] == [expect["text_equals"]], f"{name}: text {combined}"
        assert [p["text"] for p in phrases] == [expect["text_equals"]], f"{name}: phrase text"
    if expect.get("empty_word_with_timing"):
        empty = [w for p in phrases for w in p["words"] if w["text"] == ""]
        assert empty and all(w["durationMilliseconds"] > 0 for w in empty), f"{name}: no timed empty word"
        assert all("  " in p["text"] for p in phrases if any(w["text"] == "" for w in p["words"])), name
    if expect.get("single_phrase_spanning_audio"):
        (phrase,) = phrases
        assert phrase["offsetMilliseconds"] == 0, f"{name}: offset"
        assert phrase["durationMilliseconds"] >= body["durationMilliseconds"], f"{name}: span"


def _check_error(name: str, expect: dict[str, Any], body: dict[str, Any], response: httpx.Response) -> None:
    error = expect["error"]
    assert set(body) == {"code", "message", "innerError"}, f"{name}: error keys {set(body)}"
    assert (body["code"], body["message"]) == (error["code"], error["message"]), f"{name}: {body}"
    inner = body["innerError"]
    assert (inner["code"], inner["message"]) == (error["inner_code"], error["inner_message"]), (
        f"{name}: {inner}"
    )
    if expect.get("no_billing"):
        assert "CSP-Billing-Usage" not in response.headers, f"{name}: an error was billed"


def _check_phrase(
    name: str,
    expect: dict[str, Any],
    shared: dict[str, Any],
    phrase: dict[str, Any],
    keys: list[str] | None,
    duration_ms: int,
) -> None:
    if keys is not None:
        assert list(phrase) == list(keys), f"{name}: phrase keys {list(phrase)}"
    assert isinstance(phrase["text"], str) and phrase["text"], f"{name}: phrase text"
    for field in ("offsetMilliseconds", "durationMilliseconds"):
        assert isinstance(phrase[field], int) and phrase[field] >= 0, f"{name}: {field}"
    speaker = expect.get("speaker")
    if speaker == "absent":
        assert "speaker" not in phrase, f"{name}: unexpected speaker"
    elif isinstance(speaker, dict):
        assert isinstance(phrase["speaker"], int) and speaker["min"] <= phrase["speaker"] <= speaker["max"], (
            name
        )
    locale = expect.get("locale")
    if locale == "supported":
        assert phrase["locale"] in SUPPORTED_LOCALES, f"{name}: locale {phrase['locale']}"
    elif locale is not None:
        assert phrase["locale"] == locale, f"{name}: locale {phrase['locale']}"
    words = phrase.get("words", [])
    for word in words:
        assert list(word) == shared["word_keys"], f"{name}: word keys {list(word)}"
        assert isinstance(word["text"], str), name
    if "placeholder_words" in expect:
        placeholder = expect["placeholder_words"]
        assert words and all(w[k] == v for w in words for k, v in placeholder.items()), (
            f"{name}: word timings"
        )
    if "grid_ms" in expect:
        grid = expect["grid_ms"]
        timings = [phrase["offsetMilliseconds"], phrase["durationMilliseconds"]]
        timings += [w[k] for w in words for k in ("offsetMilliseconds", "durationMilliseconds")]
        assert all(t % grid == 0 for t in timings), f"{name}: timings off the {grid} ms grid: {timings}"
        assert all(
            w["offsetMilliseconds"] + w["durationMilliseconds"] <= duration_ms + grid for w in words
        ), name
    if expect.get("words_join_to_text"):
        assert " ".join(w["text"] for w in words) == phrase["text"], (
            f"{name}: words {words} vs {phrase['text']!r}"
        )
    if expect.get("punctuated_last_word"):
        assert words and words[-1]["text"][-1:] in ".?!", f"{name}: last word {words[-1:]}"
        assert phrase["text"][-1] in ".?!", f"{name}: phrase text {phrase['text']!r}"


def _check_confidence(name: str, expect: dict[str, Any], phrases: list[dict[str, Any]]) -> None:
    values = {p["confidence"] for p in phrases}
    assert all(isinstance(v, int | float) for v in values), name
    if expect.get("confidence") == "zero":
        assert values == {0}, f"{name}: confidence {values}"
    elif expect.get("confidence") == "shared":
        (value,) = values  # one value for every phrase of a response, as recorded
        assert 0 < value <= 1, f"{name}: confidence {value}"
