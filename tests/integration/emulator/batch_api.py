"""Small httpx helpers for the batch transcription tests: submit, wait, fetch result files."""

from __future__ import annotations

import time
from typing import Any

import httpx

from devtools.speech_emulator import RunningEmulator

API_VERSION = "2024-11-15"
SUBMIT_PATH = "/speechtotext/transcriptions:submit"


def body(*urls: str, **properties: Any) -> dict[str, Any]:
    """A minimal valid submission (en-US, 48 h) with extra `properties`."""
    return {
        "contentUrls": list(urls),
        "locale": "en-US",
        "displayName": "emulator test",
        "properties": {"timeToLiveHours": 48, **properties},
    }


def headers(emulator: RunningEmulator) -> dict[str, str]:
    return {"Ocp-Apim-Subscription-Key": emulator.key}


def submit(emulator: RunningEmulator, document: Any, api_version: str = API_VERSION) -> httpx.Response:
    return httpx.post(
        emulator.endpoint + SUBMIT_PATH,
        params={"api-version": api_version},
        json=document,
        headers=headers(emulator),
        timeout=30,
    )


def wait(
    emulator: RunningEmulator, location: str, timeout: float = 120.0
) -> tuple[dict[str, Any], list[str]]:
    """Poll `location` until it is Succeeded or Failed; the last body and every status seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = httpx.get(location, headers=headers(emulator), timeout=30).json()
        seen.append(status["status"])
        if status["status"] in ("Succeeded", "Failed"):
            return status, seen
        time.sleep(0.05)
    raise AssertionError(f"still {seen[-1:]} after {timeout} s")


def files(emulator: RunningEmulator, status: dict[str, Any]) -> list[dict[str, Any]]:
    answer = httpx.get(status["links"]["files"], headers=headers(emulator), timeout=30)
    assert answer.status_code == 200, answer.text
    values: list[dict[str, Any]] = answer.json()["values"]
    return values


def content(file: dict[str, Any]) -> Any:
    """A result file's JSON, fetched from its contentUrl with no credential (a SAS link)."""
    answer = httpx.get(file["links"]["contentUrl"], timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def transcribe(emulator: RunningEmulator, *urls: str, **properties: Any) -> tuple[dict[str, Any], list[Any]]:
    """Submit, wait, and return the final status and the `Transcription` files' JSON."""
    answer = submit(emulator, body(*urls, **properties))
    assert answer.status_code == 201, answer.text
    status, _ = wait(emulator, answer.headers["Location"])
    return status, [content(f) for f in files(emulator, status) if f["kind"] == "Transcription"]


def settle(emulator: RunningEmulator, timeout: float = 120.0) -> None:
    """Wait (without status GETs, which advance what is shown) until every job's work is done."""
    deadline = time.monotonic() + timeout
    while any(job.status not in ("Succeeded", "Failed") for job in emulator.batch_jobs()):
        if time.monotonic() > deadline:
            raise AssertionError(f"batch jobs still working after {timeout} s")
        time.sleep(0.02)
