"""BatchClient against a strict fake of the batch REST API (tests/integration/batch/fake_service.py).

What the real service and storage would do differently is what the fake insists on: api-version,
a key or a token for the Cognitive Services audience, a result file that refuses our credential.
"""

from __future__ import annotations

import json
import logging
import tracemalloc
from typing import Any

import pytest

from tests.fixtures.batch_samples import AUDIO_URL, DOC_RESULT
from tests.fixtures.batch_service import RecordingTelemetry, speech_settings
from tests.fixtures.speech import AsyncStaticTokenCredential, speech_token
from tests.integration.batch.fake_service import SAS_SECRET, EndlessResult, FakeBatchService
from transcriber.adapters.batch.client import BatchClient, BatchStatus
from transcriber.domain.errors import (
    AudioRejectedError,
    AuthenticationError,
    BatchResultTooLargeError,
    InvalidRequestError,
    ServiceError,
    ServiceThrottledError,
    TranscriberError,
    UnsupportedBatchOptionError,
)
from transcriber.domain.options import TranscriptionRequestOptions
from transcriber.domain.privacy import SDK_LOGGERS

EN = TranscriptionRequestOptions(locales=("en-US",))


_OPEN: list[BatchClient] = []


@pytest.fixture(autouse=True)
async def _close_clients() -> Any:
    """Every client a test made is closed, also when the test failed half-way."""
    yield
    while _OPEN:
        await _OPEN.pop().close()


def client_for(service: FakeBatchService, telemetry: Any = None, **kwargs: Any) -> BatchClient:
    settings = speech_settings(service, **kwargs.pop("settings", {}))
    client = BatchClient(
        settings,
        telemetry or RecordingTelemetry(),
        kwargs.pop("credential", None),
        retry_backoff_factor=0,
        **kwargs,
    )
    _OPEN.append(client)
    return client


