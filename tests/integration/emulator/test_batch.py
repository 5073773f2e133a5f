"""Batch transcription: submit, status transitions, files, result files, delete, validation."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from devtools.speech_emulator import RunningEmulator
from devtools.speech_emulator.batch.content import content_url
from tests.integration.emulator.batch_api import (
    API_VERSION,
    body,
    content,
    files,
    headers,
    submit,
    transcribe,
    wait,
)

_ISO = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d+)?S)?$")


def test_batch_submit_answers_201_with_location_and_a_not_started_entity(
    echo: RunningEmulator, corpus_host: str
) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav?sv=1&sig=secret"))
    assert answer.status_code == 201
    entity = answer.json()
    assert answer.headers["Location"] == entity["self"]
    assert re.fullmatch(
        rf"{echo.endpoint}/speechtotext/transcriptions/[0-9a-f-]{{36}}\?api-version={API_VERSION}",
        entity["self"],
    )
    assert entity["links"]["files"] == entity["self"].replace("?", "/files?")
    assert entity["status"] == "NotStarted"
    assert "contentUrls" not in entity and "secret" not in answer.text
    assert entity["properties"] == {
        "wordLevelTimestampsEnabled": False,
        "displayFormWordLevelTimestampsEnabled": False,
        "channels": [0, 1],
        "punctuationMode": "DictatedAndAutomatic",
        "profanityFilterMode": "Masked",
        "timeToLiveHours": 48,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entity["createdDateTime"])
    assert answer.headers["content-type"] == "application/json; charset=utf-8"


def test_batch_status_moves_not_started_running_succeeded(echo: RunningEmulator, corpus_host: str) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav"))
    status, seen = wait(echo, answer.headers["Location"])
    assert seen[0] == "Running" and seen[-1] == "Succeeded"
    assert set(seen) <= {"Running", "Succeeded"}
    assert status["properties"]["durationMilliseconds"] == 1095
    assert "error" not in status["properties"]


def test_batch_files_list_one_result_per_url_and_a_report(echo: RunningEmulator, corpus_host: str) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav", f"{corpus_host}/cards-002.wav"))
    status, _ = wait(echo, answer.headers["Location"])
    listed = files(echo, status)
    assert [(f["name"], f["kind"]) for f in listed] == [
        ("contenturl_0.json", "Transcription"),
        ("contenturl_1.json", "Transcription"),
        ("report.json", "TranscriptionReport"),
    ]
    for file in listed:
        assert set(file) == {"self", "name", "kind", "links", "properties", "createdDateTime"}
        assert file["properties"]["size"] == len(httpx.get(file["links"]["contentUrl"]).content)
    report = content(listed[2])
    assert report["successfulTranscriptionsCount"] == 2 and report["failedTranscriptionsCount"] == 0
    assert [d["status"] for d in report["details"]] == ["Succeeded", "Succeeded"]


def test_batch_files_list_is_empty_until_the_job_is_shown_finished(
    echo: RunningEmulator, corpus_host: str
) -> None:
    echo.batch_script(running_polls=2)
    location = submit(echo, body(f"{corpus_host}/cards-001.wav")).headers["Location"]
    status = httpx.get(location, headers=headers(echo)).json()
    assert status["status"] == "Running"
    assert files(echo, status) == []


def _phrases(result: dict[str, Any]) -> list[dict[str, Any]]:
    phrases: list[dict[str, Any]] = result["recognizedPhrases"]
    return phrases


def test_batch_result_file_has_the_2024_11_15_shape(echo: RunningEmulator, corpus_host: str) -> None:
    _, (result,) = transcribe(echo, f"{corpus_host}/jfk.flac?sig=secret")
    assert list(result) == [
        "source",
        "timestamp",
        "durationInTicks",
        "durationMilliseconds",
        "duration",
        "combinedRecognizedPhrases",
        "recognizedPhrases",
    ]
    assert result["source"] == f"{corpus_host}/jfk.flac"
    assert result["durationMilliseconds"] == 11_000 and result["durationInTicks"] == 110_000_000
    assert result["duration"] == "PT11S"
    assert [c["channel"] for c in result["combinedRecognizedPhrases"]] == [0, 1]  # stereo: both channels
    for combined in result["combinedRecognizedPhrases"]:
        assert set(combined) == {"channel", "lexical", "itn", "maskedITN", "display"}
    for phrase in _phrases(result):
        assert list(phrase) == [
            "recognitionStatus",
            "channel",
            "offset",
            "duration",
            "offsetInTicks",
            "durationInTicks",
            "offsetMilliseconds",
            "durationMilliseconds",
            "nBest",
        ]
        assert phrase["recognitionStatus"] == "Success"
        assert _ISO.match(phrase["offset"]) and _ISO.match(phrase["duration"])
        assert isinstance(phrase["offsetInTicks"], float)
        assert phrase["offsetInTicks"] == phrase["offsetMilliseconds"] * 10_000
        assert phrase["offsetMilliseconds"] % 10 == 0
        (best,) = phrase["nBest"]
        assert set(best) == {"confidence", "lexical", "itn", "maskedITN", "display"}
        assert 0 <= best["confidence"] <= 1


def test_batch_words_only_with_word_level_timestamps(echo: RunningEmulator, corpus_host: str) -> None:
    _, (result,) = transcribe(
        echo,
        f"{corpus_host}/cards-003.wav",
        wordLevelTimestampsEnabled=True,
        displayFormWordLevelTimestampsEnabled=True,
    )
    (best,) = _phrases(result)[0]["nBest"]
    assert [w["word"] for w in best["words"]] == best["lexical"].split()
    assert [w["displayText"] for w in best["displayWords"]] == best["display"].split()
    for word in best["words"]:
        assert set(word) == {
            "word",
            "offset",
            "duration",
            "offsetInTicks",
            "durationInTicks",
            "offsetMilliseconds",
            "durationMilliseconds",
            "confidence",
        }


def test_batch_speaker_only_with_diarization_enabled(echo: RunningEmulator, corpus_host: str) -> None:
    _, (plain,) = transcribe(echo, f"{corpus_host}/cards-001.wav", diarization={"maxSpeakers": 3})
    assert all("speaker" not in p for p in _phrases(plain))
    _, (diarized,) = transcribe(
        echo, f"{corpus_host}/cards-001.wav", diarization={"enabled": True, "maxSpeakers": 3}
    )
    assert [p["speaker"] for p in _phrases(diarized)] == [1]


def test_batch_stereo_with_diarization_fails_as_recorded(echo: RunningEmulator, corpus_host: str) -> None:
    status, results = transcribe(echo, f"{corpus_host}/jfk.flac", diarization={"enabled": True})
    assert status["status"] == "Failed" and results == []
    assert status["properties"]["error"] == {
        "code": "InvalidData",
        "message": "The recordings URI contains invalid data.",
    }


def test_batch_channels_select_and_mono_audio_has_channel_zero(
    echo: RunningEmulator, corpus_host: str
) -> None:
    _, (right,) = transcribe(echo, f"{corpus_host}/jfk.flac", channels=[1])
    assert {p["channel"] for p in _phrases(right)} == {1}
    _, (mono,) = transcribe(echo, f"{corpus_host}/cards-001.wav")
    assert {p["channel"] for p in _phrases(mono)} == {0}


def test_batch_language_identification_adds_phrase_locale(echo: RunningEmulator, corpus_host: str) -> None:
    _, (result,) = transcribe(
        echo, f"{corpus_host}/cards-001.wav", languageIdentification={"candidateLocales": ["de-DE", "en-GB"]}
    )
    assert {p["locale"] for p in _phrases(result)} == {"en-GB"}


def test_batch_pocketsphinx_hears_the_recording(speech: RunningEmulator, corpus_host: str) -> None:
    status, (result,) = transcribe(
        speech,
        f"{corpus_host}/cards-001.wav",
        wordLevelTimestampsEnabled=True,
        displayFormWordLevelTimestampsEnabled=True,
    )
    assert status["status"] == "Succeeded"
    combined = result["combinedRecognizedPhrases"][0]
    assert (combined["lexical"], combined["itn"], combined["display"]) == (
        "ten of clubs",
        "10 of clubs",
        "10 of clubs.",
    )
    (best,) = _phrases(result)[0]["nBest"]
    assert best["displayWords"][0]["displayText"] == "10"
    assert best["displayWords"][0]["offsetMilliseconds"] == best["words"][0]["offsetMilliseconds"]  # "ten"'s


def test_batch_unreachable_audio_fails_the_job_with_the_download_error(
    echo: RunningEmulator, corpus_host: str
) -> None:
    status, _ = transcribe(echo, f"{corpus_host}/missing.wav?sig=secret")
    assert status["status"] == "Failed"
    assert status["properties"]["error"]["code"] == "FailedToDownload"
    assert "secret" not in status["properties"]["error"]["message"]


def test_batch_undecodable_audio_fails_with_invalid_data(echo: RunningEmulator, corpus_host: str) -> None:
    status, _ = transcribe(echo, f"{corpus_host}/manifest.tsv")
    assert status["properties"]["error"]["code"] == "InvalidData"


def test_batch_one_failed_url_of_two_still_succeeds_and_is_reported(
    echo: RunningEmulator, corpus_host: str
) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav", f"{corpus_host}/missing.wav"))
    status, _ = wait(echo, answer.headers["Location"])
    assert status["status"] == "Succeeded"
    report = content(files(echo, status)[-1])
    assert (report["successfulTranscriptionsCount"], report["failedTranscriptionsCount"]) == (1, 1)
    assert report["details"][1]["status"] == "Failed"


def test_batch_delete_answers_204_and_the_job_and_its_files_are_gone(
    echo: RunningEmulator, corpus_host: str
) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav"))
    status, _ = wait(echo, answer.headers["Location"])
    link = files(echo, status)[0]["links"]["contentUrl"]
    assert httpx.delete(answer.headers["Location"], headers=headers(echo)).status_code == 204
    assert httpx.delete(answer.headers["Location"], headers=headers(echo)).status_code == 204
    gone = httpx.get(answer.headers["Location"], headers=headers(echo))
    assert gone.status_code == 404 and gone.json()["code"] == "NotFound"
    blob = httpx.get(link)
    assert blob.status_code == 404 and "<Code>BlobNotFound</Code>" in blob.text


@pytest.mark.parametrize("job_id", ["00000000-0000-0000-0000-000000000000", "not-a-guid"])
def test_batch_unknown_transcription_is_404(echo: RunningEmulator, job_id: str) -> None:
    for suffix in ("", "/files"):
        answer = httpx.get(
            f"{echo.endpoint}/speechtotext/transcriptions/{job_id}{suffix}",
            params={"api-version": API_VERSION},
            headers=headers(echo),
        )
        assert answer.status_code == 404
        assert answer.json()["code"] == "NotFound"


def test_batch_content_link_is_signed_and_expires(echo: RunningEmulator, corpus_host: str) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav"))
    status, _ = wait(echo, answer.headers["Location"])
    link = files(echo, status)[0]["links"]["contentUrl"]
    job, file = echo.batch_jobs()[0], echo.batch_jobs()[0].files[0]
    expired = content_url(echo.endpoint, echo.state.content_secret, job.id, file.id, file.name, minutes=-1)
    for bad in (
        link.split("?")[0],
        link.replace("sig=", "sig=x"),
        link.replace("contenturl_0", "x"),
        expired,
    ):
        refused = httpx.get(bad)
        assert refused.status_code == 403 and "<Code>AuthenticationFailed</Code>" in refused.text
    short = httpx.get(status["links"]["files"] + "&sasLifetimeMinutes=1", headers=headers(echo))
    assert short.status_code == 200
    bad_lifetime = httpx.get(status["links"]["files"] + "&sasLifetimeMinutes=x", headers=headers(echo))
    assert bad_lifetime.json()["innerError"]["code"] == "InvalidSasValidityDuration"


@pytest.mark.parametrize(
    ("change", "inner"),
    [
        (lambda b: b.pop("contentUrls"), "InvalidPayload"),
        (lambda b: b.update(contentUrls=[]), "InvalidPayload"),
        (lambda b: b.update(contentUrls=["not a url"]), "InvalidRecordingsUri"),
        (
            lambda b: b.update(contentContainerUrl="https://a.blob.core.windows.net/c"),
            "OnlyOneOfUrlsOrContainerOrDataset",
        ),
        (lambda b: b.update(locale="xx-XX"), "InvalidLocale"),
        (lambda b: b.pop("locale"), "InvalidPayload"),
        (lambda b: b.pop("displayName"), "InvalidPayload"),
        (lambda b: b.pop("properties"), "InvalidPayload"),
        (lambda b: b["properties"].pop("timeToLiveHours"), "InvalidPayload"),
        (lambda b: b["properties"].update(timeToLiveHours=5), "InvalidTimeToLive"),
        (lambda b: b["properties"].update(timeToLiveHours=745), "InvalidTimeToLive"),
        (lambda b: b["properties"].update(channels=[2]), "InvalidChannels"),
        (lambda b: b["properties"].update(profanityFilterMode="Loud"), "InvalidPayload"),
        (lambda b: b["properties"].update(punctuationMode="Some"), "InvalidPayload"),
        (lambda b: b["properties"].update(wordLevelTimestampsEnabled="yes"), "InvalidPayload"),
        (
            lambda b: b["properties"].update(diarization={"enabled": True, "maxSpeakers": 36}),
            "InvalidParameterValue",
        ),
        (
            lambda b: b["properties"].update(languageIdentification={"candidateLocales": ["en-US"]}),
            "InvalidParameterValue",
        ),
        (lambda b: b.update(customProperties={str(i): "v" for i in range(11)}), "InvalidPayload"),
        (lambda b: b.update(customProperties={"k": 1}), "InvalidPayload"),
        (lambda b: b.update(model={"self": "not a url"}), "InvalidModelUri"),
        (lambda b: b.update(description=5), "InvalidPayload"),
    ],
)
def test_batch_invalid_submissions_answer_400_in_the_recorded_shape(
    echo: RunningEmulator, corpus_host: str, change: Any, inner: str
) -> None:
    document = body(f"{corpus_host}/cards-001.wav")
    change(document)
    answer = submit(echo, document)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["code"] == "InvalidRequest" and error["innerError"]["code"] == inner
    assert error["message"] and error["innerError"]["message"]
    assert echo.batch_jobs() == []


def test_batch_not_json_and_bad_api_version_are_refused(echo: RunningEmulator, corpus_host: str) -> None:
    raw = httpx.post(
        echo.endpoint + "/speechtotext/transcriptions:submit",
        params={"api-version": API_VERSION},
        content=b"{",
        headers={**headers(echo), "Content-Type": "application/json"},
    )
    assert raw.status_code == 400 and raw.json()["innerError"]["code"] == "InvalidRequestBodyFormat"
    for version in ("2024-05-15-preview", "v3.2", None):
        answer = submit(echo, body(f"{corpus_host}/cards-001.wav"), api_version=version)  # type: ignore[arg-type]
        assert answer.status_code == 400 and answer.json()["innerError"]["code"] == "InvalidApiVersion"


def test_batch_2025_10_15_is_served_too(echo: RunningEmulator, corpus_host: str) -> None:
    answer = submit(echo, body(f"{corpus_host}/cards-001.wav"), api_version="2025-10-15")
    assert answer.status_code == 201 and answer.json()["self"].endswith("?api-version=2025-10-15")
    status, _ = wait(echo, answer.headers["Location"])
    assert status["status"] == "Succeeded"


def test_batch_needs_a_credential(echo: RunningEmulator, corpus_host: str) -> None:
    answer = httpx.post(
        echo.endpoint + "/speechtotext/transcriptions:submit",
        params={"api-version": API_VERSION},
        json=body(f"{corpus_host}/cards-001.wav"),
    )
    assert answer.status_code == 401 and answer.json()["code"] == "Unauthorized"
    wrong = httpx.get(
        f"{echo.endpoint}/speechtotext/transcriptions/00000000-0000-0000-0000-000000000000",
        params={"api-version": API_VERSION},
        headers={"Ocp-Apim-Subscription-Key": "wrong"},
    )
    assert wrong.status_code == 401
    assert [(r.operation, r.status, r.auth) for r in echo.requests()] == [
        ("submit", 401, "none"),
        ("status", 401, "key"),
    ]


def test_batch_every_phrase_of_a_file_has_the_same_confidence(
    speech: RunningEmulator, corpus_host: str
) -> None:
    _, (result,) = transcribe(speech, f"{corpus_host}/sense_and_sensibility_01_austen_64kb-0870.wav")
    confidences = {p["nBest"][0]["confidence"] for p in _phrases(result)}
    assert len(_phrases(result)) >= 1 and len(confidences) == 1
    assert 0 < confidences.pop() <= 1
