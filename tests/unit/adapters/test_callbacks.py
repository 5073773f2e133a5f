"""Where a job's callback may go: https, a listed host, and only the port it was listed with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.builders import ENVIRON
from transcriber.adapters.callbacks import check_callback_url
from transcriber.config import Settings
from transcriber.domain.errors import InvalidCallbackError

SETTINGS = Settings.from_environ(
    {
        **ENVIRON,
        "CALLBACK_ALLOWED_HOSTS": "hooks.example.com,alt.example.com:8443",
        "CALLBACK_SIGNING_SECRET": "s" * 32,
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
