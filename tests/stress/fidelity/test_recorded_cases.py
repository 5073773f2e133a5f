"""The Speech emulator answers each recorded live request as the live service did (cases.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.speech_emulator import RunningEmulator
from tests.fixtures.file_server import serve_directory
from tests.stress.fidelity.facts import check_facts

ROOT = Path(__file__).resolve().parents[3]
CASES = json.loads((Path(__file__).parent / "cases.json").read_text(encoding="utf-8"))
PATH = "/speechtotext/transcriptions:transcribe"


@pytest.fixture(scope="module")
def audio_host() -> Iterator[str]:
    """The repository over plain http on loopback: where `audioUrl` points."""
    with serve_directory(ROOT) as url:
        yield url


def _definition(case: dict[str, Any], audio_host: str) -> str:
    text = json.dumps(case["request"]["definition"])
    return text.replace("{audio_url}", f"{audio_host}/{case['request'].get('audio', '')}")


def _post(emulator: RunningEmulator, case: dict[str, Any], audio_host: str) -> httpx.Response:
    request = case["request"]
    files: dict[str, Any] = {"definition": (None, _definition(case, audio_host), "application/json")}
    if request["send"] == "upload":
        audio = (ROOT / request["audio"]).read_bytes() if "audio" in request else b"any bytes: echo engine"
        files["audio"] = ("audio", audio, "application/octet-stream")
    return httpx.post(
        emulator.endpoint + PATH,
        params={"api-version": "2025-10-15"},
        headers={"Ocp-Apim-Subscription-Key": emulator.key},
        files=files,
        timeout=120,
    )


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_fidelity_recorded_case(
    case: dict[str, Any], speech: RunningEmulator, speech_emulator_factory: Any, audio_host: str
) -> None:
    emulator = speech
    if case["request"].get("engine") == "echo":
        emulator = speech_emulator_factory(engine="echo", echo_text=case["request"]["echo_text"])
    check_facts(case, CASES["shared"], _post(emulator, case, audio_host))


def test_fidelity_every_case_names_a_recording_of_an_sdk() -> None:
    prefixes = (
        "python/sdk/transcription/",
        "js/sdk/transcription/",
        "java/sdk/transcription/",
        "net/sdk/transcription/",
    )
    names = [c["name"] for c in CASES["cases"]]
    assert len(names) == len(set(names))
    assert all(c["source"].startswith(prefixes) and c["source"].endswith(".json") for c in CASES["cases"])
