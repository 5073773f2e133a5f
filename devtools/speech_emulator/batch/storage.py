"""Blob storage as a batch job uses it: list a `contentContainerUrl`, write to a destination.

Both speak the Blob service REST API with the caller's SAS (the spec: a content container SAS
needs read and list; the destination needs write), so they work against Azurite or Azure:
`GET {container}?restype=container&comp=list&<sas>` (XML `EnumerationResults`, paged with
`NextMarker`) and `PUT {container}/{name}?<sas>` with `x-ms-blob-type: BlockBlob`.
Failures: listing -> `FailedToDownload`; writing -> `InaccessibleCustomerStorage` (a
`DetailedErrorCode` of the spec; which code the service reports is not recorded). Where the
service puts result files in a destination container is not documented: the emulator writes
`{transcription id}/{file name}`.
"""

from __future__ import annotations

import ssl
from urllib.parse import quote, urlsplit, urlunsplit
from xml.etree import ElementTree

import httpx

from devtools.speech_emulator.batch.stream import JobFailure
from devtools.speech_emulator.journal import redact_url

__all__ = ["blob_url", "list_container", "put_blob"]

_STORAGE_VERSION = "2021-08-06"


def blob_url(container_url: str, name: str) -> str:
    """`name` inside the container of `container_url`, keeping the container's SAS query."""
    parts = urlsplit(container_url)
    path = parts.path.rstrip("/") + "/" + quote(name)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _with(url: str, extra: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


async def list_container(container_url: str, *, verify: ssl.SSLContext, timeout: float) -> list[str]:
    """The blob URLs (with the SAS) of every blob in the container, in listing order."""
    names: list[str] = []
    marker = ""
    async with httpx.AsyncClient(verify=verify, timeout=timeout) as client:
        while True:
            query = "restype=container&comp=list" + (f"&marker={quote(marker)}" if marker else "")
            try:
                answer = await client.get(
                    _with(container_url, query), headers={"x-ms-version": _STORAGE_VERSION}
                )
            except httpx.HTTPError as exc:
                raise _listing_failed(container_url, type(exc).__name__) from exc
            if answer.status_code >= 400:
                raise _listing_failed(container_url, f"HTTP {answer.status_code}")
            root = ElementTree.fromstring(answer.content)
            names.extend(node.text or "" for node in root.iter("Name") if node.text)
            marker = root.findtext("NextMarker") or ""
            if not marker:
                return [blob_url(container_url, name) for name in names]


def _listing_failed(url: str, reason: str) -> JobFailure:
    return JobFailure("FailedToDownload", f"The container {redact_url(url)} could not be listed: {reason}.")


async def put_blob(
    container_url: str, name: str, content: bytes, *, verify: ssl.SSLContext, timeout: float
) -> str:
    """Write `content` as a block blob; its URL without the SAS (what the files list shows)."""
    url = blob_url(container_url, name)
    headers = {
        "x-ms-blob-type": "BlockBlob",
        "x-ms-version": _STORAGE_VERSION,
        "Content-Type": "application/json",
    }
    try:
        async with httpx.AsyncClient(verify=verify, timeout=timeout) as client:
            answer = await client.put(url, content=content, headers=headers)
    except httpx.HTTPError as exc:
        raise _write_failed(url, type(exc).__name__) from exc
    if answer.status_code >= 400:
        raise _write_failed(url, f"HTTP {answer.status_code}")
    return redact_url(url)


def _write_failed(url: str, reason: str) -> JobFailure:
    return JobFailure(
        "InaccessibleCustomerStorage", f"The result could not be written to {redact_url(url)}: {reason}."
    )
