"""Key settings (CALLBACK_SIGNING_SECRET, TELEMETRY_NAME_KEY): at least 32 random bytes, named when not."""

from __future__ import annotations

import base64

import pytest

from transcriber.config import Settings
from transcriber.domain.errors import SettingError

BASE = {
    "AZURE_SPEECH_ENDPOINT": "https://contoso.cognitiveservices.azure.com",
    "AudioStorage": "UseDevelopmentStorage=true",
    "CALLBACK_ALLOWED_HOSTS": "hooks.example.com",
}
KEY = bytes(range(32))
GOOD = [KEY.hex(), base64.b64encode(KEY).decode(), base64.urlsafe_b64encode(KEY).decode().rstrip("=")]
SHORT = [
    "s" * 40,  # 40 characters, but not hex or base64 of 32 bytes
    "2f1b4c1e-8d0a-4e3b-9c7d-6a5b4c3d2e1f",  # newGuid(): 16 bytes
    KEY[:31].hex(),
    base64.b64encode(KEY[:31]).decode(),
    "correct horse battery staple correct horse",
]


@pytest.mark.parametrize("name", ["CALLBACK_SIGNING_SECRET", "TELEMETRY_NAME_KEY"])
@pytest.mark.parametrize("value", GOOD)
def test_key_of_32_bytes_in_hex_or_base64_is_kept_as_written(name: str, value: str) -> None:
    settings = Settings.from_environ({**BASE, "CALLBACK_SIGNING_SECRET": GOOD[0], name: value})
    assert (settings.callback_secret if name.startswith("CALLBACK") else settings.privacy.name_key) == value


@pytest.mark.parametrize("name", ["CALLBACK_SIGNING_SECRET", "TELEMETRY_NAME_KEY"])
@pytest.mark.parametrize("value", SHORT)
def test_key_shorter_than_32_random_bytes_names_the_setting_not_its_value(name: str, value: str) -> None:
    with pytest.raises(SettingError, match=f"{name}.*32 random bytes") as raised:
        Settings.from_environ({**BASE, "CALLBACK_SIGNING_SECRET": GOOD[0], name: value})
    assert value not in str(raised.value)


def test_key_vault_reference_left_unresolved_is_named_as_such() -> None:
    reference = "@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/telemetry-name-key)"
    with pytest.raises(SettingError, match=r"TELEMETRY_NAME_KEY.*Key Vault reference"):
        Settings.from_environ({**BASE, "CALLBACK_SIGNING_SECRET": GOOD[0], "TELEMETRY_NAME_KEY": reference})
