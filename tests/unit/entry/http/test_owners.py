"""Owners: an Entra ID caller sees only its own jobs and uploads; an admin and a key holder see all."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.builders import build, wav
from tests.unit.entry.http.owners_world import (
    ADMIN_CALLER,
    ALICE,
    BOB,
    KEY,
    ROLE,
    body,
    entra_world,
    get_job,
    get_list,
    install,
    post_blob_job,
    post_job,
    post_upload,
    principal,
)
from transcriber.domain.errors import InvalidRequestError
from transcriber.domain.job_fields import MAX_FILE_NAME_CHARS, check_file_name, uploaded_file_name
from transcriber.domain.owners import entra_owner, grant_name, owner_key
from transcriber.entry.http.jobs import create_job

MISSING = "0" * 32


async def test_owners_entra_caller_reads_its_own_job_and_another_callers_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = entra_world(monkeypatch)
    created = body(await post_job(ALICE, "?fileName=meeting.wav"))
    record = json.loads(
        world.store.blob(world.settings.failures_container, f"jobs/{created['id']}.json").data
    )
    assert record["owner"] == entra_owner("11111111-1111-1111-1111-111111111111", "alice")
    own = await get_job(ALICE, created["id"])
    assert own.status == 200 and own.headers["Cache-Control"] == "no-store"
    assert body(own)["fileName"] == "meeting.wav" and "owner" not in body(own)
    missing, others = await get_job(BOB, MISSING), await get_job(BOB, created["id"])
    assert (others.status, others.body) == (missing.status, missing.body) == (404, missing.body)
    assert body(others)["error"]["code"] == "JobNotFound"
    for fmt in ("json", "srt"):
        assert (await get_job(BOB, created["id"], f"?format={fmt}")).body == missing.body
    assert (await get_job(ADMIN_CALLER, created["id"])).status == 200


async def test_owners_short_claim_types_name_the_same_owner(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    created = body(await post_job(ALICE))
    assert (await get_job(principal("alice", ROLE, short=True), created["id"])).status == 200
    other_tenant = principal("alice", ROLE, tenant="22222222-2222-2222-2222-222222222222")
    assert (await get_job(other_tenant, created["id"])).status == 404


async def test_owners_principal_without_an_object_id_is_unauthorized(monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    reply = await get_list(principal("", ROLE))
    assert (reply.status, body(reply)["error"]["code"]) == (401, "Unauthorized")


async def test_owners_list_shows_each_caller_its_own_jobs_newest_first_in_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entra_world(monkeypatch)
    alice = []
    for i in range(5):
        alice.append(body(await post_job(ALICE, f"?fileName=a{i}.wav"))["id"])
        await asyncio.sleep(0.002)  # the index orders by the millisecond a job was created
    bob = [body(await post_job(BOB))["id"]]
    seen, cursor, pages = [], None, 0
    while True:
        reply = await get_list(ALICE, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200 and reply.headers["Cache-Control"] == "no-store"
        page = body(reply)
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        pages, cursor = pages + 1, page["next"]
        if cursor is None:
            break
    assert seen == list(reversed(alice)) and pages == 3
    first = body(await get_list(ALICE, "?limit=1"))["items"][0]
    assert (first["id"], first["fileName"], first["status"]) == (alice[-1], "a4.wav", "queued")
    assert [item["id"] for item in body(await get_list(BOB))["items"]] == bob
    everyone = [item["id"] for item in body(await get_list(ADMIN_CALLER))["items"]]
    assert set(everyone) == {*alice, *bob} and everyone[0] == bob[0]


async def test_owners_key_holders_are_one_tenant_that_sees_every_job(monkeypatch: pytest.MonkeyPatch) -> None:
    world = install(build(), monkeypatch, entra=False)
    created = body(await post_job(KEY))
    record = json.loads(
        world.store.blob(world.settings.failures_container, f"jobs/{created['id']}.json").data
    )
    assert record["owner"] == "key"
    assert [item["id"] for item in body(await get_list(KEY))["items"]] == [created["id"]]
    assert (await get_job(KEY, created["id"])).status == 200


@pytest.mark.parametrize("query", ["?limit=0", "?limit=101", "?limit=ten", "?cursor=" + "x" * 2049])
async def test_owners_list_refuses_a_bad_limit_or_cursor(query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entra_world(monkeypatch)
    assert (await get_list(ALICE, query)).status == 400


async def test_owners_blob_is_named_only_by_the_caller_it_was_granted_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = entra_world(monkeypatch)
    granted = body(await post_upload(ALICE, "talk.wav"))
    grant = json.loads(world.store.blob(world.settings.failures_container, grant_name(granted["blob"])).data)
    assert grant["owner"] == entra_owner("11111111-1111-1111-1111-111111111111", "alice")
    bobs = body(await post_upload(BOB, "talk.wav"))  # one name asked twice: two blobs
    assert bobs["blob"] != granted["blob"] and bobs["blob"].endswith("/talk.wav")
    world.upload(granted["blob"])
    world.upload("uploads/nobody.wav")
    assert (await post_blob_job(ALICE, granted["blob"])).status == 202
    missing = await post_blob_job(BOB, "uploads/not-there.wav")
    for name in (granted["blob"], "uploads/nobody.wav"):
        refused = await post_blob_job(BOB, name)
        assert (refused.status, refused.body) == (404, missing.body)
    assert (await post_blob_job(ADMIN_CALLER, "uploads/nobody.wav")).status == 202


async def test_owners_key_holder_names_any_blob(monkeypatch: pytest.MonkeyPatch) -> None:
    world = install(build(), monkeypatch, entra=False)
    world.upload("recordings/any.wav")
    assert (await post_blob_job(KEY, "recordings/any.wav")).status == 202


async def test_owners_multipart_file_name_is_kept_and_keep_audio_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = entra_world(monkeypatch)
    boundary = "b0undary"
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="keepAudio"\r\n\r\ntrue\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="C:\\\\rec\\\\Team call.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + wav()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **ALICE}
    reply = await create_job("https://app.example/api/transcriptions", headers, form)
    assert reply.status == 202, reply.body
    job_id = body(reply)["id"]
    record = json.loads(world.store.blob(world.settings.failures_container, f"jobs/{job_id}.json").data)
    assert (record["fileName"], record["keepAudio"]) == ("Team call.wav", True)
    refused = await post_job(ALICE, "?keepAudio=maybe")
    assert body(refused)["error"]["code"] == "InvalidRequest"


def test_owners_owner_key_is_fixed_length_and_names_no_identifier() -> None:
    owner = entra_owner("tenant-id", "object-id")
    key = owner_key(owner)
    assert len(key) == 32 and "tenant" not in key and "object" not in key and key != owner_key("key")


@given(st.text(max_size=300))
def test_owners_file_name_is_accepted_only_when_short_with_no_slash_or_control(value: str) -> None:
    acceptable = (
        0 < len(value) <= MAX_FILE_NAME_CHARS
        and "/" not in value
        and "\\" not in value
        and all(ord(c) >= 32 and not 0x7F <= ord(c) <= 0x9F and c not in "\u2028\u2029" for c in value)
        and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    )
    try:
        assert check_file_name(value) == value and acceptable
    except InvalidRequestError:
        assert not acceptable


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1), min_size=1))
def test_owners_uploaded_file_name_keeps_the_last_path_segment(segments: list[str]) -> None:
    path = "\\".join(segments)
    last = path.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        assert uploaded_file_name(path) == last
    except InvalidRequestError:
        assert not last or len(last) > MAX_FILE_NAME_CHARS or "\u2028" in last or "\u2029" in last
