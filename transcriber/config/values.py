"""Readers for one setting's value: trimmed text, whole numbers, booleans, container names.

Every error names the setting and never repeats its value (values can be secrets).
"""

from __future__ import annotations

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
