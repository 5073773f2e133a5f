"""`python -m devtools.dev` (`make dev`): Azurite, the Speech emulator and the app on :7071."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from devtools.azurite import Azurite
from devtools.dev import console
from devtools.dev.front_end import build_front_end
from devtools.dev.host import DevHost
from devtools.dev.services import (
    Ports,
    allow_page_uploads,
    create_containers,
    create_queues,
    running_azurite,
    running_speech,
)
from devtools.dev.settings import (
    SAMPLE,
    dev_environment,
    dev_settings,
    ensure_local_settings,
    local_values,
    read_values,
)
from devtools.dev.watcher import BlobWatcher
from devtools.speech_emulator.config import ENGINES

ROOT = Path(__file__).resolve().parents[2]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    defaults = Ports()
    parser = argparse.ArgumentParser(prog="python -m devtools.dev", description=__doc__)
    parser.add_argument("--functions-port", type=int, default=defaults.functions)
    parser.add_argument("--azurite-blob-port", type=int, default=defaults.azurite_blob)
    parser.add_argument("--azurite-queue-port", type=int, default=defaults.azurite_queue)
    parser.add_argument("--azurite-table-port", type=int, default=defaults.azurite_table)
    parser.add_argument("--emulator-port", type=int, default=defaults.emulator)
    parser.add_argument(
        "--settings", type=Path, default=Path("local.settings.json"), help="local settings file"
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".azurite"), help="Azurite's data")
    parser.add_argument("--poll-seconds", type=float, default=1.0, help="how often audio-in is scanned")
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="pocketsphinx",
        help="the Speech emulator's engine (echo: a fixed transcript at once, for load and long recordings)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Warnings and errors only on the console, whatever level the runtime later gives the root
    # logger (it collects every record per invocation, azure-core's request lines included).
    console_handler = logging.StreamHandler()
    console_handler.setLevel(logging.WARNING)
    console_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(console_handler)
    ports = Ports(
        args.functions_port,
        args.azurite_blob_port,
        args.azurite_queue_port,
        args.azurite_table_port,
        args.emulator_port,
    )
    created = ensure_local_settings(args.settings, ROOT / SAMPLE)
    values = read_values(args.settings)
    key = os.environ.get("AZURE_SPEECH_API_KEY") or values.get("AZURE_SPEECH_API_KEY") or "local-emulator-key"
    with (
        running_azurite(ports, args.data_dir) as azurite,
        running_speech(ports.emulator, key, args.engine) as speech,
    ):
        env = dev_environment(values, connection_string=azurite.connection_string, speech_endpoint=speech)
        if env["AZURE_SPEECH_ENDPOINT"] == speech:
            env["AZURE_SPEECH_API_KEY"] = key
        local = local_values(env, connection_string=azurite.connection_string, speech_endpoint=speech)
        os.environ.update(env)
        containers = [
            env.get("AUDIO_CONTAINER") or "audio-in",
            env.get("TRANSCRIPTS_CONTAINER") or "transcripts",
            env.get("FAILURES_CONTAINER") or "transcription-failures",
        ]
        create_containers(env["AudioStorage"], containers)
        allow_page_uploads(env["AudioStorage"], ports.functions)
        host = DevHost.start(ROOT)
        create_queues(env["AudioStorage"], host.queues)  # as infra creates them (and their poison queues)
        with dev_settings(args.settings.parent, local) as written:
            _banner(args, created, ports, azurite, speech, env, host, written)
            asyncio.run(_serve(host, ports.functions, env["AudioStorage"], args.poll_seconds))
    console.say("Stopped the app, the Speech emulator and Azurite.")
    return 0


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: make dev decides how Ctrl-C stops everything."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve(host: DevHost, port: int, connection: str, poll_seconds: float) -> None:
    watcher = BlobWatcher(host, connection, interval=poll_seconds)
    config = uvicorn.Config(
        build_front_end(host), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = _Server(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    watching = asyncio.create_task(watcher.run())
    listening = [asyncio.create_task(host.listen(name, max_interval=poll_seconds)) for name in host.queues]
    announce = asyncio.create_task(_announce_when_started(server, port))
    tasks = [watching, *listening, announce]
    try:
        await server.serve()
    finally:
        console.say("\nStopping...")
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        from transcriber.services import reset_service

        await reset_service()


async def _announce_when_started(server: uvicorn.Server, port: int) -> None:
    while not server.started:
        await asyncio.sleep(0.05)
    console.say(f"Ready: http://127.0.0.1:{port}/ (the page; the API under /api; Ctrl-C stops everything)\n")


def _banner(
    args: argparse.Namespace,
    created: bool,
    ports: Ports,
    azurite: Azurite,
    speech_endpoint: str,
    env: dict[str, str],
    host: DevHost,
    written: Path,
) -> None:
    base = f"http://127.0.0.1:{ports.functions}"
    made = f" (created from {SAMPLE})" if created else ""
    console.say("make dev: the Function App with local storage and speech, as `func start` runs it")
    console.say(f"  settings    {args.settings}{made}")
    console.say(f"              {written}: these ports, for python -m transcriber (removed on exit)")
    console.say(f"  Azurite     blob {azurite.blob_endpoint}, queue {azurite.queue_endpoint}")
    console.say(f"              table port {ports.azurite_table}, data in {azurite.location}/")
    console.say(f"              Storage tools: AZURE_STORAGE_CONNECTION_STRING='{azurite.connection_string}'")
    console.say(
        f"  Speech      {env['AZURE_SPEECH_ENDPOINT']}"
        + (
            f" (emulator, {args.engine})"
            if env["AZURE_SPEECH_ENDPOINT"] == speech_endpoint
            else f" (emulator also on {speech_endpoint})"
        )
    )
    console.say(
        f"  containers  {host.blob_container} (watched every {args.poll_seconds:g} s), "
        f"{env.get('TRANSCRIPTS_CONTAINER') or 'transcripts'}, {env.get('FAILURES_CONTAINER') or 'transcription-failures'}"
    )
    console.say("\nFunctions:")
    for route in host.routes:
        console.say(f"  {route.function}: [{','.join(sorted(route.methods))}] {base}{route.template}")
    if host.blob_function:
        console.say(f"  {host.blob_function}: blobTrigger {host.blob_path}")
    for function, queue in host.queues.items():
        console.say(f"  {function}: queueTrigger {queue}")
    upload = "make upload FILE=samples/jfk.wav" + (
        f" FUNCTIONS_PORT={ports.functions}" if ports.functions != Ports().functions else ""
    )
    console.say(
        "\nTry:\n  curl -X POST -H 'Content-Type: audio/wav' --data-binary @samples/jfk.wav "
        f"'{base}/api/transcribe?format=srt'\n"
        f"  {upload}    # into {host.blob_container} through /api/uploads, then transcribed\n"
        "  .venv/bin/python -m transcriber transcribe samples/jfk.wav --format srt\n"
    )


if __name__ == "__main__":
    sys.exit(main())
