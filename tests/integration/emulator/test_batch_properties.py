"""Hostile submissions and arbitrary polling, property-based: no crash, no skipped status."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.speech_emulator.batch.jobs import BatchJob, JobScript
from devtools.speech_emulator.batch.spec import BatchSpec, parse_submit
from devtools.speech_emulator.errors import ServiceError

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = ["contentUrls", "contentContainerUrl", "locale", "displayName", "properties", "model", "dataset"]
_PROPS = ["timeToLiveHours", "channels", "diarization", "languageIdentification", "profanityFilterMode",
          "punctuationMode", "wordLevelTimestampsEnabled", "destinationContainerUrl"]  # fmt: skip


def _valid() -> dict[str, Any]:
    return {
        "contentUrls": ["https://a.blob.core.windows.net/c/a.wav?sig=x"],
        "locale": "en-US",
        "displayName": "d",
        "properties": {"timeToLiveHours": 48},
    }


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_FIELDS), _JSON), st.dictionaries(st.sampled_from(_PROPS), _JSON))
def test_batch_any_submission_is_accepted_or_refused_with_a_400(
    fields: dict[str, Any], props: dict[str, Any]
) -> None:
    document = {**_valid(), **fields}
    if isinstance(document.get("properties"), dict):
        document["properties"] = {**document["properties"], **props}
    try:
        spec = parse_submit(json.dumps(document).encode())
    except ServiceError as error:
        assert error.status == 400 and error.code == "InvalidRequest"
        assert error.inner_code and error.message
        return
    assert isinstance(spec, BatchSpec) and spec.display_name and spec.locale
    assert bool(spec.content_urls) != bool(spec.container_url)
    assert 6 <= spec.ttl_hours <= 744 and set(spec.channels) <= {0, 1}


@given(st.binary(max_size=64))
def test_batch_any_bytes_are_refused_cleanly(raw: bytes) -> None:
    try:
        parse_submit(raw)
    except ServiceError as error:
        assert error.status == 400


_ORDER = ["NotStarted", "Running", "Succeeded", "Failed"]


@settings(max_examples=200, deadline=None)
@given(
    script=st.builds(
        JobScript,
        not_started_polls=st.integers(0, 4),
        running_polls=st.integers(0, 4),
        fail_code=st.none() | st.just("InvalidData"),
    ),
    phases=st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(1, 12)),
    outcome=st.sampled_from(["Succeeded", "Failed"]),
)
def test_batch_status_never_skips_or_goes_back(
    script: JobScript, phases: tuple[int, int, int], outcome: str
) -> None:
    spec = parse_submit(json.dumps(_valid()).encode())
    job = BatchJob("00000000-0000-0000-0000-000000000001", spec, "2024-11-15", script)
    real = (
        ["NotStarted"] * phases[0] + ["Running"] * phases[1] + [outcome] * phases[2]
    )  # the worker's progress
    shown = ["NotStarted"]
    for status in real:
        job.status = status  # type: ignore[assignment]
        shown.append(job.poll())
    for before, after in itertools.pairwise(shown):
        assert _ORDER.index(after) >= _ORDER.index(before)
        assert not (before == "NotStarted" and after in ("Succeeded", "Failed"))
    if script.fail_code is None:
        assert shown[-1] in ("NotStarted", "Running", outcome)
    if phases[2] > script.not_started_polls + script.running_polls + 2:
        assert shown[-1] in ("Succeeded", "Failed")
        if script.fail_code is not None:
            assert shown[-1] == "Failed"
            if outcome == "Succeeded":  # a scripted failure replaces success, not the job's own error
                assert job.error_code == script.fail_code
