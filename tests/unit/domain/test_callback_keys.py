"""Callback keys: a secret per destination origin, and one delivery id per job event."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from transcriber.domain.callback_keys import delivery_id, destination_origin, destination_secret

APP_SECRET = bytes(range(32)).hex()


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://hooks.example.com/x", "https://hooks.example.com:443"),
        ("https://Hooks.Example.COM:443/y?z=1", "https://hooks.example.com:443"),
        ("HTTPS://alt.example.com:8443/", "https://alt.example.com:8443"),
        ("https://[::1]:9000/x", "https://[::1]:9000"),
    ],
)
def test_destination_origin_writes_the_lower_case_host_and_the_port(url: str, origin: str) -> None:
    assert destination_origin(url) == origin


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/x", "https:///x", "https://h:99999/", "hooks.example.com"]
)
def test_destination_origin_of_anything_but_an_https_url_with_a_host_is_a_value_error(url: str) -> None:
    with pytest.raises(ValueError):
        destination_origin(url)


def test_destination_secret_is_one_per_origin_and_a_standard_webhooks_secret() -> None:
    secret = destination_secret(APP_SECRET, "https://hooks.example.com/a")
    assert secret == destination_secret(APP_SECRET, "https://HOOKS.example.com:443/b")
    assert secret != destination_secret(APP_SECRET, "https://hooks.example.com:8443/a")
    assert secret != destination_secret(bytes(range(1, 33)).hex(), "https://hooks.example.com/a")
    assert secret.startswith("whsec_") and len(Webhook(secret)._whsecret) == 32


HOSTS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}", fullmatch=True)
PORTS = st.integers(min_value=1, max_value=65535)


@given(HOSTS, PORTS, HOSTS, PORTS)
def test_destination_secrets_of_distinct_origins_differ(
    host: str, port: int, other: str, other_port: int
) -> None:
    assume((host, port) != (other, other_port))
    first = destination_secret(APP_SECRET, f"https://{host}:{port}/hook")
    assert first != destination_secret(APP_SECRET, f"https://{other}:{other_port}/hook")


def test_delivery_id_is_stable_per_job_event_and_hides_the_job_id() -> None:
    job = "3f1c2b7e9a4d4e0f8b6a5c3d2e1f0a9b"
    first = delivery_id(APP_SECRET, job, "succeeded")
    assert first == delivery_id(APP_SECRET, job, "succeeded")
    assert first != delivery_id(APP_SECRET, job, "failed")
    assert first != delivery_id(bytes(range(1, 33)).hex(), job, "succeeded")
    assert first.startswith("msg_") and len(first) == 36 and job[:8] not in first
