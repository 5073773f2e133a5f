"""Errors the emulated service answers with, in the flat shape the live service uses.

A `ServiceError` carries everything its HTTP answer needs: status, top-level code (one of the
spec's InvalidRequest, InvalidArgument, Unauthorized, UnsupportedMediaType, TooManyRequests,
UnprocessableEntity, InternalServerError, ServiceUnavailable, ...), an inner code naming the
exact problem, and extra headers (Retry-After). Raised anywhere in request handling, it is
turned into a response in one place (`app.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EmulatorError", "ServiceError"]


class EmulatorError(Exception):
    """Base error of the Speech emulator package."""


class ServiceError(EmulatorError):
    """An error answer of the emulated service (status, code, inner code, message)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        inner_code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, code, message, inner_code, headers)
        self.status = status
        self.code = code
        self.message = message
        self.inner_code = inner_code
        self.headers: dict[str, str] = dict(headers or {})

    def __str__(self) -> str:
        inner = f"/{self.inner_code}" if self.inner_code else ""
        return f"{self.status} {self.code}{inner}: {self.message}"

    def body(self) -> dict[str, Any]:
        """The JSON body: `{"code", "message", "innerError": {"code", "message"}}`."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.inner_code:
            body["innerError"] = {"code": self.inner_code, "message": self.message}
        return body

    @classmethod
    def invalid_argument(cls, inner_code: str, message: str) -> ServiceError:
        """400 for a definition value the service refuses."""
        return cls(400, "InvalidArgument", message, inner_code)

    @classmethod
    def invalid_request(cls, message: str, inner_code: str = "InvalidParameterValue") -> ServiceError:
        """400 for a request the service cannot read (query, multipart, JSON)."""
        return cls(400, "InvalidRequest", message, inner_code)

    @classmethod
    def unprocessable(cls, inner_code: str, message: str) -> ServiceError:
        """422 for audio that arrived but cannot be transcribed."""
        return cls(422, "UnprocessableEntity", message, inner_code)

    @classmethod
    def unauthorized(cls, inner_code: str, message: str) -> ServiceError:
        """401: the SDK raises ClientAuthenticationError for it."""
        return cls(401, "Unauthorized", message, inner_code)
