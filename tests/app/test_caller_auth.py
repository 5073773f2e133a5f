"""Entra ID callers: App Service authentication signs them in, the app requires the app role."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.bicep_tree import ROOT
from tests.fixtures.functions import HTTP_URL, AppUnderTest

ROLE = "Transcribe.Invoke"


def principal(
    *roles: str, role_typ: str = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
) -> str:
    """X-MS-CLIENT-PRINCIPAL as App Service authentication writes it for an Entra ID bearer token."""
    claims = [
        {"typ": "aud", "val": "api://00000000-0000-0000-0000-0000000000a1"},
        {"typ": "http://schemas.microsoft.com/identity/claims/objectidentifier", "val": "oid-1"},
        *({"typ": "roles", "val": role} for role in roles),
    ]
    document = {"auth_typ": "aad", "claims": claims, "name_typ": "name", "role_typ": role_typ}
    return base64.b64encode(json.dumps(document).encode()).decode()


@pytest.fixture
async def entra(deployed: AppUnderTest, monkeypatch: pytest.MonkeyPatch) -> AppUnderTest:
    monkeypatch.setenv("HTTP_AUTH_MODE", "entra")
    monkeypatch.setenv("TRANSCRIBE_APP_ROLE", ROLE)
    monkeypatch.setenv("WEBSITE_AUTH_ENABLED", "True")
    await deployed.restart()
    return deployed


async def call(app: AppUnderTest, corpus: Path, headers: dict[str, str]) -> tuple[int, dict]:
    audio = (corpus / "cards-001.wav").read_bytes()
    # the session's host indexed `transcribe` with a key; in Azure, entra mode makes it anonymous
    response = await app.call(
        "POST", f"{HTTP_URL}?format=json", audio, {"Content-Type": "audio/wav", **headers}
    )
    return response.status_code, json.loads(response.get_body())


async def test_caller_auth_entra_caller_with_the_app_role_is_transcribed(
    entra: AppUnderTest, corpus: Path
) -> None:
    status, body = await call(entra, corpus, {"X-MS-CLIENT-PRINCIPAL": principal("Other.Role", ROLE)})
    assert status == 200 and body["combinedPhrases"]


async def test_caller_auth_entra_caller_without_the_role_is_forbidden(
    entra: AppUnderTest, corpus: Path
) -> None:
    status, body = await call(entra, corpus, {"X-MS-CLIENT-PRINCIPAL": principal("Reader")})
    assert (status, body["error"]["code"]) == (403, "Forbidden")
    assert ROLE in body["error"]["message"]
    assert entra.speech.requests() == []


@pytest.mark.parametrize("header", [None, "", "not base64 json!", base64.b64encode(b"[]").decode()])
async def test_caller_auth_entra_without_a_readable_principal_is_unauthorized(
    entra: AppUnderTest, corpus: Path, header: str | None
) -> None:
    status, body = await call(entra, corpus, {} if header is None else {"X-MS-CLIENT-PRINCIPAL": header})
    assert (status, body["error"]["code"]) == (401, "Unauthorized")


async def test_caller_auth_entra_without_platform_authentication_refuses_everyone(
    entra: AppUnderTest, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forged principal header is only stripped while App Service authentication is on."""
    monkeypatch.delenv("WEBSITE_AUTH_ENABLED")
    status, body = await call(entra, corpus, {"X-MS-CLIENT-PRINCIPAL": principal(ROLE)})
    assert status == 500 and "HTTP_AUTH_MODE" in body["error"]["message"]


async def test_caller_auth_function_mode_ignores_principal_headers(
    deployed: AppUnderTest, corpus: Path
) -> None:
    status, _ = await call(deployed, corpus, {"X-MS-CLIENT-PRINCIPAL": "garbage"})
    assert status == 200


def http_auth_levels(mode: str) -> dict[str, str]:
    """Each HTTP function's auth level as function_app declares it at index time under `mode`."""
    script = (
        "import json, function_app\n"
        "print(json.dumps({f.get_function_name(): [json.loads(b) for b in f.get_raw_bindings()]"
        " for f in function_app.app.get_functions()}))\n"
    )
    env = {**os.environ, "HTTP_AUTH_MODE": mode, "TRANSCRIBE_APP_ROLE": ROLE}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {
        name: trigger["authLevel"].upper()
        for name, bindings in json.loads(done.stdout).items()
        for trigger in bindings
        if trigger["type"] == "httpTrigger"
    }


@pytest.mark.parametrize(("mode", "level"), [("function", "FUNCTION"), ("entra", "ANONYMOUS")])
def test_caller_auth_mode_sets_the_transcribe_auth_level_at_index_time(mode: str, level: str) -> None:
    assert http_auth_levels(mode)["transcribe"] == level
