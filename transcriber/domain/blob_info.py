"""One version of a source blob, as the app identifies it: container, name, etag, size, type."""

from __future__ import annotations

from collections.abc import Mapping
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

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> BlobInfo:
        """The version `as_record` wrote (a job's or a failure record's `source`)."""
        return cls(
            record["container"],
            record["name"],
            record["etag"],
            int(record["size"]),
            record.get("contentType"),
        )

    def as_record(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "name": self.name,
            "etag": self.etag,
            "size": self.size,
            "contentType": self.content_type,
        }
