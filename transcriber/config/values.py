"""Readers for one setting's value: trimmed text, whole numbers, booleans, container names.

Every error names the setting and never repeats its value (values can be secrets).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

from transcriber.domain.errors import SettingError


def get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    return value.strip() if value and value.strip() else None


def integer(
    env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None
) -> int:
    value = get(env, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(name, "must be a whole number") from None
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise SettingError(name, f"must be {bound}")
    return number


def boolean(env: Mapping[str, str], name: str, *, default: bool | None) -> bool | None:
    value = get(env, name)
    if value is None:
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise SettingError(name, "must be true or false")


MIN_KEY_BYTES = 32
KEY_HINT = "e.g. the output of `openssl rand -base64 32` or `openssl rand -hex 32`"


def random_key(env: Mapping[str, str], name: str) -> str | None:
    """A key setting (an HMAC key): at least 32 random bytes, written as hex or base64. The
    app keys its HMACs with the text as written; decoding only counts the bytes, so a GUID
    (16 bytes, 122 of them random bits) or a short password is refused."""
    value = get(env, name)
    if value is not None and value.startswith("@Microsoft.KeyVault("):
        raise SettingError(
            name,
            "is a Key Vault reference the platform has not resolved: the app's identity cannot read "
            "the secret yet (docs/DEPLOY.md, Keys)",
        )
    if value is not None and len(_key_bytes(value)) < MIN_KEY_BYTES:
        raise SettingError(
            name, f"must be at least {MIN_KEY_BYTES} random bytes in hex or base64 ({KEY_HINT})"
        )
    return value


def _key_bytes(value: str) -> bytes:
    if re.fullmatch(r"(?:[0-9a-fA-F]{2})+", value):
        return bytes.fromhex(value)
    text = value.removeprefix("whsec_").rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9+/_-]+", text):
        return b""
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def container_name(env: Mapping[str, str], name: str, default: str) -> str:
    value = get(env, name) or default
    ok = 3 <= len(value) <= 63 and value[0].isalnum() and "--" not in value
    if not ok or not all(c.islower() or c.isdigit() or c == "-" for c in value):
        raise SettingError(name, "is not a valid container name (3-63 lower-case letters, digits, '-')")
    return value


def without_value(problem: str, value: str) -> str:
    """A problem text that does not repeat the setting's value (nor any piece of it)."""
    pieces = sorted({value.strip(), *re.split(r"[,;\s]+", value)} - {""}, key=len, reverse=True)
    for piece in pieces:
        problem = re.sub(rf"(?<!\w){re.escape(piece)}(?!\w)", "<value>", problem)
    return problem
