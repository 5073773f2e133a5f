"""Azurite and the Speech emulator for `make dev`, on the ports the make variables give."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from devtools.azurite import ACCOUNT_KEY, ACCOUNT_NAME, Azurite
from devtools.local_services import LOOPBACK, ChildService, ServiceError, answers_tcp

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ports:
    functions: int = 7071
    azurite_blob: int = 10000
    azurite_queue: int = 10001
    azurite_table: int = 10002
    emulator: int = 5055


def connection_string(blob: int, queue: int, table: int) -> str:
    """What `UseDevelopmentStorage=true` means, on these ports."""
    base = "http://127.0.0.1:{}/" + ACCOUNT_NAME
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint={base.format(blob)};QueueEndpoint={base.format(queue)};TableEndpoint={base.format(table)};"
    )


@contextlib.contextmanager
def running_azurite(ports: Ports, data_dir: Path) -> Iterator[Azurite]:
    """Azurite keeping its data in `data_dir` (uploads survive a restart), stopped on exit."""
    azurite = Azurite(ports=(ports.azurite_blob, ports.azurite_queue, ports.azurite_table), location=data_dir)
    with azurite:
        yield azurite


@contextlib.contextmanager
def running_speech(port: int, key: str, engine: str = "pocketsphinx") -> Iterator[str]:
    """The Speech emulator (`engine`: pocketsphinx or echo) accepting `key`, as a child in its own
    process group: a Ctrl-C meant for make dev does not reach its decoder processes; it is
    stopped on exit."""
    command = [sys.executable, "-m", "devtools.speech_emulator", "--host", LOOPBACK, "--port", str(port)]
    command += ["--engine", engine]
    with ChildService(
        "the Speech emulator", [*command, f"--key={key}", "--log-level", "warning"], cwd=ROOT
    ) as speech:
        try:
            speech.wait_until(lambda: answers_tcp(LOOPBACK, port), timeout=60)
        except ServiceError as exc:
            raise SystemExit(str(exc)) from exc
        speech.on_line = _forward  # its warnings on our stderr from now on
        yield f"http://{LOOPBACK}:{port}"


def _forward(line: str) -> None:
    print(f"speech emulator: {line.rstrip()}", file=sys.stderr, flush=True)


def create_containers(connection: str, names: list[str]) -> list[str]:
    """Create the containers the app uses; returns those that were new."""
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobServiceClient

    created = []
    with BlobServiceClient.from_connection_string(connection) as client:
        for name in names:
            with contextlib.suppress(ResourceExistsError):
                client.create_container(name)
                created.append(name)
    return created


# What the page's PUT to an upload URL sends (transcriber/web/api.js), as infra's CORS rule allows it.
UPLOAD_CORS_HEADERS = ["content-type", "if-none-match", "x-ms-blob-type"]


def allow_page_uploads(connection: str, port: int) -> None:
    """The CORS rule infra sets on the audio account, for the page at http://127.0.0.1:<port>:
    only PUT, only the upload's headers (Azurite refuses any other origin's preflight, as storage does)."""
    from azure.storage.blob import BlobServiceClient, CorsRule

    rule = CorsRule(
        [f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
        ["PUT"],
        allowed_headers=UPLOAD_CORS_HEADERS,
        exposed_headers=["etag"],
        max_age_in_seconds=3600,
    )
    with BlobServiceClient.from_connection_string(connection) as client:
        client.set_service_properties(cors=[rule])


def create_queues(connection: str, functions: dict[str, str]) -> None:
    """The queue-triggered functions' queues and their poison queues, as infra creates them."""
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.queue import QueueServiceClient

    with QueueServiceClient.from_connection_string(connection) as client:
        for queue in functions.values():
            for name in (queue, f"{queue}-poison"):
                with contextlib.suppress(ResourceExistsError):
                    client.create_queue(name)
