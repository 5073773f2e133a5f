"""The HTTP function as deployed: storage by managed identity (https Azurite with OAuth, the local
token endpoint), Speech by bearer token. Beside the audio container sits another container with a
secret recording: no request may read it."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient

from tests.integration.identity.conftest import IdentityApp, identity_app, oauth_storage

__all__ = ["FuzzTarget", "identity_app", "oauth_storage"]


@dataclass
class FuzzTarget:
    app: IdentityApp
    other_container: str


@pytest.fixture
def fuzz_target(
    identity_app: IdentityApp, oauth_storage: BlobServiceClient, corpus: Path
) -> Iterator[FuzzTarget]:
    other = f"other-{uuid.uuid4().hex[:10]}"
    oauth_storage.create_container(other)
    recording = (corpus / "cards-001.wav").read_bytes()
    oauth_storage.get_blob_client(other, "secret.wav").upload_blob(recording)
    oauth_storage.get_blob_client(identity_app.containers.transcripts, "secret.wav.json").upload_blob(b"{}")
    identity_app.upload("ok.wav", recording)
    try:
        yield FuzzTarget(identity_app, other)
    finally:
        with contextlib.suppress(ResourceNotFoundError):
            oauth_storage.delete_container(other)
