"""Peak memory of bytes mode for 200 MB of audio, a blob and an HTTP body, beside the old path.

Bytes mode: storage reached with a connection string (no SAS), so the app downloads the blob and
sends its bytes; Azurite and the Speech emulator over https, as Azure is. Each figure is the growth of the process's resident high-water mark (VmHWM)
during one transcription, in a fresh process after a warm-up one, divided by the audio's size.
The blob goes through the project's Functions host (Microsoft's runtime, SDK-type binding: the
host hands over a reference, never the content). The HTTP body is already in memory when the
core gets it (the host's copy is not the app's), so its figure is what the app adds on top.
"Before #12" runs the previous code path in the same process shape: `readall()` into bytes,
sent as `("audio", bytes)`.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys

from bench.peak_rss import peak_kb
from bench.stack import AUDIO, ROOT, local_stack, run_child, verdict
from transcriber.adapters.speech_models import transcription_options

SIZE = 200_000_000
GOAL = 1.3


def _wav(size: int) -> bytes:
    header = io.BytesIO()
    import numpy as np
    import soundfile as sf

    sf.write(header, np.zeros(16, dtype=np.int16), 16000, format="WAV", subtype="PCM_16")
    head = bytearray(header.getvalue()[:44])
    head[4:8] = (size - 8).to_bytes(4, "little")
    head[40:44] = (size - 44).to_bytes(4, "little")
    return bytes(head) + bytes(size - 44)


async def _old_path(service: object, info: object | None, body: bytes | None) -> None:
    """What transcribe_blob/transcribe_bytes did before #12: readall() and ("audio", bytes)."""
    from azure.ai.transcription.models import TranscriptionContent

    if info is not None:
        blob = service.store._client().get_blob_client(info.container, info.name)  # type: ignore[attr-defined]
        body = await (await blob.download_blob()).readall()
    client = service.speech._get_client()  # type: ignore[attr-defined]
    options = transcription_options(service.settings.defaults)
    await client.transcribe(TranscriptionContent(definition=options, audio=("audio", body)))


def _child(kind: str, mode: str) -> None:
    import warnings

    warnings.simplefilter("ignore", ResourceWarning)  # aiohttp's advice on big bytes bodies

    async def run() -> dict[str, float]:
        from devtools.functions_host import FunctionsHost
        from transcriber.domain.invocation import Invocation
        from transcriber.entry import warmup
        from transcriber.services import get_service

        host = FunctionsHost.start(ROOT)
        await asyncio.to_thread(warmup.join_warm_up)
        assert (await host.blob_event(AUDIO, "warm-up.wav")).status == "succeeded"
        service = get_service()
        body = _wav(SIZE) if kind == "http" else None
        before = peak_kb(reset=True)
        if mode == "before":
            info = await service.store.properties(AUDIO, "big.wav") if kind == "blob" else None
            await _old_path(service, info, body)
        elif kind == "blob":
            delivery = await host.blob_event(AUDIO, "big.wav")
            assert delivery.status == "succeeded", delivery.errors
        else:
            from transcriber.entry.http.transcribe import handle_transcribe

            headers = {"content-type": "audio/wav"}
            reply = await handle_transcribe(
                "https://app/api/transcribe", headers, body, Invocation("transcribe")
            )
            assert reply.status == 200, reply.body
        return {"growth_mb": (peak_kb() - before) / 1e3}

    print(json.dumps(asyncio.run(run())))


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    with local_stack(tls=True) as stack:
        assert stack.certs is not None
        admin = BlobServiceClient.from_connection_string(
            stack.azurite.connection_string, connection_verify=str(stack.certs.ca_bundle)
        )
        for container in (AUDIO, "transcripts"):
            admin.create_container(container)
        admin.get_blob_client(AUDIO, "warm-up.wav").upload_blob(_wav(1_000_000))
        admin.get_blob_client(AUDIO, "big.wav").upload_blob(_wav(SIZE), max_concurrency=4)
        env = stack.child_env(OUTPUT_FORMATS="txt", AUDIO_URL_THRESHOLD_BYTES=str(2**62))
        print(f"bytes mode, {SIZE / 1e6:.0f} MB of audio; peak RSS growth during one transcription")
        print(f"{'audio from':<12}{'before #12 MB':>15}{'x audio':>9}{'now MB':>9}{'x audio':>9}")
        for kind in ("blob", "http"):
            before = run_child("bench.bench_bytes_memory", env, kind, "before")["growth_mb"]
            now = run_child("bench.bench_bytes_memory", env, kind, "now")["growth_mb"]
            ratio = now * 1e6 / SIZE
            print(
                f"{kind:<12}{before:>15.0f}{before * 1e6 / SIZE:>8.2f}x{now:>9.0f}{ratio:>8.2f}x"
                f"  goal <= {GOAL}x: {verdict(ratio <= GOAL)}"
            )
        print("retried requests carry the whole audio: tests/app/test_audio_delivery.py (injected 503)")
        admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:4])
    else:
        main()
