"""`transcribe FILE...`: local files through the same core as POST /api/transcribe.

Files go one after another (the service's own limits and retries apply to each); a failure is
reported on stderr and the rest still run. The exit code is the first failure's, or 0.
A progress bar (tqdm, on stderr, only on a terminal) counts bytes done and keeps time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from transcriber import config
from transcriber.domain import formats
from transcriber.domain.audio_budget import APP_PAYER
from transcriber.domain.audio_header import HEAD_BYTES
from transcriber.domain.errors import TranscriberError
from transcriber.domain.option_fields import options_from_fields
from transcriber.domain.options import TranscriptionRequestOptions, effective_options
from transcriber.entry.cli import exit_codes
from transcriber.entry.cli.parser import option_fields
from transcriber.flows import budget
from transcriber.flows.transcribe import transcribe_bytes
from transcriber.services import TranscriptionService, get_service, reset_service

EXTENSIONS = {"json": "json", "text": "txt", "srt": "srt", "vtt": "vtt"}


async def run_transcribe(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    env = dict(environ)
    # Local files never touch storage, so storage settings are not required for this command.
    name = config.STORAGE_CONNECTION
    if not any(
        (env.get(key) or "").strip() for key in (name, f"{name}__blobServiceUri", f"{name}__serviceUri")
    ):
        env[name] = "UseDevelopmentStorage=true"
    service = get_service(env)
    try:
        options = _options(args, service)
    except TranscriberError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        await reset_service()
        return exit_codes.USAGE
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    code = exit_codes.OK
    try:
        async with _progress(args) as progress:
            for path in args.files:
                result = await _one(service, path, options, args, progress)
                code = code or result
    finally:
        await reset_service()
    return code


def _options(args: argparse.Namespace, service: TranscriptionService) -> TranscriptionRequestOptions:
    fields = {name: getattr(args, name) for name in option_fields() if getattr(args, name)}
    return effective_options(options_from_fields(fields), service.settings.defaults)


async def _one(
    service: TranscriptionService,
    path: Path,
    options: TranscriptionRequestOptions,
    args: argparse.Namespace,
    progress: Any,
) -> int:
    progress.set_description(path.name)
    try:
        audio = path.read_bytes()
        # the command line spends the app's audio budget (transcriber.flows.budget), as backfill does
        head = bytes(memoryview(audio)[:HEAD_BYTES])
        await budget.charge_audio(service, APP_PAYER, f"cli-{uuid.uuid4().hex}", head, len(audio))
        transcription = await transcribe_bytes(service, audio, options)
    except OSError as exc:
        print(f"{path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return exit_codes.NO_INPUT if isinstance(exc, FileNotFoundError) else exit_codes.FAILED
    except TranscriberError as exc:
        print(f"{path}: {exc.code}: {exc.message}", file=sys.stderr)
        return exit_codes.for_error(exc)
    finally:
        progress.update(path.stat().st_size if path.is_file() else 0)
    body = _render(transcription.result, args.format)
    if args.out is not None:
        target = args.out / f"{path.name}.{EXTENSIONS[args.format]}"
        target.write_text(body, encoding="utf-8")
        progress.write(f"{path} -> {target}", file=sys.stderr)
    else:
        if len(args.files) > 1 and args.format != "json":
            body = f"==> {path} <==\n{body}\n"
        progress.clear()
        sys.stdout.write(body)
        sys.stdout.flush()
    return exit_codes.OK


def _render(result: dict[str, Any], fmt: str) -> str:
    if fmt == "json":  # one JSON document per line, so several files make JSON Lines
        return json.dumps(result, ensure_ascii=False) + "\n"
    return formats.render(result, fmt)


@contextlib.asynccontextmanager
async def _progress(args: argparse.Namespace) -> AsyncIterator[Any]:
    """A byte-counting bar, refreshed twice a second so its clock runs during a long request."""
    from tqdm import tqdm

    total = sum(p.stat().st_size for p in args.files if p.is_file())
    bar = tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        file=sys.stderr,
        disable=True if args.quiet else None,
        leave=False,
    )

    async def tick() -> None:
        while True:
            await asyncio.sleep(0.5)
            bar.refresh()

    ticker = asyncio.create_task(tick())
    try:
        yield bar
    finally:
        ticker.cancel()
        bar.close()
