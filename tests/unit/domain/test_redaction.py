"""Redaction as a property: no form of a secret survives, in errors, chains, logs and records."""

from __future__ import annotations

import json
import logging
import traceback
from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from transcriber.domain.errors import ServiceError
from transcriber.domain.redaction import install_log_redaction, redact, redacted_cause

SECRET = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", min_size=16, max_size=64
)
PROSE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def forms(secret: str) -> list[str]:
    """Every way a secret reached text in issue 10's findings, and a few more."""
    sas = f"sv=2025-01-05&se=2026-12-01T00%3A00Z&sr=b&sp=r&sig={quote(secret, safe='')}"
    url = f"https://acct.blob.core.windows.net/audio/a.wav?{sas}"
    jwt = f"eyJhbGciOiJIUzI1NiJ9.eyJ{secret.replace('+', '-').replace('/', '_').replace('=', 'A')}.c2ln"
    return [
        url,
        json.dumps({"audioUrl": url}),  # JSON-escaped: https:\/\/ when a serializer escapes slashes
        json.dumps({"audioUrl": url}).replace("/", "\\/"),
        quote(url, safe=""),  # percent-encoded, as inside another URL's query
        f"request failed: sig={secret}",
        f"&sig={quote(secret, safe='')}&other=1",
        f"Authorization: Bearer {secret}",
        f"headers={{'Authorization': 'Bearer {secret}'}}",
        f"bearer {secret}",
        jwt,
        f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={secret};EndpointSuffix=core.windows.net",
        f'{{"AccountKey": "{secret}"}}',
        f"Ocp-Apim-Subscription-Key: {secret}",
        f"https://app.azurewebsites.net/api/transcribe?code={secret}",
        f'{{"access_token": "{secret}", "expires_on": "1"}}',
        f"SharedAccessSignature={secret}",
    ]


def leaked(secret: str, text: str) -> bool:
    return any(
        piece in text for piece in {secret, quote(secret, safe=""), secret.rstrip("=")} if len(piece) >= 12
    )


@settings(max_examples=300, deadline=None)
@given(secret=SECRET, before=PROSE, after=PROSE, which=st.integers(0, 15))
def test_redact_removes_every_form_of_a_secret(secret: str, before: str, after: str, which: int) -> None:
    assume(not leaked(secret, before + after))
    text = f"{before} {forms(secret)[which]} {after}"
    assert not leaked(secret, redact(text)), redact(text)


@settings(max_examples=100, deadline=None)
@given(secret=SECRET, which=st.integers(0, 15))
def test_redact_errors_and_their_chained_causes_carry_no_secret(secret: str, which: int) -> None:
    text = forms(secret)[which]
    try:
        try:
            raise RuntimeError(f"SDK says: {text}")
        except RuntimeError as exc:
            raise ServiceError(f"storage failed: {text}") from redacted_cause(exc)
    except ServiceError as error:
        rendered = "".join(traceback.format_exception(error))
    assert not leaked(secret, rendered), rendered


def test_redact_keeps_ordinary_text() -> None:
    text = "transcribed meeting.wav: 3 phrases, 12.5 s of audio (code InvalidLocale), basic setup"
    assert redact(text) == text


def test_redact_log_records_lose_secrets_in_messages_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    secret = "S3cr3tS3cr3tS3cr3t"
    logger = logging.getLogger("azure.core.pipeline.policies.http_logging_policy")
    with caplog.at_level(logging.INFO):
        logger.info("Request URL: %s", f"https://acct.blob.core.windows.net/a/b.wav?sig={secret}")
        try:
            raise ValueError(f"AccountKey={secret};")
        except ValueError:
            logger.exception("failed")
    text = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert secret not in text and "<redacted>" in text
