"""Settings of transcription jobs: callbacks (allowed hosts, signing secret) and the completion queue."""

from __future__ import annotations

import re
from collections.abc import Mapping

from transcriber.config.names import CALLBACK_ALLOWED_HOSTS, CALLBACK_SECRET, COMPLETION_QUEUE
from transcriber.config.values import container_name, get
from transcriber.errors import SettingError


def callback_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    """Hosts (`name` or `name:port`) a callbackUrl may point at; none means callbacks are off."""
    hosts = tuple(h.strip().lower() for h in (get(env, CALLBACK_ALLOWED_HOSTS) or "").split(",") if h.strip())
    for host in hosts:
        if not re.fullmatch(r"[a-z0-9.-]+(:[0-9]{1,5})?", host) or host.startswith(("*", ".")):
            raise SettingError(CALLBACK_ALLOWED_HOSTS, "lists host names (or name:port), comma-separated")
    if hosts and not get(env, CALLBACK_SECRET):
        raise SettingError(CALLBACK_SECRET, f"is required when {CALLBACK_ALLOWED_HOSTS} is set")
    return hosts


def callback_secret(env: Mapping[str, str]) -> str | None:
    secret = get(env, CALLBACK_SECRET)
    if secret is not None and len(secret) < 32:
        raise SettingError(CALLBACK_SECRET, "must be at least 32 characters (e.g. openssl rand -hex 32)")
    return secret


def completion_queue(env: Mapping[str, str]) -> str | None:
    """The queue told of every finished blob or job; none means nobody is told."""
    return container_name(env, COMPLETION_QUEUE, "") if get(env, COMPLETION_QUEUE) else None
