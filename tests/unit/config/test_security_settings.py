"""Security settings: SAS lifetime cap, caller authentication, privacy, erasure queue."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transcriber.config import PrivacySettings, Settings, http_auth_mode
from transcriber.domain import privacy
from transcriber.domain.errors import CallerUnauthorizedError, SettingError
from transcriber.entry.http.callers import roles

BASE = {
    "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
    "AudioStorage": "UseDevelopmentStorage=true",
}


def settings(**extra: str) -> Settings:
    return Settings.from_environ({**BASE, **extra})


@pytest.mark.parametrize("minutes", ["0", "61", "10080"])
def test_sas_lifetime_outside_one_to_sixty_minutes_names_the_setting(minutes: str) -> None:
    with pytest.raises(SettingError, match="AUDIO_SAS_LIFETIME_MINUTES"):
        settings(AUDIO_SAS_LIFETIME_MINUTES=minutes)


def test_sas_lifetime_of_sixty_minutes_is_the_longest_allowed() -> None:
    assert settings(AUDIO_SAS_LIFETIME_MINUTES="60").sas_lifetime_minutes == 60


def test_security_defaults_keep_names_out_and_keys_for_callers() -> None:
    s = settings()
    assert s.privacy == PrivacySettings(include_blob_names=False, name_key=None)
    assert (s.caller_auth.mode, s.caller_auth.app_role) == ("function", None)
    assert s.url_enabled is True and s.erasure_queue == "blob-deleted"


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("FALSE", False), ("1", True), ("no", False)]
)
def test_boolean_settings_accept_the_usual_spellings(value: str, expected: bool) -> None:
    assert settings(AUDIO_URL_ENABLED=value).url_enabled is expected
    assert settings(TELEMETRY_INCLUDE_BLOB_NAMES=value).privacy.include_blob_names is expected


def test_boolean_setting_with_another_word_names_the_setting() -> None:
    with pytest.raises(SettingError, match="TELEMETRY_INCLUDE_BLOB_NAMES"):
        settings(TELEMETRY_INCLUDE_BLOB_NAMES="maybe")


def test_entra_mode_without_an_app_role_names_the_role_setting() -> None:
    with pytest.raises(SettingError, match="TRANSCRIBE_APP_ROLE"):
        settings(HTTP_AUTH_MODE="entra")
    assert settings(HTTP_AUTH_MODE="Entra", TRANSCRIBE_APP_ROLE="T.Invoke").caller_auth.app_role == "T.Invoke"


def test_unknown_auth_mode_names_the_setting() -> None:
    with pytest.raises(SettingError, match="HTTP_AUTH_MODE"):
        http_auth_mode({"HTTP_AUTH_MODE": "basic"})


@pytest.mark.parametrize("queue", ["Blob-Deleted", "ab", "-x-", "a--b", "x" * 64])
def test_erasure_queue_that_azure_would_refuse_names_the_setting(queue: str) -> None:
    with pytest.raises(SettingError, match="ERASURE_QUEUE"):
        settings(ERASURE_QUEUE=queue)


def test_blob_id_is_keyed_stable_and_hides_the_name() -> None:
    try:
        privacy.configure(PrivacySettings(name_key="key-one"))
        first = privacy.blob_id("Jane Doe.wav")
        assert first == privacy.blob_id("Jane Doe.wav") and first.startswith("blob-") and len(first) == 21
        assert "Jane" not in first and privacy.blob_label("Jane Doe.wav") == first
        privacy.configure(PrivacySettings(name_key="key-two"))
        assert privacy.blob_id("Jane Doe.wav") != first
        privacy.configure(PrivacySettings(include_blob_names=True, name_key="key-two"))
        assert privacy.blob_label("Jane Doe.wav") == "Jane Doe.wav"
    finally:
        privacy.configure(PrivacySettings())


def test_privacy_cli_prints_the_id_a_name_gets_under_the_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEMETRY_NAME_KEY", "key-one")
    try:
        assert privacy.main(["Jane Doe.wav"]) == 0
        expected = privacy.blob_id("Jane Doe.wav")
    finally:
        privacy.configure(PrivacySettings())
    assert capsys.readouterr().out == f"{expected}\tJane Doe.wav\n"


@given(st.text(max_size=300))
def test_caller_principal_header_of_any_text_has_roles_or_is_unauthorized(header: str) -> None:
    with contextlib.suppress(CallerUnauthorizedError):
        assert isinstance(roles(header), set)


def test_admin_role_applies_only_with_entra_callers() -> None:
    entra = settings(
        HTTP_AUTH_MODE="entra", TRANSCRIBE_APP_ROLE="T.Invoke", TRANSCRIBE_ADMIN_ROLE=" T.Admin "
    )
    assert entra.caller_auth.admin_role == "T.Admin"
    assert settings(HTTP_AUTH_MODE="entra", TRANSCRIBE_APP_ROLE="T.Invoke").caller_auth.admin_role is None
    assert settings(TRANSCRIBE_ADMIN_ROLE="T.Admin").caller_auth.admin_role is None  # keys see all anyway
