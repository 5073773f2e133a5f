"""`python -m transcriber callback-secret URL`: the receiver's own secret, from the app's."""

from __future__ import annotations

from pathlib import Path

import pytest
from standardwebhooks import Webhook

from transcriber.domain.callback_keys import destination_secret
from transcriber.entry.cli import exit_codes, main

APP_SECRET = bytes(range(32)).hex()


@pytest.fixture(autouse=True)
def _no_local_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no local.settings.json here
    monkeypatch.delenv("CALLBACK_SIGNING_SECRET", raising=False)


def test_callback_secret_prints_the_destinations_whsec(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CALLBACK_SIGNING_SECRET", APP_SECRET)
    assert main(["callback-secret", "https://Hooks.example.com/transcripts"]) == exit_codes.OK
    out, err = capsys.readouterr()
    assert out == destination_secret(APP_SECRET, "https://hooks.example.com:443/") + "\n"
    assert Webhook(out.strip()) and "https://hooks.example.com:443" in err


def test_callback_secret_without_the_app_secret_names_the_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["callback-secret", "https://hooks.example.com/x"]) == exit_codes.CONFIG
    assert "CALLBACK_SIGNING_SECRET" in capsys.readouterr().err


def test_callback_secret_of_a_plain_http_url_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CALLBACK_SIGNING_SECRET", APP_SECRET)
    assert main(["callback-secret", "http://hooks.example.com/x"]) == exit_codes.USAGE
    assert capsys.readouterr().out == ""
