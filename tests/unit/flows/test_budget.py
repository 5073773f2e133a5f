"""The audio budget on fakes: charged once before any Speech call, never overspent, a 429 beyond it."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.builders import World, blob_invocation, build, wav
from tests.unit.entry.http.owners_world import ALICE, API, BOB, entra_world, install
from tests.unit.errors import speech_throttled
from transcriber.adapters.telemetry import (
    METRIC_BUDGET_REFUNDED,
    METRIC_BUDGET_REFUSALS,
    METRIC_BUDGET_SECONDS,
    METRIC_DEFERRALS,
)
from transcriber.domain.audio_budget import APP_PAYER, BudgetKeys, reset_at
from transcriber.domain.blob_info import BlobInfo
from transcriber.domain.errors import BudgetExceededError
from transcriber.domain.names import claim_name
from transcriber.domain.owners import KEY_OWNER, Caller, owner_key
from transcriber.entry.http.edge import HttpReply, error_reply, key_in_query
from transcriber.entry.http.jobs import create_job
from transcriber.entry.http.transcribe import handle_transcribe
from transcriber.flows import budget
from transcriber.flows.blob import process_blob
from transcriber.flows.grants import record_grant
from transcriber.flows.status import blob_status

ONE_MINUTE = {"AUDIO_BUDGET_MINUTES_PER_DAY": "1"}
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def metrics(world: World, name: str) -> list[dict[str, str]]:
    return [dict(point.dimensions) for point in world.telemetry.metrics if point.name == name]


async def post_audio(caller: dict[str, str], audio: bytes) -> HttpReply:
    return await create_job(f"{API}/transcriptions", {"Content-Type": "audio/wav", **caller}, audio)


def used(world: World, owner: str, moment: datetime | None = None) -> int:
    keys = BudgetKeys.of(owner, moment or datetime.now(UTC))
    return world.budget.total(keys.partition, keys.usage_row) or 0


async def test_budget_charge_counts_seconds_and_a_second_charge_of_one_key_is_free() -> None:
    world = build(ONE_MINUTE)
    assert await budget.charge_seconds(world.service, "key", "version-a", 20, now=NOON)
    assert not await budget.charge_seconds(world.service, "key", "version-a", 20, now=NOON)
    assert used(world, "key", NOON) == 20
    assert metrics(world, METRIC_BUDGET_SECONDS) == [{"caller": "key"}]


async def test_budget_over_the_day_raises_with_the_reset_time_and_charges_nothing() -> None:
    world = build(ONE_MINUTE)
    await budget.charge_seconds(world.service, "key", "a", 50, now=NOON)
    with pytest.raises(BudgetExceededError) as raised:
        await budget.charge_seconds(world.service, "key", "b", 11, now=NOON)
    assert raised.value.reset_at == reset_at(NOON) == datetime(2026, 12, 8, tzinfo=UTC)
    assert raised.value.retry_after == 12 * 3600 and raised.value.fits
    assert used(world, "key", NOON) == 50
    assert metrics(world, METRIC_BUDGET_REFUSALS) == [{"caller": "key"}]


async def test_budget_resets_at_utc_midnight_and_keeps_callers_apart() -> None:
    world = build(ONE_MINUTE)
    await budget.charge_seconds(world.service, "key", "a", 60, now=NOON)
    assert await budget.charge_seconds(world.service, "entra:t/o", "a", 60, now=NOON)
    assert await budget.charge_seconds(world.service, "key", "a", 60, now=reset_at(NOON))


async def test_budget_table_holds_no_owner_in_clear() -> None:
    world = build(ONE_MINUTE)
    await budget.charge_seconds(world.service, "entra:tenant/alice", "a", 5)
    assert {partition for partition, _ in world.budget.rows} == {owner_key("entra:tenant/alice")}
    dimensions = metrics(world, METRIC_BUDGET_SECONDS)
    assert dimensions == [{"caller": "entra"}] and "alice" not in json.dumps(dimensions)


async def test_budget_off_reads_and_writes_no_table() -> None:
    world = build()
    assert world.service.budget is None
    assert not await budget.charge_seconds(world.service, "key", "a", 10**6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    limit_minutes=st.integers(min_value=1, max_value=5),
    charges=st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=24),
)
def test_budget_concurrent_charges_never_pass_the_budget(limit_minutes: int, charges: list[int]) -> None:
    """However the charges interleave, what is charged stays within the budget, and every charge
    refused would have passed it when it was refused."""
    world = build({"AUDIO_BUDGET_MINUTES_PER_DAY": str(limit_minutes)})
    limit = limit_minutes * 60

    async def one(index: int, seconds: int) -> int:
        try:
            await budget.charge_seconds(world.service, "key", f"c{index}", seconds, now=NOON)
        except BudgetExceededError:
            return 0
        return seconds

    async def run() -> list[int]:
        return await asyncio.gather(*(one(i, s) for i, s in enumerate(charges)))

    granted = asyncio.run(run())
    assert sum(granted) == used(world, "key", NOON) <= limit
    refused = [s for s, g in zip(charges, granted, strict=True) if g == 0]
    assert all(sum(granted) + s > limit for s in refused) or not refused


async def test_budget_blob_over_budget_waits_for_the_reset_without_a_speech_call() -> None:
    world = build(ONE_MINUTE)
    world.upload("long.wav", wav(seconds=61))
    outcome = await process_blob(world.service, "long.wav", blob_invocation())
    assert outcome.status == "failed"  # longer than a whole day's budget: no wait helps
    assert outcome.error is not None and outcome.error.code == "BudgetExceeded"
    etag = world.upload("short.wav", wav(seconds=40))
    assert (await process_blob(world.service, "short.wav", blob_invocation())).status == "transcribed"
    world.upload("next.wav", wav(seconds=40))
    requests = len(world.speech.requests)
    outcome = await process_blob(world.service, "next.wav", blob_invocation())
    assert outcome.status == "deferred" and len(world.speech.requests) == requests
    [message] = [m for m in world.jobs.messages if "next.wav" in m.text]
    assert (
        message.visible_at - time.monotonic()
        >= (reset_at(datetime.now(UTC)) - datetime.now(UTC)).total_seconds() - 5
    )
    assert metrics(world, METRIC_DEFERRALS)[-1] == {"reason": "budget"}
    assert world.outcome("short.wav", etag).transcribed and used(world, APP_PAYER) == 40


async def test_budget_blob_redelivered_is_charged_once() -> None:
    world = build(ONE_MINUTE)
    world.upload("a.wav", wav(seconds=30))
    await process_blob(world.service, "a.wav", blob_invocation())
    await process_blob(world.service, "a.wav", blob_invocation())
    assert used(world, APP_PAYER) == 30


async def test_budget_uploaded_blob_is_charged_to_its_grant_owner() -> None:
    world = build(ONE_MINUTE)
    await record_grant(world.service, Caller("entra:t/alice", sees_all=False), "uploads/a.wav")
    world.upload("uploads/a.wav", wav(seconds=30))
    await process_blob(world.service, "uploads/a.wav", blob_invocation())
    assert used(world, "entra:t/alice") == 30 and used(world, APP_PAYER) == 0


async def test_budget_http_transcribe_over_budget_is_429_with_reset_before_any_speech_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = install(build(ONE_MINUTE), monkeypatch, entra=False)
    headers = {"Content-Type": "audio/wav"}
    url = "https://app.example/api/transcribe"
    first = await handle_transcribe(url, headers, wav(seconds=45), blob_invocation())
    assert first.status == 200
    reply = await handle_transcribe(url, headers, wav(seconds=45), blob_invocation())
    error = json.loads(reply.body)["error"]
    assert reply.status == 429 and error["code"] == "BudgetExceeded"
    assert error["resetAt"].endswith("T00:00:00Z") and int(reply.headers["Retry-After"]) > 0
    assert len(world.speech.requests) == 1


async def test_budget_job_over_budget_is_429_and_stores_nothing_while_another_caller_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = entra_world(monkeypatch, ONE_MINUTE)
    assert (await post_audio(ALICE, wav(seconds=50))).status == 202
    refused = await post_audio(ALICE, wav(seconds=50))
    assert refused.status == 429 and json.loads(refused.body)["error"]["code"] == "BudgetExceeded"
    assert len(world.store.names(world.settings.audio_container, "jobs/")) == 1
    assert (await post_audio(BOB, wav(seconds=50))).status == 202


def test_budget_error_reply_carries_retry_after_and_reset_at() -> None:
    reply = error_reply(BudgetExceededError("spent", reset_at=reset_at(NOON), retry_after=42))
    assert reply.status == 429 and reply.headers["Retry-After"] == "42"
    assert json.loads(reply.body)["error"]["resetAt"] == "2026-12-08T00:00:00Z"


@pytest.mark.parametrize("query", ["code=abc", "format=text&code=", "CODE=x"])
def test_key_in_query_is_400_naming_the_header(query: str) -> None:
    reply = key_in_query(f"https://app.example/api/transcribe?{query}")
    assert reply is not None and reply.status == 400
    error = json.loads(reply.body)["error"]
    assert error["code"] == "KeyInQuery" and "x-functions-key" in error["message"]


def test_key_in_query_leaves_other_urls_alone() -> None:
    assert key_in_query("https://app.example/api/transcriptions?format=srt&limit=2") is None


async def test_budget_http_transcribe_throttled_by_speech_gives_the_seconds_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = install(build(ONE_MINUTE), monkeypatch, entra=False)
    world.faults.next_calls("transcribe", lambda: speech_throttled())
    url, headers = "https://app.example/api/transcribe", {"Content-Type": "audio/wav"}
    reply = await handle_transcribe(url, headers, wav(seconds=45), blob_invocation())
    assert reply.status == 429 and json.loads(reply.body)["error"]["code"] != "BudgetExceeded"
    assert used(world, KEY_OWNER) == 0  # refunded: the retry below still fits
    assert metrics(world, METRIC_BUDGET_REFUNDED) == [{"caller": "key"}]
    assert (await handle_transcribe(url, headers, wav(seconds=45), blob_invocation())).status == 200
    assert used(world, KEY_OWNER) == 45


async def test_budget_refund_is_once_however_often_it_is_asked() -> None:
    world = build(ONE_MINUTE)
    charge = await budget.charge_seconds(world.service, "key", "a", 30, now=NOON)
    await budget.charge_seconds(world.service, "key", "b", 20, now=NOON)
    await budget.refund(world.service, charge)
    await budget.refund(world.service, charge)
    assert used(world, "key", NOON) == 20


async def test_budget_backlog_waits_day_after_day_and_never_fails_for_waiting() -> None:
    world = build({**ONE_MINUTE, "MAX_DEFERRAL_HOURS": "1"})
    world.upload("first.wav", wav(seconds=50))
    await process_blob(world.service, "first.wav", blob_invocation())
    etag = world.upload("later.wav", wav(seconds=50))
    assert (await process_blob(world.service, "later.wav", blob_invocation())).status == "deferred"
    claim = world.claim("later.wav", etag)
    assert claim is not None and claim["deferredFor"] == "budget"
    # it has waited three days (longer than MAX_DEFERRAL_HOURS) and the budget is still spent
    info = BlobInfo(world.settings.audio_container, "later.wav", etag, 0, None)
    stored = world.store.blob(world.settings.failures_container, claim_name(info))
    assert stored is not None
    stored.data = json.dumps({**claim, "deferredSince": "2026-12-04T12:00:00.000+00:00"}).encode()
    assert await world.run_deferrals(rounds=1) == ["deferred"]
    again = world.claim("later.wav", etag)
    assert again is not None and again["deferrals"] == 2 and world.outcome("later.wav", etag).record is None
    status = await blob_status(world.service, "later.wav")
    assert status.deferred is not None and status.deferred["reason"] == "budget"
