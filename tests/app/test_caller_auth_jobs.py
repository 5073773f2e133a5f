"""Entra ID callers of the jobs and uploads endpoints: the same app-role check as /api/transcribe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.app.test_caller_auth import ROLE, entra, http_auth_levels, principal
from tests.fixtures.functions import AppUnderTest

__all__ = ["entra"]  # the fixture, shared with test_caller_auth
API = "https://transcriber.azurewebsites.net/api"
JOB_ID = "0" * 32


async def post_job(app: AppUnderTest, corpus: Path, headers: dict[str, str]) -> tuple[int, dict]:
    audio = (corpus / "cards-001.wav").read_bytes()
    response = await app.call(
        "POST", f"{API}/transcriptions", audio, {"Content-Type": "audio/wav", **headers}
    )
    return response.status_code, json.loads(response.get_body())


async def post_upload(app: AppUnderTest, headers: dict[str, str]) -> tuple[int, dict]:
    body = json.dumps({"name": "auth/meeting.wav"}).encode()
    response = await app.call("POST", f"{API}/uploads", body, {"Content-Type": "application/json", **headers})
    return response.status_code, json.loads(response.get_body())


async def get_job(app: AppUnderTest, headers: dict[str, str]) -> tuple[int, dict]:
    response = await app.call("GET", f"{API}/transcriptions/{JOB_ID}", b"", headers)
    return response.status_code, json.loads(response.get_body())


async def test_caller_auth_jobs_caller_with_the_app_role_creates_a_job_and_an_upload(
    entra: AppUnderTest, corpus: Path
) -> None:
    signed_in = {"X-MS-CLIENT-PRINCIPAL": principal(ROLE)}
    status, body = await post_job(entra, corpus, signed_in)
    assert status == 202 and len(body["id"]) == 32
    status, body = await post_upload(entra, signed_in)
    assert status == 201 and re.fullmatch(r"uploads/[0-9a-f]{16}/auth/meeting\.wav", body["blob"])
    status, body = await get_job(entra, signed_in)
    assert (status, body["error"]["code"]) == (404, "JobNotFound")


async def test_caller_auth_jobs_caller_without_the_role_is_forbidden_and_nothing_is_stored(
    entra: AppUnderTest, corpus: Path
) -> None:
    other = {"X-MS-CLIENT-PRINCIPAL": principal("Reader")}
    for status, body in (
        await post_job(entra, corpus, other),
        await post_upload(entra, other),
        await get_job(entra, other),
    ):
        assert (status, body["error"]["code"]) == (403, "Forbidden")
        assert ROLE in body["error"]["message"]
    container = entra.storage.get_container_client(entra.containers.audio)
    assert [b.name for b in container.list_blobs()] == []


async def test_caller_auth_jobs_without_a_principal_is_unauthorized(
    entra: AppUnderTest, corpus: Path
) -> None:
    for status, body in (
        await post_job(entra, corpus, {}),
        await post_upload(entra, {}),
        await get_job(entra, {}),
    ):
        assert (status, body["error"]["code"]) == (401, "Unauthorized")


@pytest.mark.parametrize(("mode", "level"), [("function", "FUNCTION"), ("entra", "ANONYMOUS")])
def test_caller_auth_mode_sets_the_jobs_and_uploads_auth_level_at_index_time(mode: str, level: str) -> None:
    levels = http_auth_levels(mode)
    for name in (
        "create_transcription",
        "transcription_status",
        "list_transcriptions",
        "name_speakers",
        "transcription_audio",
        "create_upload",
    ):
        assert levels[name] == level
