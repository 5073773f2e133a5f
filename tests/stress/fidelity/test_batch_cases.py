"""The emulator's batch transcription against Microsoft's published examples (batch_cases.json)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.batch_api import content, files, headers, submit, wait

CASES = json.loads((Path(__file__).parent / "batch_cases.json").read_text(encoding="utf-8"))["cases"]
_ISO = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d+)?S)?$")
_SOURCES = (
    "Azure/azure-rest-api-specs:specification/cognitiveservices/data-plane/Speech/SpeechToText/stable/",
    "MicrosoftDocs/azure-ai-docs:articles/ai-services/speech-service/",
    "Azure-Samples/cognitive-services-speech-sdk:samples/batch/",
    "Azure-Samples/cognitive-services-speech-sdk#",
)


def _body(case: dict[str, Any], corpus_host: str) -> Any:
    text = json.dumps(case["request"]).replace(
        "{audio_url}", f"{corpus_host}/{case.get('audio', 'cards-001.wav')}"
    )
    return json.loads(text)


def _finish(emulator: RunningEmulator, answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    status, _ = wait(emulator, answer.headers["Location"])
    return status


def _results(emulator: RunningEmulator, status: dict[str, Any]) -> list[Any]:
    return [content(f) for f in files(emulator, status) if f["kind"] == "Transcription"]


def _check_submit(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    expect = case["expect"]
    assert answer.status_code == expect["status"], answer.text
    entity = answer.json()
    if "key_order" in expect:
        assert list(entity) == expect["key_order"]
    assert entity["properties"] == expect["properties"]
    assert entity["status"] == expect["entity_status"]
    version = case["api_version"]
    assert re.search(rf"/speechtotext/transcriptions/[0-9a-f-]{{36}}\?api-version={version}$", entity["self"])
    assert entity["links"]["files"] == entity["self"].replace("?", "/files?")
    if "final_status" not in expect:
        return
    status = _finish(emulator, answer)
    assert status["status"] == expect["final_status"]
    phrases = [p for r in _results(emulator, status) for p in r["recognizedPhrases"]]
    assert phrases
    if expect.get("phrase_speaker") == "present":
        assert all(isinstance(p["speaker"], int) for p in phrases)
    if "phrase_locale_in" in expect:
        assert {p["locale"] for p in phrases} <= set(expect["phrase_locale_in"])


def _check_finished(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    expect, status = case["expect"], _finish(emulator, answer)
    assert status["status"] == expect["final_status"]
    assert list(status["properties"]) == expect["property_keys"]
    assert status["properties"]["durationMilliseconds"] == expect["duration_ms"]


def _check_files(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    expect, status = case["expect"], _finish(emulator, answer)
    listed = files(emulator, status)
    assert [[f["name"], f["kind"]] for f in listed] == expect["names_and_kinds"]
    for file in listed:
        assert list(file) == expect["file_keys"]
        assert re.search(expect["self_pattern"], file["self"])
        assert isinstance(file["properties"]["size"], int)
    report = content(listed[-1])
    for key in ("successfulTranscriptionsCount", "failedTranscriptionsCount"):
        assert report[key] == expect["report"][key]
    assert all(list(d) == expect["report"]["detail_keys"] for d in report["details"])


def _check_timing(item: dict[str, Any], grid_ms: int) -> None:
    assert _ISO.match(item["offset"]) and _ISO.match(item["duration"])
    assert isinstance(item["offsetInTicks"], float) and isinstance(item["durationInTicks"], float)
    assert item["offsetInTicks"] == item["offsetMilliseconds"] * 10_000
    assert item["durationInTicks"] == item["durationMilliseconds"] * 10_000
    assert item["offsetMilliseconds"] % grid_ms == 0 and item["durationMilliseconds"] % grid_ms == 0


def _check_result(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    expect = case["expect"]
    (result,) = _results(emulator, _finish(emulator, answer))
    if "top_keys" in expect:
        assert list(result) == expect["top_keys"]
    if expect.get("top_ticks_integer"):
        assert result["durationInTicks"] == result["durationMilliseconds"] * 10_000
        assert isinstance(result["durationInTicks"], int)
    for combined in result["combinedRecognizedPhrases"]:
        assert list(combined) == expect.get("combined_keys", list(combined))
    assert result["recognizedPhrases"]
    for phrase in result["recognizedPhrases"]:
        assert list(phrase) == expect["phrase_keys"]
        _check_timing(phrase, expect.get("grid_ms", 10))
        if "speakers_within" in expect:
            assert phrase["speaker"] in expect["speakers_within"]
        (best,) = phrase["nBest"]
        assert list(best) == expect.get("nbest_keys", list(best))
        for word in best.get("words", []):
            assert list(word) == expect["word_keys"]
            _check_timing(word, 10)
        for word in best.get("displayWords", []):
            assert list(word) == expect["display_word_keys"]


def _check_failed(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    expect, status = case["expect"], _finish(emulator, answer)
    assert status["status"] == expect["final_status"]
    assert status["properties"]["error"]["message"] == expect["error_message"]
    assert isinstance(status["properties"]["error"]["code"], str)


def _check_error(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    expect, error = case["expect"], answer.json()
    assert answer.status_code == expect["status"]
    assert error["code"] == expect["code"] and isinstance(error["message"], str)
    assert list(error["innerError"]) == expect["inner_keys"]
    for header, value in expect["headers"].items():
        assert answer.headers[header] == value
    assert len(answer.headers["apim-request-id"]) == 36


def _check_delete(case: dict[str, Any], emulator: RunningEmulator, answer: httpx.Response) -> None:
    deleted = httpx.delete(answer.headers["Location"], headers=headers(emulator))
    assert deleted.status_code == case["expect"]["status"] and deleted.content == b""


_CHECKS = {
    "submit": _check_submit,
    "finished": _check_finished,
    "files": _check_files,
    "result": _check_result,
    "failed": _check_failed,
    "error": _check_error,
    "delete": _check_delete,
}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_fidelity_batch_case(case: dict[str, Any], speech_emulator_factory: Any, corpus_host: str) -> None:
    echo = speech_emulator_factory(engine="echo")
    answer = submit(echo, _body(case, corpus_host), api_version=case["api_version"])
    _CHECKS[case["kind"]](case, echo, answer)


def test_fidelity_every_batch_case_names_its_source() -> None:
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    for case in CASES:
        assert case["source"].startswith(_SOURCES), case["name"]
        assert case["kind"] in _CHECKS, case["name"]
