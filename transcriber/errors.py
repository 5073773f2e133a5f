"""The transcriber's errors, one base with a specific class per cause.

    TranscriberError               code, message, transient
    ├── SettingError               a setting is missing or invalid (names the setting)
    ├── CallerUnauthorizedError    no Entra ID sign-in where one is required (401)
    ├── CallerForbiddenError       signed in without the required app role (403)
    ├── InvalidRequestError        malformed options, JSON or form; bounds exceeded (own codes)
    │   ├── NoAudioError           nothing to transcribe was sent
    │   └── InvalidBlobNameError   (transcriber.blob_names) a name that could leave its container
    ├── AudioTooLargeError         over MAX_AUDIO_BYTES
    ├── UnsupportedMediaError      content that is not audio
    ├── BlobNotFoundError          the named blob does not exist
    ├── AudioRejectedError         the service refused the audio or options (permanent 4xx)
    │   └── AudioTooLongError      declares a duration over MAX_AUDIO_SECONDS
    ├── ServiceThrottledError      429 / 503 from the service (transient, may carry Retry-After)
    ├── ServiceError               any other service failure: 5xx, timeouts, connection errors
    └── AuthenticationError        no token or key the service or storage accepts

Where an SDK error is translated, the chain carries `redaction.redacted_cause(exc)`, never the
SDK's own text: the host logs the whole chain.

`transient` decides what happens to a blob: transient errors raise so the Functions host
retries; permanent ones leave a failure record. HTTP status codes are chosen in one place,
`transcriber.http_api`.
"""

from __future__ import annotations

from transcriber.redaction import redact


class TranscriberError(Exception):
    """Base of every error the core raises on purpose."""

    code = "TranscriptionFailed"
    transient = False

    def __init__(self, message: str, *, code: str | None = None) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class SettingError(TranscriberError):
    """An app setting is missing or invalid; the message names it."""

    code = "InvalidConfiguration"

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"setting {setting}: {problem}")
        self.setting = setting


class InvalidRequestError(TranscriberError):
    """The caller's options, JSON or form cannot be understood."""

    code = "InvalidRequest"


class NoAudioError(InvalidRequestError):
    """The request carried no audio and named no blob."""

    code = "NoAudio"


class AudioTooLargeError(TranscriberError):
    """The audio is larger than the configured limit."""

    code = "AudioTooLarge"


class UnsupportedMediaError(TranscriberError):
    """The content is not audio (by content type or by its first bytes)."""

    code = "UnsupportedMediaType"


class CallerUnauthorizedError(TranscriberError):
    """The caller is not signed in (HTTP 401)."""

    code = "Unauthorized"


class CallerForbiddenError(TranscriberError):
    """The caller is signed in but lacks the app role (HTTP 403)."""

    code = "Forbidden"


class BlobNotFoundError(TranscriberError):
    """The named blob does not exist in the audio container."""

    code = "BlobNotFound"


class ConflictError(TranscriberError):
    """The request would replace something that exists (HTTP 409)."""

    code = "Conflict"


class AudioRejectedError(TranscriberError):
    """The Speech service refused the audio or the options: retrying cannot help."""

    code = "AudioRejected"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status


class AudioTooLongError(AudioRejectedError):
    """The audio's header declares a duration over the service's limit."""

    code = "AudioLengthLimitExceeded"


class ServiceThrottledError(TranscriberError):
    """The Speech service asked us to slow down (429, or 503 with Retry-After)."""

    code = "TooManyRequests"
    transient = True

    def __init__(
        self, message: str, *, code: str | None = None, status: int = 429, retry_after: int | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.retry_after = retry_after


class ServiceError(TranscriberError):
    """The Speech service or storage failed in a way a later try may not."""

    code = "ServiceError"
    transient = True


class AuthenticationError(TranscriberError):
    """No credential was accepted: a managed identity, role or key problem, not the audio."""

    code = "AuthenticationFailed"
    transient = True
