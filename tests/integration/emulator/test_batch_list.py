"""Batch list: `GET /speechtotext/transcriptions` with skip, top and the reference's filter."""

from __future__ import annotations

from typing import Any

import httpx

from devtools.speech_emulator import RunningEmulator
from tests.integration.emulator.batch_api import API_VERSION, body, headers, submit

LIST = "/speechtotext/transcriptions"


def listed(emulator: RunningEmulator, **params: Any) -> httpx.Response:
    return httpx.get(
        emulator.endpoint + LIST,
        params={"api-version": API_VERSION, **params},
        headers=headers(emulator),
        timeout=30,
    )


def named(emulator: RunningEmulator, url: str, name: str) -> dict[str, Any]:
    document = body(url)
    document["displayName"] = name
    answer = submit(emulator, document)
    assert answer.status_code == 201, answer.text
    entity: dict[str, Any] = answer.json()
    return entity


def test_a_display_name_filter_finds_only_that_transcription(echo: RunningEmulator, corpus_host: str) -> None:
    url = f"{corpus_host}/cards-001.wav"
    first = named(echo, url, "transcriber job a look 0")
    named(echo, url, "transcriber job b look 0")
    named(echo, url, "it's quoted")
    answer = listed(echo, filter="displayName eq 'transcriber job a look 0'")
    assert answer.status_code == 200
    assert [v["self"] for v in answer.json()["values"]] == [first["self"]]
    quoted = listed(echo, filter="displayName eq 'it''s quoted'").json()["values"]
    assert [v["displayName"] for v in quoted] == ["it's quoted"]
    others = listed(echo, filter="not displayName eq 'it''s quoted' and locale eq 'en-US'").json()["values"]
    assert len(others) == 2
    either = "displayName eq 'transcriber job a look 0' or displayName eq 'transcriber job b look 0'"
    assert len(listed(echo, filter=either).json()["values"]) == 2
    assert len(listed(echo, filter="createdDateTime ge 2020-01-01T00:00:00Z").json()["values"]) == 3


def test_the_list_pages_with_skip_top_and_a_next_link(echo: RunningEmulator, corpus_host: str) -> None:
    for n in range(3):
        named(echo, f"{corpus_host}/cards-001.wav", f"page {n}")
    page = listed(echo, top=2).json()
    assert len(page["values"]) == 2 and "api-version=2024-11-15" in page["@nextLink"]
    rest = httpx.get(page["@nextLink"], headers=headers(echo), timeout=30).json()
    assert len(rest["values"]) == 1 and "@nextLink" not in rest


def test_a_filter_outside_the_reference_is_a_400(echo: RunningEmulator) -> None:
    for bad in ("status gt 'Running'", "owner eq 'x'", "(status eq 'Running')", "displayName eq"):
        answer = listed(echo, filter=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["innerError"]["code"] == "InvalidQueryParameter"
