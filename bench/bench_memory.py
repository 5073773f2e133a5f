"""Peak memory of the blob path, URL mode: a 200 MB blob against a 1 MB blob.

Production shape: managed identity (local token endpoint), Azurite over https with OAuth, the
Speech emulator over https requiring tokens (`echo` engine: no decoding, so only the app's own
costs show), and the blob event delivered by the local Functions host through Microsoft's
runtime with the SDK-type binding, so the worker receives a reference, never the content. Each
measurement runs in a fresh process: start the host, one warm-up delivery, then the measured
one. It reports the process's peak RSS (VmHWM), its growth during the measured delivery,
and the Python heap peak (tracemalloc). In URL mode the app hands Speech a read-only
user-delegation SAS URL and never touches the audio, so the peaks should match within 10 MB.

For comparison the same job runs once more bound to `func.InputStream` (the binding this app
used before): the host then reads the whole blob and sends its bytes in the InvocationRequest.
Here host and worker share one process, so that row holds the host's copy too; in Azure the
host's copy lives in its own process, next to the worker's.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1 MB": 1_000_000, "200 MB": 200_000_000}
AUDIO = "audio-in"
INPUT_STREAM_APP = """
import azure.functions as func

from transcriber.domain.invocation import Invocation

app = func.FunctionApp()


@app.blob_trigger(arg_name="blob", path="audio-in/{name}", connection="AudioStorage",
                  source=func.BlobSource.LOGS_AND_CONTAINER_SCAN)
async def transcribe_blob(blob: func.InputStream, context: func.Context) -> None:
    from transcriber.entry.triggers import handle_blob

    name = (blob.name or "").split("/", 1)[-1]
    await handle_blob(name, Invocation(context.function_name, context.invocation_id))
"""


def _wav(size: int) -> bytes:
    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros((size - 44) // 2, dtype=np.int16), 16000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _peak_rss_mb() -> float:
    """This process's resident high-water mark (VmHWM). ru_maxrss would not do: it keeps the
    parent's high-water mark across fork and exec, and the parent made the 200 MB test blob."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _child(name: str) -> None:
    """Runs in a fresh process: start the host, warm up, then measure one delivery."""
    from devtools.functions_host import FunctionsHost

    host = FunctionsHost.start(os.environ.get("BENCH_APP_DIR") or ROOT)

    async def run() -> dict[str, float]:
        if (await host.blob_event(AUDIO, "warm-up.wav")).status != "succeeded":
            raise RuntimeError("warm-up delivery failed")
        before = _peak_rss_mb()
        tracemalloc.start()
        delivery = await host.blob_event(AUDIO, name)
        heap_peak = tracemalloc.get_traced_memory()[1]
        after = _peak_rss_mb()
        if delivery.status != "succeeded":
            raise RuntimeError(f"{name}: {delivery.status} {delivery.errors}")
        return {"peak_rss_mb": after, "rss_growth_mb": after - before, "heap_peak_mb": heap_peak / 1e6}

    print(json.dumps(asyncio.run(run())))


def _measure(
    env: dict[str, str], name: str, delivery: str, threshold: int, app_dir: Path | None = None
) -> dict[str, float]:
    child_env = {
        **env,
        **({"BENCH_APP_DIR": str(app_dir)} if app_dir else {}),
        "AUDIO_URL_THRESHOLD_BYTES": str(threshold),
        "TRANSCRIPTS_CONTAINER": f"out-{delivery}",
    }
    from bench.stack import run_child

    return run_child("bench.bench_memory", child_env, name)


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    from bench.stack import identity_stack

    with identity_stack() as (certs, azurite, identity_env), tempfile.TemporaryDirectory() as tmp:
        admin = BlobServiceClient.from_connection_string(
            azurite.connection_string, connection_verify=str(certs.ca_bundle)
        )
        for container in (AUDIO, "out-url", "transcription-failures"):  # identity: the app creates none
            admin.create_container(container)
        admin.get_blob_client(AUDIO, "warm-up.wav").upload_blob(_wav(SIZES["1 MB"]))
        for label, size in SIZES.items():
            admin.get_blob_client(AUDIO, f"{label}.wav").upload_blob(_wav(size), max_concurrency=4)
        env = {**identity_env, "OUTPUT_FORMATS": "txt"}
        print(f"{'URL mode':<10}{'blob':>8}{'peak RSS MB':>14}{'RSS growth MB':>15}{'heap peak MB':>14}")
        results = {}
        for label in SIZES:
            figures = _measure(env, f"{label}.wav", "url", 0)
            if not admin.get_blob_client("out-url", f"{label}.wav.json").exists():
                raise RuntimeError(f"{label}.wav was not transcribed")
            results[label] = figures
            print(
                f"{'url':<10}{label:>8}{figures['peak_rss_mb']:>14.1f}"
                f"{figures['rss_growth_mb']:>15.1f}{figures['heap_peak_mb']:>14.1f}"
            )
        small, large = results["1 MB"]["peak_rss_mb"], results["200 MB"]["peak_rss_mb"]
        print(f"URL mode peak RSS, 200 MB blob - 1 MB blob: {large - small:+.1f} MB (target: within 10 MB)")
        legacy = Path(tmp) / "inputstream-app"
        legacy.mkdir()
        (legacy / "function_app.py").write_text(INPUT_STREAM_APP)
        (legacy / "host.json").write_text((ROOT / "host.json").read_text())
        admin.create_container("out-inputstream")
        figures = _measure(env, "200 MB.wav", "inputstream", 0, legacy)
        print(
            "for comparison, func.InputStream, 200 MB blob, host and worker in one process: "
            f"peak RSS {figures['peak_rss_mb']:.1f} MB ({figures['peak_rss_mb'] - large:+.1f} MB)"
        )
        admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        main()
