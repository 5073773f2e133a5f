"""Throw-away TLS certificates for local https services (Azurite, Speech emulator).

Bearer tokens are only sent over https (azure-core and Azurite both insist), so local
replacements need a certificate that clients can verify: a fresh `trustme` CA per run,
never installed system-wide, handed to clients as a CA bundle path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import trustme

logger = logging.getLogger(__name__)

__all__ = ["TLSCertificates", "create_tls_certificates"]

DEFAULT_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class TLSCertificates:
    """PEM files of one local CA and a server certificate it signed.

    `ca_bundle` is what clients trust (`connection_verify=`, `SSL_CERT_FILE`,
    `REQUESTS_CA_BUNDLE`); `cert` (leaf + chain) and `key` go to the server.
    """

    ca_bundle: Path
    cert: Path
    key: Path

    def client_env(self) -> dict[str, str]:
        """Environment variables that make requests, httpx and (if set before import) aiohttp trust the CA."""
        return {"SSL_CERT_FILE": str(self.ca_bundle), "REQUESTS_CA_BUNDLE": str(self.ca_bundle)}


def create_tls_certificates(directory: Path, hosts: tuple[str, ...] = DEFAULT_HOSTS) -> TLSCertificates:
    """Create a CA and a server certificate for `hosts`, written as PEM files in `directory`.

    The server certificate is valid for loopback by default, the only place our local
    services listen.
    """
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="transcriber local test CA")
    server = ca.issue_cert(*hosts)
    certs = TLSCertificates(
        ca_bundle=directory / "ca.pem",
        cert=directory / "server.pem",
        key=directory / "server.key",
    )
    ca.cert_pem.write_to_path(str(certs.ca_bundle))
    with certs.cert.open("wb") as chain:
        for pem in server.cert_chain_pems:
            chain.write(pem.bytes())
    server.private_key_pem.write_to_path(str(certs.key))
    certs.key.chmod(0o600)
    logger.debug("wrote TLS certificates for %s to %s", ", ".join(hosts), directory)
    return certs
