"""Shared fixtures: real local services (Azurite, Speech emulator, token and ingestion servers).

One throw-away CA serves every local https service. It is made, and trusted through
SSL_CERT_FILE and REQUESTS_CA_BUNDLE, before any test module is imported: aiohttp (the aio
Azure clients' transport) reads the trust store once, when it is first imported, and the
production code rightly has no setting for a private CA.
"""

from __future__ import annotations

import atexit
import os
import shutil
import ssl
import tempfile
from pathlib import Path

import certifi
import pytest

from devtools.certs import TLSCertificates, create_tls_certificates

# Each local service contributes a pytest plugin module under tests/fixtures/.
pytest_plugins: list[str] = [
    "tests.fixtures.storage",
    "tests.fixtures.identity",
    "tests.fixtures.telemetry",
    "tests.fixtures.functions",
    "tests.fixtures.speech",
    "tests.fixtures.batch_service",
]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TRANSCRIBER_CORPUS", ROOT / "tests" / "corpus"))

_TLS_DIR = Path(tempfile.mkdtemp(prefix="transcriber-tls-"))
atexit.register(shutil.rmtree, _TLS_DIR, True)
SESSION_TLS: TLSCertificates = create_tls_certificates(_TLS_DIR)


def _trust_session_ca() -> None:
    """Trust the session CA on top of what was trusted already (pip still reaches PyPI)."""
    system = os.environ.get("SSL_CERT_FILE") or ssl.get_default_verify_paths().cafile or certifi.where()
    bundle = _TLS_DIR / "trusted.pem"
    bundle.write_bytes(Path(system).read_bytes() + b"\n" + SESSION_TLS.ca_bundle.read_bytes())
    os.environ.update({"SSL_CERT_FILE": str(bundle), "REQUESTS_CA_BUNDLE": str(bundle)})


_trust_session_ca()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """Real recordings with reference transcripts (tests/corpus, copied from ../shared/corpus)."""
    if not (CORPUS / "manifest.tsv").exists():
        raise RuntimeError(f"corpus not found at {CORPUS}; set TRANSCRIBER_CORPUS")
    return CORPUS
