"""Which blob a queued BlobDeleted event names: hostile and malformed messages included."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.domain.errors import InvalidRequestError
from transcriber.entry.triggers import deleted_blob_name

PREFIX = "/blobServices/default/containers/audio-in/blobs/"


def message(subject: object, event_type: str = "Microsoft.Storage.BlobDeleted", **data: object) -> str:
    return json.dumps({"subject": subject, "eventType": event_type, "data": data})


def test_deleted_blob_name_keeps_slashes_spaces_and_unicode() -> None:
    assert (
        deleted_blob_name(message(PREFIX + "Jané Doe/2026 call.wav"), "audio-in") == "Jané Doe/2026 call.wav"
    )


def test_deleted_blob_name_reads_base64_messages_too() -> None:
    encoded = base64.b64encode(message(PREFIX + "a.wav").encode()).decode()
    assert deleted_blob_name(encoded, "audio-in") == "a.wav"


def test_deleted_blob_name_falls_back_to_the_url_when_the_subject_is_odd() -> None:
    text = message("/odd", url="https://st.blob.core.windows.net/audio-in/Jan%C3%A9%20Doe.wav")
    assert deleted_blob_name(text, "audio-in") == "Jané Doe.wav"


@pytest.mark.parametrize(
    "text",
    [
        message(PREFIX + "a.wav", "Microsoft.Storage.BlobCreated"),
        message("/blobServices/default/containers/transcripts/blobs/a.wav"),
        message(PREFIX),
        json.dumps({"eventType": "Microsoft.Storage.BlobDeleted"}),
    ],
    ids=["created", "other-container", "no-name", "no-subject"],
)
def test_deleted_blob_name_for_other_events_is_none(text: str) -> None:
    assert deleted_blob_name(text, "audio-in") is None


@given(st.text(max_size=200))
def test_deleted_blob_name_of_any_subject_is_a_safe_name_none_or_refused(tail: str) -> None:
    try:
        name = deleted_blob_name(message(PREFIX + tail), "audio-in")
    except InvalidRequestError:
        return
    if name is not None:
        assert name == tail and ".." not in name.split("/") and all(ord(c) >= 32 for c in name)


@given(st.binary(max_size=200))
def test_deleted_blob_name_of_any_bytes_returns_or_refuses_clearly(raw: bytes) -> None:
    with contextlib.suppress(InvalidRequestError):
        deleted_blob_name(raw, "audio-in")
