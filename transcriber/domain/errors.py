"""The transcriber's errors, one base with a specific class per cause.

docs/ARCHITECTURE.md ("Errors") draws the hierarchy; statuses are chosen in `transcriber.entry.http.edge`.
"""

from __future__ import annotations

from datetime import datetime

from transcriber.domain.redaction import redact


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


class InvalidSettingsError(SettingError):
    """One or more settings are invalid; `problems` holds one SettingError per bad setting."""

    def __init__(self, problems: list[SettingError]) -> None:
        TranscriberError.__init__(self, "; ".join(p.message for p in problems))
        self.setting = problems[0].setting
        self.problems = problems


class InvalidRequestError(TranscriberError):
    """The caller's options, JSON or form cannot be understood."""

    code = "InvalidRequest"


class NoAudioError(InvalidRequestError):
    """The request carried no audio and named no blob."""

    code = "NoAudio"


class InvalidBlobNameError(InvalidRequestError):
    """A blob name that could reach outside its container, or that no output name could fit."""

    code = "InvalidBlobName"


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
    """The Speech service asked us to slow down (429, or 503 with Retry-After), or this instance's
    pace (`transcriber.domain.pacing`) has no slot soon enough (`paced`). Never a failure of the
    audio: a version is deferred, an HTTP caller told when to come back."""

    code = "TooManyRequests"
    transient = True

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int = 429,
        retry_after: int | None = None,
        paced: bool = False,
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.retry_after = retry_after
        self.paced = paced


class BudgetExceededError(TranscriberError):
    """The caller's audio budget for the day (AUDIO_BUDGET_MINUTES_PER_DAY) would be passed: a 429
    telling when it resets; a blob version waits for the reset (`transcriber.flows.budget`).
    `fits`: False when the audio alone is longer than a whole day's budget (no wait helps)."""

    code = "BudgetExceeded"

    def __init__(self, message: str, *, reset_at: datetime, retry_after: int, fits: bool = True) -> None:
        super().__init__(message)
        self.reset_at = reset_at
        self.retry_after = retry_after
        self.fits = fits


class ThrottledTooLongError(TranscriberError):
    """A version deferred because Speech was busy for longer than MAX_DEFERRAL_HOURS: a final failure."""

    code = "ThrottledTooLong"


class ServiceError(TranscriberError):
    """The Speech service or storage failed in a way a later try may not."""

    code = "ServiceError"
    transient = True


class AuthenticationError(TranscriberError):
    """No credential was accepted: a managed identity, role or key problem, not the audio."""

    code = "AuthenticationFailed"
    transient = True


class ConditionNotMetError(ConflictError):
    """A conditional write found the blob there (create) or changed (replace, delete)."""

    code = "ConditionNotMet"


class ContainerMissingError(ServiceError):
    """A container the app writes to does not exist, and the app may not create it."""

    code = "ContainerMissing"


class BlobExistsError(ConflictError):
    """The upload would replace a blob that is already there."""

    code = "BlobExists"


class InvalidJobIdError(InvalidRequestError):
    """A job id that no job of this app could have."""

    code = "InvalidJobId"


class BatchOnlyError(AudioTooLargeError):
    """/api/transcribe was asked for audio only batch can take: 413, naming the jobs route."""


class BatchTimedOutError(TranscriberError):
    """The service did not finish within BATCH_MAX_WAIT_HOURS."""

    code = "BatchTimedOut"


class RouteNotFoundError(TranscriberError):
    """No API route has this path (HTTP 404)."""

    code = "NotFound"


class MethodNotAllowedError(TranscriberError):
    """An API route's path with a method it does not take (HTTP 405); `allowed` are those it takes."""

    code = "MethodNotAllowed"

    def __init__(self, message: str, *, allowed: tuple[str, ...]) -> None:
        super().__init__(message)
        self.allowed = allowed


class JobNotFoundError(BlobNotFoundError):
    """No job has this id."""

    code = "JobNotFound"


class RangeNotSatisfiableError(TranscriberError):
    """A Range none of whose bytes exist (HTTP 416, with the blob's size)."""

    code = "RangeNotSatisfiable"

    def __init__(self, message: str, *, size: int) -> None:
        super().__init__(message)
        self.size = size


class JobNotSucceededError(ConflictError):
    """A job's result read or changed (its transcript, its speakers' names) before the job
    succeeded: the job's state, not the request, is at fault (HTTP 409). `job_status` is the job's
    status; `cause` the code and message of a failed job's error."""

    code = "JobNotSucceeded"

    def __init__(
        self, message: str, *, job_status: str | None = None, cause: tuple[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.job_status = job_status
        self.cause = (cause[0], redact(cause[1])) if cause is not None else None


class InvalidCallbackError(InvalidRequestError):
    """A callbackUrl that is not https or names a host not in CALLBACK_ALLOWED_HOSTS."""

    code = "InvalidCallbackUrl"


class UnsupportedBatchOptionError(InvalidRequestError):
    """An option batch transcription does not have; `option` names it."""

    code = "OptionNotAvailableInBatch"

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option


class AnswerTooLargeError(ServiceError):
    """Speech answered with more bytes than any transcription needs: read no further.

    Not transient: the same audio would get the same answer, so a final failure record.
    """

    code = "ServiceAnswerTooLarge"
    transient = False


class InvalidBatchResultError(ServiceError):
    """The service's files or result file cannot be used; fetching them again will not change that.

    Not transient: a blob gets a failure record with this code instead of endless retries.
    """

    code = "InvalidBatchResult"
    transient = False


class BatchResultTooLargeError(InvalidBatchResultError):
    """A batch result file over the client's bound, refused as it arrives: read no further.

    Final, as its parent: the same transcription has the same file.
    """

    code = "BatchResultTooLarge"
