"""One version of a source blob, as the app identifies it: container, name, etag, size, type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class BlobInfo:
    """What we record about a source blob: identifies one version of it."""

    container: str
    name: str
    etag: str
    size: int
    content_type: str | None
    last_modified: datetime | None = field(default=None, compare=False)

    def as_record(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "name": self.name,
            "etag": self.etag,
            "size": self.size,
            "contentType": self.content_type,
        }
