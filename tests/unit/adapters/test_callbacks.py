"""Where a job's callback may go (https, a listed host, and only the port it was listed with),
and how it is signed: a Standard Webhooks receiver holding its own secret verifies it."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook, WebhookVerificationError

from tests.unit.builders import ENVIRON
from transcriber.adapters.callbacks import check_callback_url, signed_headers
from transcriber.config import Settings
from transcriber.domain.callback_keys import destination_secret
from transcriber.domain.errors import InvalidCallbackError

SETTINGS = Settings.from_environ(
    {
        **ENVIRON,
        "CALLBACK_ALLOWED_HOSTS": "hooks.example.com,alt.example.com:8443",
        "CALLBACK_SIGNING_SECRET": bytes(range(32)).hex(),
    }
)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/x", "https://hooks.example.com:443/x", "https://alt.example.com:8443/x"],
)
def test_a_listed_host_on_its_port_is_allowed(url: str) -> None:
    assert check_callback_url(SETTINGS, url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com:22/",  # issue #24: a bare host allowed every port
        "https://hooks.example.com:8443/x",
        "https://alt.example.com/x",  # listed with its port: 443 is not it
        "https://alt.example.com:9000/x",
    ],
)
def test_another_port_than_the_listed_one_is_refused(url: str) -> None:
    with pytest.raises(InvalidCallbackError):
        check_callback_url(SETTINGS, url)


@given(st.integers(min_value=1, max_value=65535).filter(lambda port: port != 443))
def test_a_bare_host_allows_no_port_but_443(port: int) -> None:
    with pytest.raises(InvalidCallbackError):
        check_callback_url(SETTINGS, f"https://hooks.example.com:{port}/hook")


BODY = b'{"id": "j1", "status": "succeeded"}'


def headers_for(url: str, body: bytes = BODY) -> dict[str, str]:
    assert SETTINGS.callback_secret is not None
    webhook = Webhook(destination_secret(SETTINGS.callback_secret, url))
    return signed_headers(webhook, "msg_1", body, time.time())


def test_signed_headers_verify_with_the_destinations_own_secret() -> None:
    assert SETTINGS.callback_secret is not None
    receiver = Webhook(destination_secret(SETTINGS.callback_secret, "https://hooks.example.com/other-path"))
    headers = headers_for("https://hooks.example.com/x")
    assert receiver.verify(BODY, headers) == {"id": "j1", "status": "succeeded"}
    assert headers["webhook-id"] == "msg_1" and headers["webhook-signature"].startswith("v1,")


def test_signed_headers_for_another_destination_are_refused() -> None:
    assert SETTINGS.callback_secret is not None
    receiver = Webhook(destination_secret(SETTINGS.callback_secret, "https://hooks.example.com/x"))
    with pytest.raises(WebhookVerificationError):
        receiver.verify(BODY, headers_for("https://alt.example.com:8443/x"))


def test_signed_headers_over_another_body_are_refused() -> None:
    assert SETTINGS.callback_secret is not None
    receiver = Webhook(destination_secret(SETTINGS.callback_secret, "https://hooks.example.com/x"))
    with pytest.raises(WebhookVerificationError):
        receiver.verify(BODY.replace(b"succeeded", b"failed"), headers_for("https://hooks.example.com/x"))
