"""The local CA: clients verify our https services through it, by argument or by environment."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from azure.storage.blob import BlobServiceClient

from devtools.azurite import Azurite
from devtools.certs import TLSCertificates, create_tls_certificates
from tests.fixtures.storage import BlobContainers


def test_certs_create_writes_pem_files_for_loopback(tmp_path: Path) -> None:
    certs = create_tls_certificates(tmp_path / "tls")

    assert certs.ca_bundle.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert certs.cert.read_text().count("BEGIN CERTIFICATE") >= 1
    assert "PRIVATE KEY" in certs.key.read_text()
    assert certs.key.stat().st_mode & 0o077 == 0
    assert certs.client_env() == {
        "SSL_CERT_FILE": str(certs.ca_bundle),
        "REQUESTS_CA_BUNDLE": str(certs.ca_bundle),
    }


def test_certs_server_certificate_verifies_for_127_0_0_1(
    azurite_oauth: Azurite, tls_certs: TLSCertificates
) -> None:
    url = urlsplit(azurite_oauth.blob_endpoint)
    context = ssl.create_default_context(cafile=tls_certs.ca_bundle)
    assert url.hostname is not None and url.port is not None

    with (
        socket.create_connection((url.hostname, url.port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=url.hostname) as tls,
    ):
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}


def test_certs_unknown_ca_is_refused(azurite_oauth: Azurite, tmp_path: Path) -> None:
    stranger = create_tls_certificates(tmp_path / "other")

    with (
        httpx.Client(verify=ssl.create_default_context(cafile=stranger.ca_bundle)) as http,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        http.get(azurite_oauth.blob_endpoint)


def test_certs_trust_env_lets_sync_clients_verify_without_arguments(
    azurite_oauth: Azurite, oauth_blob_containers: BlobContainers, tls_trust_env: TLSCertificates
) -> None:
    with BlobServiceClient.from_connection_string(azurite_oauth.connection_string) as service:
        assert service.get_container_client(oauth_blob_containers.audio).exists()
    with httpx.Client() as http:  # reads SSL_CERT_FILE when the client is built
        assert http.get(f"{azurite_oauth.blob_endpoint}?comp=list").status_code == 403
