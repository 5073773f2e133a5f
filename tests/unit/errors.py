"""The errors the real clients raise, as `transcriber.adapters.blob_client` and
`transcriber.adapters.speech` translate them."""

from __future__ import annotations

from transcriber.domain.errors import AudioRejectedError, ServiceError, ServiceThrottledError


def storage_busy() -> ServiceError:
    return ServiceError("storage request failed (503): ServerBusy", code="StorageError")


def speech_throttled() -> ServiceThrottledError:
    return ServiceThrottledError("Too many requests", code="TooManyRequests", status=429, retry_after=0)


def speech_failed() -> ServiceError:
    return ServiceError("Azure AI Speech failed (500): internal error", code="InternalServerError")


def speech_rejected() -> AudioRejectedError:
    return AudioRejectedError("The audio could not be decoded", code="InvalidAudioFormat", status=422)
