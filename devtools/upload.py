"""`make upload FILE=...`: a recording into `make dev`'s audio container the way a client uploads
one, through `POST /api/uploads` and one `PUT` to the URL it grants (docs/API.md, "Uploads past
100 MB"); the blob trigger then transcribes it.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
from pathlib import Path

import httpx


class UploadError(Exception):
    """The app or storage refused the upload; the message says which, with its answer."""


def upload(base: str, path: Path, name: str | None = None, *, timeout: float = 600.0) -> str:
    """Upload `path` under `name` (default: its file name); returns the blob's name, which the
    app chooses (uploads/<random>/<name>)."""
    granted = httpx.post(f"{base}/api/uploads", json={"name": name or path.name}, timeout=30)
    if granted.status_code != 201:
        raise UploadError(f"POST {base}/api/uploads answered {granted.status_code}: {granted.text}")
    grant = granted.json()
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    with path.open("rb") as audio:
        put = httpx.request(
            grant["method"],
            grant["uploadUrl"],
            content=audio,
            headers={**grant["headers"], "Content-Type": content_type},
            timeout=timeout,
        )
    if put.status_code != 201:
        raise UploadError(f"{grant['method']} to the upload URL answered {put.status_code}: {put.text}")
    return str(grant["blob"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.upload", description=__doc__)
    parser.add_argument("file", type=Path, help="the recording")
    parser.add_argument("--name", help="the name to ask for (default: the file's name)")
    parser.add_argument("--base", default="http://127.0.0.1:7071", help="the app (make dev's port)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file} (make upload FILE=path/to/recording.wav)")
    try:
        blob = upload(args.base.rstrip("/"), args.file, args.name)
    except (UploadError, httpx.HTTPError) as exc:
        print(f"upload failed: {exc}", file=sys.stderr)
        return 1
    print(f"uploaded {args.file} as {blob}; its outcome: .venv/bin/python -m transcriber status {blob}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
