"""The blob-name validator: every traversal form refused; every accepted name stays in its container."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

import pytest
from azure.storage.blob import BlobClient
from hypothesis import given, settings
from hypothesis import strategies as st

from transcriber.domain.errors import InvalidBlobNameError
from transcriber.domain.names import MAX_NAME, check_blob_name, job_audio_name, job_of_audio

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


JOB = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    ("file_name", "stored"),
    [
        (None, "audio"),
        ("Board meeting.wav", "Board meeting.wav"),
        ("R\u0065\u0301union.m4a", "R\u00e9union.m4a"),  # NFC
        ("a%2F..%2Fb.wav", "a_2F.._2Fb.wav"),  # no percent-decoding can make a slash of it
        ("q?x#y.mp3", "q_x_y.mp3"),
        ("take.wav. ", "take.wav"),
        ("..", "audio"),
        (" . ", "audio"),
        ("tab\there.wav", "tab_here.wav"),
    ],
)
def test_job_audio_name_keeps_the_callers_file_name_made_safe(file_name: str | None, stored: str) -> None:
    name = job_audio_name(JOB, file_name)
    assert name == f"jobs/{JOB}/{stored}" and job_of_audio(name) == JOB


@settings(max_examples=300)
@given(st.text(min_size=1, max_size=255))
def test_job_audio_name_of_any_file_name_is_one_checked_segment_of_its_job(file_name: str) -> None:
    name = job_audio_name(JOB, file_name)
    assert check_blob_name(name) == name and name.count("/") == 2
    assert job_of_audio(name) == JOB
    assert job_audio_name(JOB, name.rsplit("/", 1)[1]) == name  # made safe once, it stays as it is


@pytest.mark.parametrize(
    "name",
    ["jobs/xyz/audio", f"jobs/{JOB}", f"jobs/{JOB}/a/b.wav", f"jobs/{JOB}/a%2Fb", f"other/{JOB}/audio"],
)
def test_job_of_audio_is_none_for_names_no_job_stores_its_audio_under(name: str) -> None:
    assert job_of_audio(name) is None
