"""Erasure on fakes: a deleted recording takes its transcript set and failure record with it."""

from __future__ import annotations

import asyncio

from tests.unit.builders import TRANSCRIPT_FORMATS, World, blob_invocation
from transcriber.domain.speakers import speakers_name
from transcriber.flows.blob import process_blob
from transcriber.flows.erasure import erase_transcripts


async def test_erasure_deletes_the_set_and_is_idempotent(world: World) -> None:
    world.upload("gone.wav")
    await process_blob(world.service, "gone.wav", blob_invocation())
    world.store.remove(world.settings.audio_container, "gone.wav")
    first = await erase_transcripts(world.service, "gone.wav")
    assert first.status == "erased"
    assert sorted(first.deleted) == sorted(f"gone.wav.{fmt}" for fmt in TRANSCRIPT_FORMATS)
    assert world.store.names(world.settings.transcripts_container) == []
    again = await erase_transcripts(world.service, "gone.wav")  # a duplicate event
    assert (again.status, again.deleted) == ("erased", [])


async def test_erasure_deletes_the_failure_record_too(world: World) -> None:
    world.upload("bad.wav", b"not audio at all", "text/plain")
    await process_blob(world.service, "bad.wav", blob_invocation())
    world.store.remove(world.settings.audio_container, "bad.wav")
    assert (await erase_transcripts(world.service, "bad.wav")).deleted == ["failed/bad.wav.json"]


async def test_erasure_deletes_the_speaker_names_too(world: World) -> None:
    world.upload("named.wav")
    await process_blob(world.service, "named.wav", blob_invocation())
    names = speakers_name("named.wav")
    world.store.upload(
        world.settings.failures_container, names, b'{"speakers": {"1": "Alice"}}', "application/json"
    )
    world.store.remove(world.settings.audio_container, "named.wav")
    assert names in (await erase_transcripts(world.service, "named.wav")).deleted
    assert world.store.blob(world.settings.failures_container, names) is None


async def test_a_recording_uploaded_again_keeps_its_transcripts(world: World) -> None:
    world.upload("again.wav")
    await process_blob(world.service, "again.wav", blob_invocation())
    world.store.remove(world.settings.audio_container, "again.wav")
    etag = world.upload("again.wav")  # re-uploaded before the BlobDeleted event is handled
    await process_blob(world.service, "again.wav", blob_invocation())
    assert (await erase_transcripts(world.service, "again.wav")).status == "kept"
    assert world.outcome("again.wav", etag).transcripts == TRANSCRIPT_FORMATS


async def test_a_recording_deleted_while_it_is_transcribed_leaves_nothing_behind(world: World) -> None:
    world.upload("brief.wav")
    world.speech.delay = 0.05
    delivery = asyncio.ensure_future(process_blob(world.service, "brief.wav", blob_invocation()))
    while not world.speech.requests:
        await asyncio.sleep(0.005)
    world.store.remove(world.settings.audio_container, "brief.wav")
    erased_early = await erase_transcripts(world.service, "brief.wav")  # its event, handled at once
    assert erased_early.deleted == []
    assert (await delivery).status == "gone"  # the flow saw the deletion once it had written
    assert world.store.names(world.settings.transcripts_container) == []
    assert world.store.names(world.settings.failures_container, "failed/") == []
