"""Settings function_app reads at import to declare its triggers; these never stop indexing.

The Functions host indexes the app before any invocation, so an invalid value here falls back to
its default (the same error then fails every invocation and /api/health names it).
"""

from __future__ import annotations

from collections.abc import Mapping

from transcriber.config.values import container_name, get
from transcriber.domain.errors import SettingError
from transcriber.domain.setting_names import (
    AUDIO_CONTAINER,
    BLOB_TRIGGER_SOURCE,
    ERASURE_QUEUE,
    JOBS_QUEUE,
    TRIGGER_SOURCES,
)


def trigger_source(env: Mapping[str, str]) -> str:
    """The blob trigger's source; read at import by function_app, so it stands alone."""
    value = get(env, BLOB_TRIGGER_SOURCE) or "EventGrid"
    for source in TRIGGER_SOURCES:
        if value.lower() == source.lower():
            return source
    raise SettingError(BLOB_TRIGGER_SOURCE, f"must be one of {', '.join(TRIGGER_SOURCES)}")


def trigger_binding(env: Mapping[str, str]) -> tuple[str, str]:
    """(audio container, trigger source) for indexing, never raising: defaults stand in for invalid
    values, so the app still starts and says what is wrong (the same error fails every invocation)."""
    try:
        container = audio_container(env)
    except SettingError:
        container = "audio-in"
    try:
        source = trigger_source(env)
    except SettingError:
        source = "EventGrid"
    return container, source


def audio_container(env: Mapping[str, str]) -> str:
    """The audio container name; function_app's trigger path needs it at import."""
    return container_name(env, AUDIO_CONTAINER, "audio-in")


def erasure_queue(env: Mapping[str, str]) -> str:
    """The queue Event Grid delivers BlobDeleted events to; the queue trigger needs it at import."""
    value = get(env, ERASURE_QUEUE) or "blob-deleted"
    ok = 3 <= len(value) <= 63 and value[0].isalnum() and value[-1].isalnum() and "--" not in value
    if not ok or not all(c.islower() or c.isdigit() or c == "-" for c in value):
        raise SettingError(ERASURE_QUEUE, "is not a valid queue name (3-63 lower-case letters, digits, '-')")
    return value


def jobs_queue(env: Mapping[str, str]) -> str:
    """The jobs queue's name for indexing (the queue trigger), never raising, as trigger_binding."""
    try:
        return read_jobs_queue(env)
    except SettingError:
        return "transcription-jobs"


def read_jobs_queue(env: Mapping[str, str]) -> str:
    return container_name(env, JOBS_QUEUE, "transcription-jobs")  # queue names follow the container rules
