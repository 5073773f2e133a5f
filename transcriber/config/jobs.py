"""Settings of transcription jobs: callbacks (allowed hosts, signing secret), the completion queue,
and the jobs queue's poison point (the host's maxDequeueCount)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path

from transcriber.config.values import container_name, get, integer, random_key
from transcriber.domain.errors import SettingError
from transcriber.domain.setting_names import (
    CALLBACK_ALLOWED_HOSTS,
    CALLBACK_SECRET,
    COMPLETION_QUEUE,
    QUEUE_MAX_DEQUEUE_COUNT,
)


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
    """The app's callback key; each destination's own secret is derived from it (domain/callback_keys.py)."""
    return random_key(env, CALLBACK_SECRET)


def completion_queue(env: Mapping[str, str]) -> str | None:
    """The queue told of every finished blob or job; none means nobody is told."""
    return container_name(env, COMPLETION_QUEUE, "") if get(env, COMPLETION_QUEUE) else None


DEFAULT_MAX_DEQUEUE_COUNT = 5  # the queues extension's default
APP_ROOT = Path(__file__).resolve().parents[2]  # function_app.py and host.json (wwwroot in Azure)


def max_dequeue_count(env: Mapping[str, str]) -> int:
    """The try after which the host moves a queue message to `<queue>-poison`: a job's last try.

    The host reads `extensions.queues.maxDequeueCount` from host.json, and an app setting
    `AzureFunctionsJobHost__extensions__queues__maxDequeueCount` overrides it (Microsoft's
    "host.json reference for Azure Functions 2.x and later", override host.json values); the
    runtime passes the dequeue count but not this limit, so the app reads the same two places.
    """
    return integer(
        env, QUEUE_MAX_DEQUEUE_COUNT, _host_json_max_dequeue_count(APP_ROOT / "host.json"), minimum=1
    )


@functools.cache
def _host_json_max_dequeue_count(path: Path) -> int:
    try:
        document = json.loads(path.read_text())
        value = document["extensions"]["queues"]["maxDequeueCount"]
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MAX_DEQUEUE_COUNT
    return value if isinstance(value, int) and value >= 1 else DEFAULT_MAX_DEQUEUE_COUNT
