"""The blob-name validator: every traversal form refused; every accepted name stays in its container."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import pytest
from azure.storage.blob import BlobClient
from hypothesis import given, settings
from hypothesis import strategies as st

from transcriber.domain.errors import InvalidBlobNameError
from transcriber.domain.names import MAX_NAME, check_blob_name

ACCOUNT = "https://account.blob.core.windows.net"


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        "../other/secret.wav",
        "x/y/../../../other/a.wav",
        "%2e%2e/other/a.wav",
        "%2E%2E/other/a.wav",
        "%252e%252e/other/a.wav",
        "..%2fother%2fa.wav",
        "a/./b.wav",
        "a\\..\\b.wav",
        "/rooted.wav",
        "folder/",
        "a//b.wav",
        "tab\there.wav",
        "nul\x00.wav",
        "del\x7f.wav",
        "%00.wav",
        "%0a.wav",
        "x" * (MAX_NAME + 1),
        "/".join(["s"] * 255),
    ],
)
def test_blob_name_hostile_forms_are_refused(name: str) -> None:
    with pytest.raises(InvalidBlobNameError) as caught:
        check_blob_name(name)
    assert caught.value.code == "InvalidBlobName"


@pytest.mark.parametrize(
    "name",
    [
        "meeting.wav",
        "a/b/c.wav",
        "with space.wav",
        "ünïcødé 名前.wav",
        "100%.wav",
        "..hidden",
        "x" * MAX_NAME,
    ],
)
def test_blob_name_ordinary_names_are_kept_unchanged(name: str) -> None:
    assert check_blob_name(name) == name


def test_blob_name_longest_accepted_still_fits_its_failure_record() -> None:
    assert len(f"failed/{'x' * MAX_NAME}.json") == 1024


@settings(max_examples=500, deadline=None)
@given(
    st.text(min_size=1, max_size=40)
    | st.lists(st.sampled_from(["..", ".", "%2e", "a", "/", "\\", "%2f"])).map("".join)
)
def test_blob_name_accepted_names_keep_the_sdk_url_inside_the_container(name: str) -> None:
    try:
        check_blob_name(name)
    except InvalidBlobNameError:
        return
    url = BlobClient(ACCOUNT, "audio-in", name).url
    path = unquote(urlsplit(url).path)
    assert path == f"/audio-in/{name}"
    for _ in range(3):  # however many times a layer decodes it, it stays inside
        assert posixpath.normpath(path) == path and path.startswith("/audio-in/")
        path = unquote(path)
