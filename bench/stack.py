"""The local stack benchmarks run the app against: Azurite and the Speech emulator, each a process.

The emulator runs in its own process (`python -m devtools.speech_emulator`, echo engine), so
its work never competes for the app's GIL; latency is injected through its control route.
Storage is reached with Azurite's connection string and Speech with a key, over http: the
figures are the app's own costs, not TLS handshakes. `child_env()` is what the app process gets.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.azurite import Azurite
from devtools.certs import TLSCertificates, create_tls_certificates
from devtools.local_services import ChildService

ROOT = Path(__file__).resolve().parent.parent
SPEECH_KEY = "bench-speech-key"
AUDIO = "audio-in"


@dataclass
class Stack:
    azurite: Azurite
    speech_endpoint: str
    certs: TLSCertificates | None = None
    emulator_pid: int | None = None  # with azurite.pid: whose CPU a benchmark can read from /proc

    def child_env(self, **settings: str) -> dict[str, str]:
        """Environment for an app process: the stack's endpoints plus `settings`."""
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AudioStorage", "AZURE_SPEECH", "APPLICATIONINSIGHTS", "IDENTITY_"))
        }
        return {
            **base,
            "PYTHONPATH": str(ROOT),
            "AudioStorage": self.azurite.connection_string,
            "AZURE_SPEECH_ENDPOINT": self.speech_endpoint,
            "AZURE_SPEECH_API_KEY": SPEECH_KEY,
            "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
            "APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL": "true",
            "APPLICATIONINSIGHTS_SDKSTATS_DISABLED": "true",
            "APPLICATIONINSIGHTS_CONTROLPLANE_DISABLED": "true",
            **(self.certs.client_env() if self.certs else {}),
            **settings,
        }

    def delay_speech(self, seconds: float, count: int) -> None:
        """The next `count` transcriptions answer after `seconds` (the service's latency)."""
        self._control("faults", "DELETE")
        if seconds > 0:
            self._control("faults", "POST", {"kind": "delay", "seconds": seconds, "count": count})

    def speech_requests(self) -> list[dict[str, Any]]:
        return self._control("journal", "GET")["requests"]

    def clear_speech_journal(self) -> None:
        self._control("journal", "DELETE")

    def _control(self, route: str, method: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.speech_endpoint}/_emulator/{route}", data=data, method=method
        )
        context = ssl.create_default_context(cafile=str(self.certs.ca_bundle)) if self.certs else None
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return json.loads(response.read())


@contextmanager
def local_stack(*, tls: bool = False, speech_args: Sequence[str] = ()) -> Iterator[Stack]:
    """Azurite and an echo-engine Speech emulator, both stopped on exit; `tls`: both over https;
    `speech_args`: more emulator options (e.g. `--quota-rpm 600`)."""
    with tempfile.TemporaryDirectory() as tmp:
        certs = create_tls_certificates(Path(tmp)) if tls else None
        with _services(certs, speech_args) as stack:
            yield stack


@contextmanager
def _services(certs: TLSCertificates | None, speech_args: Sequence[str] = ()) -> Iterator[Stack]:
    tls = ["--cert", str(certs.cert), "--key-file", str(certs.key)] if certs else []
    command = [sys.executable, "-m", "devtools.speech_emulator", "--port", "0", "--engine", "echo"]
    command += [*speech_args, "--key", SPEECH_KEY, *tls]
    with ChildService("the Speech emulator", command, cwd=ROOT) as emulator:
        endpoint = emulator.wait_for_output(r"endpoint: (\S+)", timeout=60).group(1)
        with Azurite(certs=certs) as azurite:
            yield Stack(azurite, endpoint, certs, emulator.pid)


@contextmanager
def identity_stack() -> Iterator[tuple[TLSCertificates, Azurite, dict[str, str]]]:
    """As deployed: Azurite over https with OAuth, a local managed-identity token endpoint, and an
    echo-engine emulator that refuses keys. Yields the certificates, Azurite (its connection
    string is the admin's) and the environment an app process signs in with."""
    from devtools.speech_emulator import EmulatorConfig, running_emulator
    from devtools.token_server import TokenServer

    with tempfile.TemporaryDirectory() as tmp:
        certs = create_tls_certificates(Path(tmp))
        config = EmulatorConfig(
            engine="echo", cert_file=certs.cert, key_file=certs.key, refuse_keys=True, ca_file=certs.ca_bundle
        )
        with (
            Azurite(certs=certs, oauth=True) as azurite,
            TokenServer() as tokens,
            running_emulator(config) as speech,
        ):
            yield (
                certs,
                azurite,
                {
                    **{
                        k: v
                        for k, v in os.environ.items()
                        if not k.startswith(("AudioStorage", "AZURE_SPEECH"))
                    },
                    **tokens.env(),
                    **certs.client_env(),
                    "AudioStorage__blobServiceUri": azurite.blob_endpoint,
                    "AudioStorage__queueServiceUri": azurite.queue_endpoint,
                    "AudioStorage__credential": "managedidentity",
                    "AZURE_SPEECH_ENDPOINT": speech.endpoint,
                    "BLOB_TRIGGER_SOURCE": "LogsAndContainerScan",
                },
            )


def run_child(module: str, env: dict[str, str], *args: str, cwd: Path = ROOT) -> dict[str, Any]:
    """Run `python -m <module> --child ...` in a fresh process; its last stdout line is JSON.

    `-m` puts `cwd` first on sys.path: a baseline tree runs as its own cwd, before PYTHONPATH.
    """
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "goal holds" if ok else "GOAL MISSED"
