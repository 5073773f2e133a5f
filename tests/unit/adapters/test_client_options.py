"""SDK clients trust the environment (netrc, proxies) only when it names a proxy or a netrc file."""

from __future__ import annotations

import pytest

from transcriber.adapters.client_options import client_options


@pytest.mark.parametrize(
    "name", ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "NETRC"]
)
def test_a_proxy_or_netrc_setting_keeps_the_environment_trusted(name: str) -> None:
    assert client_options({"PATH": "/usr/bin", name: "http://proxy.example:3128"}) == {
        "use_env_settings": True
    }


def test_without_one_no_request_reads_netrc_or_looks_proxies_up() -> None:
    assert client_options({"PATH": "/usr/bin", "HOME": "/home/app"}) == {"use_env_settings": False}
