"""Peak memory of the blob path for a 100 MB blob against a 1 MB blob, by URL and by bytes.

Production shape: managed identity (local token endpoint), Azurite over https with OAuth, the
Speech emulator over https requiring tokens (`echo` engine: no decoding, so only the app's own
costs show). Each measurement runs the blob function in a fresh process after a warm-up
transcription, and reports the Python heap peak (tracemalloc) and the growth of the process's
resident high-water mark during that one invocation. By URL the app hands Speech a read-only
user-delegation SAS URL and never touches the audio, so neither figure should grow with size.
(The host's InputStream is passed empty: the app never reads it.)
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"1 MB": 1_000_000, "100 MB": 100_000_000}
AUDIO = "audio-in"


def _wav(size: int) -> bytes:
    import numpy as np
    import soundfile as sf

    buffer = io.BytesIO()
    sf.write(buffer, np.zeros((size - 44) // 2, dtype=np.int16), 16000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _child(name: str) -> None:
    """Runs in a fresh process: warm up, then measure one invocation."""
    import function_app
    from devtools.functions_host import FunctionsHost

    host = FunctionsHost(function_app.app)

    async def run() -> dict[str, float]:
        await host.blob_event("transcribe_blob", AUDIO, "warm-up.wav")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        await host.blob_event("transcribe_blob", AUDIO, name)
        heap_peak = tracemalloc.get_traced_memory()[1]
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"heap_peak_mb": heap_peak / 1e6, "rss_growth_mb": (after - before) / 1e3}

    print(json.dumps(asyncio.run(run())))


def _measure(env: dict[str, str], name: str, delivery: str, threshold: int) -> dict[str, float]:
    child_env = {
        **env,
        "AUDIO_URL_THRESHOLD_BYTES": str(threshold),
        "TRANSCRIPTS_CONTAINER": f"out-{delivery}",
    }
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_memory", "--child", name],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"measurement of {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from azure.storage.blob import BlobServiceClient

    from devtools.azurite import Azurite
    from devtools.certs import create_tls_certificates
    from devtools.speech_emulator import EmulatorConfig, running_emulator
    from devtools.token_server import TokenServer

    with tempfile.TemporaryDirectory() as tmp:
        certs = create_tls_certificates(Path(tmp))
        emulator_config = EmulatorConfig(
            engine="echo", cert_file=certs.cert, key_file=certs.key, refuse_keys=True, ca_file=certs.ca_bundle
        )
        with (
            Azurite(certs=certs, oauth=True) as azurite,
            TokenServer() as tokens,
            running_emulator(emulator_config) as speech,
        ):
            admin = BlobServiceClient.from_connection_string(
                azurite.connection_string, connection_verify=str(certs.ca_bundle)
            )
            for container in (AUDIO, "out-url", "out-bytes"):
                admin.create_container(container)
            admin.get_blob_client(AUDIO, "warm-up.wav").upload_blob(_wav(SIZES["1 MB"]))
            for label, size in SIZES.items():
                admin.get_blob_client(AUDIO, f"{label}.wav").upload_blob(_wav(size), max_concurrency=4)
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("AudioStorage", "AZURE_SPEECH"))},
                **tokens.env(),
                **certs.client_env(),
                "AudioStorage__blobServiceUri": azurite.blob_endpoint,
                "AudioStorage__queueServiceUri": azurite.queue_endpoint,
                "AudioStorage__credential": "managedidentity",
                "AZURE_SPEECH_ENDPOINT": speech.endpoint,
                "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
                "OUTPUT_FORMATS": "txt",
            }
            print(f"{'delivery':<10}{'blob':>8}{'heap peak MB':>15}{'RSS growth MB':>15}")
            results = {}
            for delivery, threshold in (("url", 0), ("bytes", 2**62)):
                for label in SIZES:
                    figures = _measure(env, f"{label}.wav", delivery, threshold)
                    if not admin.get_blob_client(f"out-{delivery}", f"{label}.wav.json").exists():
                        raise RuntimeError(f"{label}.wav was not transcribed by {delivery}")
                    results[delivery, label] = figures
                    print(
                        f"{delivery:<10}{label:>8}{figures['heap_peak_mb']:>15.1f}{figures['rss_growth_mb']:>15.1f}"
                    )
            ratio = results["url", "100 MB"]["heap_peak_mb"] / max(
                results["url", "1 MB"]["heap_peak_mb"], 1e-6
            )
            print(f"by URL, heap peak 100 MB / 1 MB blob: {ratio:.2f}x (the blob is 100x larger)")
            admin.close()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        main()