async def succeeded_result_error(service: FakeBatchService) -> ServiceError:
    """What result() raises for a transcription the service reports Succeeded (with the doc's file)."""
    client = client_for(service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    service.states[submitted.id] = ["Succeeded"]
    service.results[submitted.id] = DOC_RESULT
    with pytest.raises(ServiceError) as raised:
        await client.result(submitted.id)
    await client.close()
    return raised.value


async def test_submit_sends_the_reference_body_with_the_key(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    options = TranscriptionRequestOptions(locales=("en-US", "de-DE"), max_speakers=3, profanity="Removed")
    status = await client.submit(AUDIO_URL, options, "court hearing")
    await client.close()

    assert status == BatchStatus(id=status.id, status="NotStarted", retry_after=None)
    sent = batch_service.seen[-1]
    assert sent.path == "/speechtotext/transcriptions:submit" and sent.query["api-version"] == "2024-11-15"
    assert sent.headers["Ocp-Apim-Subscription-Key"] == batch_service.key
    assert "Authorization" not in sent.headers
    assert "azsdk-python-transcriber-batch" in sent.headers["User-Agent"]
    assert sent.body == {
        "contentUrls": [AUDIO_URL],
        "locale": "en-US",
        "displayName": "court hearing",
        "properties": {
            "wordLevelTimestampsEnabled": True,
            "displayFormWordLevelTimestampsEnabled": True,
            "punctuationMode": "DictatedAndAutomatic",
            "timeToLiveHours": 48,
            "profanityFilterMode": "Removed",
            "diarization": {"enabled": True, "maxSpeakers": 3},
            "languageIdentification": {"candidateLocales": ["en-US", "de-DE"], "mode": "Continuous"},
        },
        "customProperties": {"transcriberChannels": "mixed"},
    }


async def test_bearer_token_for_the_cognitive_services_audience(
    batch_service_https: FakeBatchService,
) -> None:
    token = speech_token()
    client = client_for(
        batch_service_https, settings={"api_key": None}, credential=AsyncStaticTokenCredential(token)
    )
    await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert batch_service_https.seen[-1].headers["Authorization"] == f"Bearer {token}"
    assert "Ocp-Apim-Subscription-Key" not in batch_service_https.seen[-1].headers


async def test_a_token_for_another_audience_is_refused_as_authentication(
    batch_service_https: FakeBatchService,
) -> None:
    wrong = AsyncStaticTokenCredential(speech_token(audience="https://storage.azure.com"))
    client = client_for(batch_service_https, settings={"api_key": None}, credential=wrong)
    with pytest.raises(AuthenticationError) as raised:
        await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert raised.value.code == "401"


async def test_managed_identity_asks_for_the_cognitive_services_token(
    batch_service_https: FakeBatchService, managed_identity_env: Any
) -> None:
    client = client_for(batch_service_https, settings={"api_key": None})
    status = await client.submit(AUDIO_URL, EN, "x")
    assert (await client.status(status.id)).status == "NotStarted"
    await client.close()
    assert [entry.resource for entry in managed_identity_env.journal] == [
        "https://cognitiveservices.azure.com"
    ]
    assert batch_service_https.seen[-1].headers["Authorization"].startswith("Bearer ")


async def test_a_token_over_plain_http_is_refused_before_sending(batch_service: FakeBatchService) -> None:
    client = client_for(
        batch_service, settings={"api_key": None}, credential=AsyncStaticTokenCredential(speech_token())
    )
    with pytest.raises(AuthenticationError) as raised:
        await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert raised.value.code == "TokenOverHttp" and batch_service.seen == []


async def test_429_with_retry_after_is_retried_then_succeeds(batch_service: FakeBatchService) -> None:
    batch_service.script(
        429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "0"}, count=2
    )
    client = client_for(batch_service)
    status = await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert status.status == "NotStarted" and len(batch_service.seen) == 3


async def test_a_long_retry_after_goes_back_to_the_caller(batch_service: FakeBatchService) -> None:
    batch_service.script(
        429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, {"Retry-After": "120"}
    )
    client = client_for(batch_service, max_retry_after=5)
    with pytest.raises(ServiceThrottledError) as raised:
        await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert (raised.value.retry_after, raised.value.status, raised.value.code) == (120, 429, "TooManyRequests")
    assert len(batch_service.seen) == 1


async def test_503_on_a_status_poll_is_retried(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.script(503, {"error": {"code": "ServiceUnavailable", "message": "busy"}}, count=2)
    status = await client.status(submitted.id)
    await client.close()
    assert status.status == "NotStarted" and status.retry_after == 7
    assert len(batch_service.seen) == 4


async def test_5xx_that_persists_is_a_transient_service_error(batch_service: FakeBatchService) -> None:
    batch_service.script(500, {"error": {"code": "InternalServerError", "message": "boom"}}, count=4)
    client = client_for(batch_service)
    with pytest.raises(ServiceError) as raised:
        await client.status("ba7ea6f5-3065-40b7-b49a-a90f48584683")
    await client.close()
    assert raised.value.transient and raised.value.code == "InternalServerError"
    assert len(batch_service.seen) == 4  # one try and azure-core's three retries


async def test_a_refused_submit_keeps_the_inner_code_and_never_shows_the_sas(
    batch_service: FakeBatchService,
) -> None:
    message = f"Unable to read {AUDIO_URL}"
    body = {
        "error": {
            "code": "InvalidArgument",
            "message": message,
            "innerError": {"code": "InvalidLocale", "message": message},
        }
    }
    batch_service.script(400, body)
    client = client_for(batch_service)
    with pytest.raises(AudioRejectedError) as raised:
        await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert (raised.value.code, raised.value.status, raised.value.transient) == ("InvalidLocale", 400, False)
    assert "AUDIOSASSECRET" not in str(raised.value) and "AUDIOSASSECRET" not in str(raised.value.__cause__)


async def test_status_walks_to_failed_with_the_service_code(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Running", "Failed"]
    batch_service.failures[submitted.id] = {
        "code": "InvalidMediaType",
        "message": f"cannot decode {AUDIO_URL}",
    }
    assert (await client.status(submitted.id)).status == "Running"
    failed = await client.status(submitted.id)
    await client.close()
    assert (failed.status, failed.error_code) == ("Failed", "InvalidMediaType")
    assert failed.error_message is not None and "AUDIOSASSECRET" not in failed.error_message


async def test_result_fetches_the_content_url_without_our_credential(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = DOC_RESULT
    result = await client.result(submitted.id)
    await client.close()

    fetched = [seen for seen in batch_service.seen if seen.path.startswith("/artifacts/")]
    assert len(fetched) == 1 and fetched[0].query["sig"] == SAS_SECRET.removeprefix("sig=")
    assert "Authorization" not in fetched[0].headers and "Ocp-Apim-Subscription-Key" not in fetched[0].headers
    assert result == {
        "durationMilliseconds": 2580,
        "combinedPhrases": [{"text": "Hello world."}],
        "phrases": [
            {
                "offsetMilliseconds": 760,
                "durationMilliseconds": 1320,
                "text": "Hello world.",
                "words": [
                    {"text": "Hello", "offsetMilliseconds": 760, "durationMilliseconds": 760},
                    {"text": "world.", "offsetMilliseconds": 1520, "durationMilliseconds": 560},
                ],
                "locale": "en-US",
                "confidence": 0.5643338,
            }
        ],
    }
    assert "AUDIOSASSECRET" not in str(result)


async def test_a_long_result_is_converted_off_the_loop_and_loses_nothing(
    batch_service: FakeBatchService,
) -> None:
    phrase = DOC_RESULT["recognizedPhrases"][0]
    hour = 36_000_000_000  # ticks
    long_result = {
        "durationInTicks": 3 * hour,
        "recognizedPhrases": [
            {
                **phrase,
                "offsetInTicks": float(i * hour // 100),
                "nBest": [{**phrase["nBest"][0], "displayWords": []}],
            }
            for i in range(300)
        ],
    }
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = long_result
    result = await client.result(submitted.id)
    assert result["durationMilliseconds"] == 3 * 3_600_000 and len(result["phrases"]) == 300
    assert [p["offsetMilliseconds"] for p in result["phrases"]] == [i * 36_000 for i in range(300)]


@pytest.mark.parametrize("document", [{"recognizedPhrases": 5}, {"recognizedPhrases": [{"nBest": [{}]}]}])
async def test_a_result_file_of_the_wrong_shape_is_a_final_error(
    batch_service: FakeBatchService, document: Any
) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = document
    with pytest.raises(ServiceError) as raised:
        await client.result(submitted.id)
    assert raised.value.code == "InvalidBatchResult" and not raised.value.transient


async def test_a_result_over_the_bound_is_refused_as_it_arrives_within_the_bound(
    batch_service: FakeBatchService,
) -> None:
    bound = 1024 * 1024
    phrase = json.dumps(DOC_RESULT["recognizedPhrases"][0]).encode() + b","
    endless = EndlessResult(phrase * (64 * 1024 // len(phrase)))
    client = client_for(batch_service, max_result_bytes=bound)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = endless
    tracemalloc.start()
    try:
        with pytest.raises(BatchResultTooLargeError) as raised:
            await client.result(submitted.id)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    await client.close()
    assert raised.value.code == "BatchResultTooLarge" and not raised.value.transient
    assert str(bound) in raised.value.message
    # read no further than the bound (the rest is what sockets buffer), held no more than it
    assert endless.sent < 16 * bound
    assert peak < 4 * bound, f"{peak} bytes at peak for a {bound}-byte bound"


async def test_result_keeps_channels_that_were_asked_for(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(
        AUDIO_URL, TranscriptionRequestOptions(locales=("en-US",), channels=(0, 1)), "x"
    )
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = DOC_RESULT
    result = await client.result(submitted.id)
    await client.close()
    assert result["combinedPhrases"] == [{"channel": 0, "text": "Hello world."}]
    assert result["phrases"][0]["channel"] == 0


async def test_result_of_an_unfinished_or_failed_transcription(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    with pytest.raises(ServiceError) as running:
        await client.result(submitted.id)
    batch_service.states[submitted.id] = ["Failed"]
    with pytest.raises(AudioRejectedError) as failed:
        await client.result(submitted.id)
    await client.close()
    assert running.value.code == "BatchNotFinished" and failed.value.code == "InvalidData"


async def test_a_file_that_failed_inside_a_succeeded_job_keeps_the_report_code(
    batch_service: FakeBatchService,
) -> None:
    # The report's shape: Microsoft's batch-transcription-get.md and the ingestion client's
    # TranscriptionReportFileDetail (status, errorKind, errorMessage, source).
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.reports[submitted.id] = {
        "successfulTranscriptionsCount": 0,
        "failedTranscriptionsCount": 1,
        "details": [
            {
                "source": AUDIO_URL,
                "status": "Failed",
                "errorKind": "InvalidMediaType",
                "errorMessage": f"bad {AUDIO_URL}",
            }
        ],
    }
    with pytest.raises(AudioRejectedError) as raised:
        await client.result(submitted.id)
    await client.close()
    assert raised.value.code == "InvalidMediaType" and not raised.value.transient
    assert "AUDIOSASSECRET" not in str(raised.value)


async def test_a_content_url_that_is_not_https_is_never_fetched(batch_service: FakeBatchService) -> None:
    batch_service.content_scheme_host = "http://storage.example.invalid"
    error = await succeeded_result_error(batch_service)
    assert error.code == "InvalidBatchResult" and not error.transient


async def test_a_content_url_outside_azure_blob_storage_is_never_fetched(
    batch_service: FakeBatchService,
) -> None:
    """Issue #24: any https host was fetched; result files live in Azure Blob Storage."""
    batch_service.content_scheme_host = "https://storage.example.invalid"
    error = await succeeded_result_error(batch_service)
    assert error.code == "InvalidBatchResult" and not error.transient


async def test_a_redirect_from_the_result_url_is_never_followed(batch_service: FakeBatchService) -> None:
    """Issue #24: a 302 to another origin was followed and its body became the transcript."""
    batch_service.result_scripted.append((302, {}, {"Location": "https://elsewhere.example.invalid/r.json"}))
    error = await succeeded_result_error(batch_service)
    assert error.code == "InvalidBatchResult" and not error.transient


async def test_an_expired_result_sas_is_transient(batch_service: FakeBatchService) -> None:
    batch_service.result_scripted.append((403, {"no": "access"}, {}))
    error = await succeeded_result_error(batch_service)
    assert error.transient and error.code == "BatchResultHttp403"


async def test_a_next_page_link_off_the_endpoint_is_not_followed(batch_service: FakeBatchService) -> None:
    batch_service.next_link_origin = "https://elsewhere.example.invalid"
    error = await succeeded_result_error(batch_service)
    assert error.code == "InvalidBatchResult" and not error.transient


async def test_a_service_that_does_not_answer_in_time_is_a_timeout(batch_service: FakeBatchService) -> None:
    batch_service.delay_seconds = 5
    client = client_for(batch_service, settings={"timeout_seconds": 0.5})
    with pytest.raises(ServiceError) as raised:
        await client.status("ba7ea6f5-3065-40b7-b49a-a90f48584683")
    await client.close()
    assert raised.value.code == "Timeout" and raised.value.transient


async def test_an_id_that_could_leave_the_path_is_refused(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    for bad in ("../models", "a/b", "", "x?api-version=1"):
        with pytest.raises(InvalidRequestError):
            await client.status(bad)
    await client.close()
    assert batch_service.seen == []


async def test_delete_accepts_gone(batch_service: FakeBatchService) -> None:
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    await client.delete(submitted.id)
    await client.delete(submitted.id)
    await client.close()
    assert [seen.method for seen in batch_service.seen[-2:]] == ["DELETE", "DELETE"]
    assert submitted.id not in batch_service.transcriptions


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (TranscriptionRequestOptions(locales=("en-US",), phrases=("Contoso",)), "phrases"),
        (TranscriptionRequestOptions(locales=("en-US",), task="transcribe"), "task"),
        (TranscriptionRequestOptions(locales=("en-US",), model="MAI-Transcribe-1"), "model"),
        (TranscriptionRequestOptions(), "locale"),
    ],
)
async def test_options_batch_lacks_are_refused_by_name(
    batch_service: FakeBatchService, options: TranscriptionRequestOptions, option: str
) -> None:
    client = client_for(batch_service)
    with pytest.raises(UnsupportedBatchOptionError) as raised:
        await client.submit(AUDIO_URL, options, "x")
    await client.close()
    assert raised.value.option == option and raised.value.message.startswith(f"{option}: ")
    assert batch_service.seen == []


async def test_no_sas_in_any_log_record(
    batch_service: FakeBatchService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in SDK_LOGGERS:  # the app quiets them (transcriber.domain.privacy); here they speak at DEBUG
        caplog.set_level(logging.DEBUG, logger=name)
    batch_service.script(429, {"error": {"code": "TooManyRequests", "message": "slow"}}, {"Retry-After": "0"})
    client = client_for(batch_service)
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = DOC_RESULT
    await client.result(submitted.id)
    await client.close()
    ours = [record for record in caplog.records if not record.name.startswith("aiohttp.access")]  # the fake's
    text = "\n".join(record.getMessage() for record in ours)
    assert "Request URL" in text  # azure-core's request logging ran
    assert "AUDIOSASSECRET" not in text and "SECRETSIGNATURE" not in text
    assert batch_service.key not in text


async def test_one_dependency_per_call_named_like_the_fast_path(batch_service: FakeBatchService) -> None:
    telemetry = RecordingTelemetry()
    client = client_for(batch_service, telemetry)
    batch_service.script(429, {"error": {"code": "TooManyRequests", "message": "slow"}}, {"Retry-After": "0"})
    submitted = await client.submit(AUDIO_URL, EN, "x")
    batch_service.states[submitted.id] = ["Succeeded"]
    batch_service.results[submitted.id] = DOC_RESULT
    await client.result(submitted.id)
    await client.delete(submitted.id)
    await client.close()
    seen = [(d.type, d.name, d.result_code, d.success) for d in telemetry.dependencies]
    assert seen == [
        ("Azure AI Speech", "POST /speechtotext/transcriptions:submit", "201", True),
        ("Azure AI Speech", "GET /speechtotext/transcriptions/{id}", "200", True),
        ("Azure AI Speech", "GET /speechtotext/transcriptions/{id}/files", "200", True),
        ("Azure AI Speech", "GET /speechtotext/transcriptions/{id}/files", "200", True),
        ("Azure blob", "GET batch transcription result file", "200", True),
        ("Azure AI Speech", "DELETE /speechtotext/transcriptions/{id}", "204", True),
    ]
    assert {d.target for d in telemetry.dependencies} == {batch_service.base_url.removeprefix("http://")}


@pytest.mark.parametrize("status", [500, 503, 504])
@pytest.mark.parametrize("retry_after", [None, "0"])
async def test_a_submit_answered_5xx_is_never_retried(
    batch_service: FakeBatchService, status: int, retry_after: str | None
) -> None:
    """The service may have made the transcription before answering 5xx: a retry could make a second."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    batch_service.script(status, {"error": {"code": "InternalServerError", "message": "boom"}}, headers)
    client = client_for(batch_service)
    with pytest.raises(TranscriberError) as raised:  # 503 with Retry-After: ServiceThrottledError
        await client.submit(AUDIO_URL, EN, "x")
    await client.close()
    assert raised.value.transient
    assert [seen.path for seen in batch_service.seen] == ["/speechtotext/transcriptions:submit"]
