"""HTTP request bodies count against AUDIO_MEMORY_BYTES while their request runs, and a multipart
file reaches Speech and storage as a view into the body, never a copy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.builders import build, wav
from tests.unit.entry.http.owners_world import install
from transcriber.domain.invocation import Invocation
from transcriber.entry.http.jobs import create_job
from transcriber.entry.http.transcribe import handle_transcribe

API = "https://app.example/api"


def multipart(audio: bytes) -> tuple[dict[str, str], bytes]:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n\r\n'
        + audio
        + b"\r\n--b--\r\n"
    )
    return {"Content-Type": "multipart/form-data; boundary=b"}, body


async def test_a_transcribe_body_is_charged_while_speech_has_it_and_sent_uncopied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = install(build(), monkeypatch, entra=False)
    headers, body = multipart(wav(2.0))
    seen: list[tuple[int, Any]] = []
    original = world.speech.transcribe

    async def transcribe(audio: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((world.service.audio_memory.in_use, audio))
        return await original(audio, *args, **kwargs)

    monkeypatch.setattr(world.speech, "transcribe", transcribe)
    reply = await handle_transcribe(f"{API}/transcribe", headers, body, Invocation("transcribe"))
    assert reply.status == 200, reply.body
    ((in_use, audio),) = seen
    assert in_use == len(body) and world.service.audio_memory.in_use == 0
    assert isinstance(audio, memoryview) and audio.obj is body


async def test_a_job_body_is_charged_while_its_audio_is_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    world = install(build(), monkeypatch, entra=False)
    headers, body = multipart(wav(2.0))
    seen: list[int] = []
    original = world.store.write

    async def write(container: str, name: str, data: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(data, memoryview):
            seen.append(world.service.audio_memory.in_use)
        return await original(container, name, data, *args, **kwargs)

    monkeypatch.setattr(world.store, "write", write)
    reply = await create_job(f"{API}/transcriptions", headers, body)
    assert reply.status == 202, reply.body
    assert seen == [len(body)] and world.service.audio_memory.in_use == 0
