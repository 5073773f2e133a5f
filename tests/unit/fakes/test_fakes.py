"""The fakes answer as the real clients do (Azurite's conditional headers, the translated errors)."""

from __future__ import annotations

import pytest

from tests.unit.builders import World
from tests.unit.errors import storage_busy
from transcriber.domain.errors import (
    BlobNotFoundError,
    ConditionNotMetError,
    ContainerMissingError,
    InvalidBlobNameError,
    ServiceError,
)


async def test_conditional_writes_refuse_as_azurite_does(world: World) -> None:
    store, failures = world.store, world.settings.failures_container
    await store.ensure_containers((failures,), create=True)
    etag = await store.write(failures, "claims/a.json", "{}", "application/json", if_absent=True)
    assert etag.startswith('"') and etag.endswith('"')
    with pytest.raises(ConditionNotMetError):  # 409 BlobAlreadyExists
        await store.write(failures, "claims/a.json", "{}", "application/json", if_absent=True)
    with pytest.raises(ConditionNotMetError):  # 412 for a missing blob too
        await store.write(failures, "claims/b.json", "{}", "application/json", if_etag=etag)
    newer = await store.write(
        failures, "claims/a.json", '{"n": 1}', "application/json", if_etag=etag.strip('"')
    )
    with pytest.raises(ConditionNotMetError):
        await store.write(failures, "claims/a.json", "{}", "application/json", if_etag=etag)
    assert await store.delete(failures, "claims/a.json", if_etag=etag) is False
    record, read_etag, _ = await store.read_record(failures, "claims/a.json")
    assert (record, read_etag) == ({"n": 1}, newer)
    assert await store.delete(failures, "claims/a.json", if_etag=newer) is True
    assert await store.delete(failures, "claims/a.json") is False
    assert await store.read_record(failures, "claims/a.json") is None


async def test_reads_of_a_replaced_version_fail_and_missing_things_are_not_found(world: World) -> None:
    store, audio = world.store, world.settings.audio_container
    world.upload("v.wav")
    info = await store.properties(audio, "v.wav")
    world.upload("v.wav")
    with pytest.raises(ServiceError) as replaced:  # 412 where the client expects none: transient
        await store.download(info)
    assert replaced.value.transient
    with pytest.raises(BlobNotFoundError):
        await store.properties(audio, "other.wav")
    with pytest.raises(BlobNotFoundError):  # ContainerNotFound
        await store.write(world.settings.transcripts_container, "x.json", "{}", "application/json")
    with pytest.raises(ContainerMissingError):
        await store.ensure_containers((world.settings.transcripts_container,), create=False)


async def test_names_and_containers_are_checked_before_any_request(world: World) -> None:
    with pytest.raises(InvalidBlobNameError):
        await world.store.properties(world.settings.audio_container, "a/../b.wav")
    with pytest.raises(InvalidBlobNameError):
        await world.store.read_json("someone-elses", "x.json")
    assert world.faults.calls["properties"] == world.faults.calls["read_record"] == 0


async def test_a_fault_after_the_request_keeps_its_effect(world: World) -> None:
    audio = world.settings.audio_container
    world.faults.next_calls("write", storage_busy, after=True)
    with pytest.raises(ServiceError):
        await world.store.write(audio, "kept.wav", b"x", "audio/wav", if_absent=True)
    assert world.store.blob(audio, "kept.wav") is not None
    spared = world.faults.calls["write"] + 1
    world.faults.on_call("write", spared, storage_busy, spare=lambda name: name.endswith(".wav"))
    await world.store.write(audio, "spared.wav", b"x", "audio/wav")
    assert [f.call for f in world.faults.injected] == [spared - 1]
