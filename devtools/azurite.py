"""Run Azurite (the Azure Storage emulator) as a child process on OS-assigned loopback ports.

Azurite is started with port 0 and reports the ports it got ("... successfully listening at
http://127.0.0.1:40673"), so nothing races for a pre-picked port. It runs in its own process
group and dies with the thread that started it (see `devtools.local_services`), so a crashed
or killed test run leaves no Azurite behind. `python -m devtools.azurite` runs one until Ctrl-C.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import signal
import ssl
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from devtools.certs import TLSCertificates, create_tls_certificates
from devtools.local_services import ChildService, ServiceError, answers_http

logger = logging.getLogger(__name__)

__all__ = ["ACCOUNT_KEY", "ACCOUNT_NAME", "Azurite", "AzuriteError", "find_azurite"]

ACCOUNT_NAME = "devstoreaccount1"
# Azurite's documented, public development key: it protects nothing.
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_EXECUTABLE_ENV = "AZURITE_EXECUTABLE"
_REPO_AZURITE = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / "azurite"
_LISTENING = re.compile(r"Azurite (Blob|Queue|Table) service is successfully listening at (\S+)")


class AzuriteError(ServiceError):
    """Azurite could not be found or did not become ready; the message carries its output."""


def find_azurite(executable: str | os.PathLike[str] | None = None) -> Path:
    """Locate the Azurite launcher: argument, then $AZURITE_EXECUTABLE, node_modules, PATH."""
    candidate = executable or os.environ.get(AZURITE_EXECUTABLE_ENV)
    if candidate:
        return Path(candidate)
    if _REPO_AZURITE.exists():
        return _REPO_AZURITE
    found = shutil.which("azurite")
    if found is None:
        raise AzuriteError(f"azurite not found: run `npm ci` (expected {_REPO_AZURITE})")
    return Path(found)


class Azurite:
    """One Azurite process serving blob, queue and table (the audio budget's), each on its own port.

    Use as a context manager or call `start()`/`stop()`. With `certs` it serves https, and
    `oauth=True` adds `--oauth basic` (bearer JWTs checked for issuer, audience and lifetime).
    Start it from a long-lived thread: the Linux parent-death signal is tied to that thread.
    With `location` it persists to that folder (relative to the caller's working directory)
    instead of memory, and `restart()` brings it back on the same ports with the same data (a
    storage outage, as clients see one).
    """

    account_name = ACCOUNT_NAME
    account_key = ACCOUNT_KEY

    def __init__(
        self,
        *,
        certs: TLSCertificates | None = None,
        oauth: bool = False,
        loose: bool = True,
        host: str = "127.0.0.1",
        executable: str | os.PathLike[str] | None = None,
        startup_timeout: float = 30.0,
        log_lines: int = 2000,
        location: Path | None = None,
        ports: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        if oauth and certs is None:
            raise ValueError("Azurite's --oauth needs https: pass certs")
        self.certs = certs
        self.oauth = oauth
        self.loose = loose
        self.host = host
        self.executable = find_azurite(executable)
        self.startup_timeout = startup_timeout
        # Azurite runs in the temp folder (below): a relative --location would put the data there.
        self.location = Path(location).absolute() if location is not None else None
        # blob, queue, table: a given port is kept; 0 lets the OS choose (and a restart reuses it)
        self._ports: dict[str, str] = {
            service: str(port)
            for service, port in zip(("blob", "queue", "table"), ports, strict=True)
            if port
        }
        self.log_lines = log_lines
        self._endpoints: dict[str, str] = {}
        self._service: ChildService | None = None
        self._log = ""  # the last run's output, once stopped

    # -- lifecycle -------------------------------------------------------------------------
    def command(self) -> list[str]:
        """The Azurite command line: ports 0 (or those of the last run), in-memory, no telemetry."""
        persistence = ["--location", str(self.location)] if self.location else ["--inMemoryPersistence"]
        args = [str(self.executable), *persistence, "--disableTelemetry", "--skipApiVersionCheck"]
        for service in ("blob", "queue", "table"):
            args += [f"--{service}Host", self.host, f"--{service}Port", self._ports.get(service, "0")]
        if self.loose:
            args.append("--loose")
        if self.certs is not None:
            args += ["--cert", str(self.certs.cert), "--key", str(self.certs.key)]
        if self.oauth:
            args += ["--oauth", "basic"]
        return args

    def start(self) -> Azurite:
        """Start Azurite and return once both endpoints answer HTTP, or raise `AzuriteError`."""
        if self._service is not None:
            raise AzuriteError("Azurite already started")
        self._endpoints.clear()
        # In-memory persistence writes no files; a neutral cwd keeps any stray log out of the repo.
        if self.location is not None:
            self.location.mkdir(parents=True, exist_ok=True)
        self._service = ChildService(
            "Azurite",
            self.command(),
            cwd=tempfile.gettempdir(),
            log_lines=self.log_lines,
            on_line=self._read_line,
            output_logger=logger,
        ).start()
        try:
            self._service.wait_until(self._answers, self.startup_timeout)
        except ServiceError as exc:
            self.stop()
            raise AzuriteError(str(exc)) from exc
        except BaseException:
            self.stop()
            raise
        logger.info("Azurite ready: blob %s, queue %s", self.blob_endpoint, self.queue_endpoint)
        return self

    def restart(self) -> Azurite:
        """Stop, then start again on the same ports with the same data (needs `location`)."""
        self.stop()
        return self.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the process group, then kill it if it lingers; safe to call twice.

        With `location`, the next `start()` listens on the same blob, queue and table ports again.
        """
        if self.location is not None and self._listening():
            self._ports = {
                service: urlsplit(self._endpoints[service.capitalize()]).netloc.rsplit(":", 1)[1]
                for service in ("blob", "queue", "table")
            }
        if self._service is not None:
            self._log = self._service.log()
            self._service.stop(timeout)
            self._service = None
        self._endpoints.clear()

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- what clients need -----------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """Process id (= process group id) while running."""
        return self._service.pid if self._service is not None else None

    @property
    def scheme(self) -> str:
        return "https" if self.certs is not None else "http"

    @property
    def blob_endpoint(self) -> str:
        """Blob account URL, e.g. `http://127.0.0.1:40673/devstoreaccount1`."""
        return self._endpoint("Blob")

    @property
    def queue_endpoint(self) -> str:
        """Queue account URL, e.g. `http://127.0.0.1:46489/devstoreaccount1`."""
        return self._endpoint("Queue")

    @property
    def table_endpoint(self) -> str:
        """Table account URL, e.g. `http://127.0.0.1:46490/devstoreaccount1`."""
        return self._endpoint("Table")

    @property
    def connection_string(self) -> str:
        """A full connection string: `UseDevelopmentStorage=true` only knows the default ports."""
        return (
            f"DefaultEndpointsProtocol={self.scheme};AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.blob_endpoint};QueueEndpoint={self.queue_endpoint};"
            f"TableEndpoint={self.table_endpoint};"
        )

    def log(self) -> str:
        """Azurite's recent output (startup lines and access log)."""
        return self._service.log() if self._service is not None else self._log

    # -- internals -------------------------------------------------------------------------
    def _endpoint(self, service: str) -> str:
        if service not in self._endpoints:
            raise AzuriteError(f"Azurite {service} endpoint unknown: not started")
        return f"{self._endpoints[service]}/{ACCOUNT_NAME}"

    def _listening(self) -> bool:
        return {"Blob", "Queue", "Table"} <= self._endpoints.keys()

    def _read_line(self, line: str) -> None:
        match = _LISTENING.search(line)
        if match:
            self._endpoints[match.group(1)] = match.group(2).rstrip("/")

    def _answers(self) -> bool:
        """Both endpoints printed and answering HTTP (any status, even 403 for no credentials)."""
        if not self._listening():
            return False
        context = ssl.create_default_context(cafile=str(self.certs.ca_bundle)) if self.certs else None
        return all(
            answers_http(f"{url}?comp=list", context) for url in (self.blob_endpoint, self.queue_endpoint)
        )


def main(argv: list[str] | None = None) -> None:
    """Run Azurite on free ports and print its endpoints until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m devtools.azurite", description=main.__doc__)
    parser.add_argument("--https", action="store_true", help="serve https with a fresh local CA")
    parser.add_argument("--oauth", action="store_true", help="accept bearer tokens (implies --https)")
    parser.add_argument("--cert-dir", type=Path, help="where to write the CA and server certificate")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory(prefix="azurite-certs-") as scratch:
        certs = None
        if args.https or args.oauth:
            certs = create_tls_certificates(args.cert_dir or Path(scratch))
        with Azurite(certs=certs, oauth=args.oauth) as azurite:
            print(f"blob endpoint:     {azurite.blob_endpoint}")
            print(f"queue endpoint:    {azurite.queue_endpoint}")
            print(f"connection string: {azurite.connection_string}")
            if certs is not None:
                print(f"CA bundle:         {certs.ca_bundle}")
            print("Ctrl-C to stop", flush=True)
            stopping = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stopping.set())
            while not stopping.wait(0.5):
                pass


if __name__ == "__main__":
    main()
