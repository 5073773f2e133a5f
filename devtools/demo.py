"""`make demo`: the product's main job on the shipped sample, with no Azure account.

Starts Azurite and the Speech emulator on free loopback ports, uploads samples/jfk.wav to
`audio-in`, delivers the blob event through the local Functions host (Microsoft's runtime with
the SDK-type blob binding), prints the transcript read back from `transcripts/`, sends the same
file to the HTTP function with its function key, prints that answer, and stops everything it
started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from pathlib import Path

from azure.storage.blob import BlobServiceClient, ContentSettings

from devtools.azurite import Azurite
from devtools.functions_host import FunctionsHost
from devtools.speech_emulator import EmulatorConfig, running_emulator
from transcriber.services import reset_service

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "jfk.wav"
DEMO_KEY = "local-emulator-key"


# Where the emulator is far weaker than Azure AI Speech (docs/EMULATOR.md, "What is faithful").
EMULATOR_IS_WEAKER = (
    "Not Azure's accuracy: the emulator gets about 1 word in 4 wrong on real recordings, hears "
    "US English only (any locale), and tells speakers apart by channel loudness alone."
)


def _say(text: str = "") -> None:
    print(text, flush=True)


async def _run(host: FunctionsHost, storage: BlobServiceClient, sample: Path) -> None:
    name = sample.name
    audio = sample.read_bytes()
    _say(f"1. Upload {name} ({len(audio):,} bytes) to container audio-in")
    blob = storage.get_blob_client("audio-in", name)
    blob.upload_blob(audio, overwrite=True, content_settings=ContentSettings(content_type="audio/wav"))

    _say("2. Blob trigger: transcribe_blob (the host sends a reference to the blob, not its bytes)")
    delivery = await host.blob_event("audio-in", name)
    if delivery.status != "succeeded":
        raise SystemExit(f"the blob function did not succeed: {delivery.status} {delivery.errors}")
    transcripts = storage.get_container_client("transcripts")
    names = [b.name for b in transcripts.list_blobs()]
    _say("   transcripts/ now holds: " + ", ".join(names))
    if f"{name}.json" not in names:  # refused: the failure record says why
        failures = storage.get_container_client("transcription-failures")
        record = json.loads(failures.download_blob(f"failed/{name}.json").readall())
        _say(f"   the service refused it: {record['error']['code']}: {record['error']['message']}\n")
    else:
        text = transcripts.download_blob(f"{name}.txt").readall().decode()
        _say(f"   transcripts/{name}.txt:\n\n   {text.strip()}\n")
        srt = transcripts.download_blob(f"{name}.srt").readall().decode()
        _say("   first subtitle of " + f"transcripts/{name}.srt:\n\n" + _indent(srt.split("\n\n")[0]) + "\n")

    _say("3. HTTP trigger: POST /api/transcribe?format=text")
    response = await host.http(
        "POST",
        "http://localhost:7071/api/transcribe?format=text",
        audio,
        {"Content-Type": "audio/wav", "x-functions-key": host.keys.function_key},
    )
    _say(
        f"   HTTP {response.status_code} ({response.mimetype}):\n\n   {response.get_body().decode().strip()}\n"
    )
    page = await host.http("GET", "http://localhost:7071/")
    _say(f"4. The page: GET / answers HTTP {page.status_code} ({page.mimetype})")
    _say("   `make dev` serves it at http://127.0.0.1:7071/ (upload, follow, read, search, download)\n")
    await reset_service()
    if response.status_code != 200:
        raise SystemExit(f"the HTTP function answered {response.status_code}, not 200")


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", nargs="?", type=Path, default=SAMPLE, help="recording to transcribe")
    args = parser.parse_args(argv)
    # The host sets the root logger to INFO, as the worker does (every record reaches the host);
    # the console shows only warnings.
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("   %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(console)

    _say("Starting Azurite (storage) and the Speech emulator (offline pocketsphinx engine)...")
    _say(f"   {EMULATOR_IS_WEAKER}")
    with Azurite() as azurite, running_emulator(EmulatorConfig(key=DEMO_KEY)) as speech:
        _say(f"   Azurite blob endpoint  {azurite.blob_endpoint}")
        _say(f"   Speech endpoint        {speech.endpoint}\n")
        os.environ.update(
            {
                "AudioStorage": azurite.connection_string,
                "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
                "AZURE_SPEECH_ENDPOINT": speech.endpoint,
                "AZURE_SPEECH_API_KEY": DEMO_KEY,
                "AUDIO_BUDGET_MINUTES_PER_DAY": "1440",  # as infra deploys it: Azurite's table counts it
            }
        )
        host = FunctionsHost.start(ROOT)
        with BlobServiceClient.from_connection_string(azurite.connection_string) as storage:
            for container in ("audio-in", "transcripts"):
                storage.create_container(container)
            asyncio.run(_run(host, storage, args.audio))
    _say("Stopped Azurite and the Speech emulator. Done.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
