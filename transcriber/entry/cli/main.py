"""Entry point: parse the command line, load settings, run one command, return its exit code."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from transcriber.domain.errors import SettingError
from transcriber.entry.cli import exit_codes
from transcriber.entry.cli.environment import LOCAL_SETTINGS, load_environment
from transcriber.entry.cli.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    if args.verbose:
        logging.getLogger("transcriber").setLevel(logging.INFO)
    try:
        environ = load_environment()
        if args.command == "transcribe":
            from transcriber.entry.cli.transcribe import run_transcribe

            return asyncio.run(run_transcribe(args, environ))
        if args.command == "callback-secret":
            from transcriber.entry.cli.callback_secret import run_callback_secret

            return run_callback_secret(args, environ)
        if args.command == "backfill":
            from transcriber.entry.cli.backfill import run_backfill

            return asyncio.run(run_backfill(args, environ))
        from transcriber.entry.cli.status import run_status

        return asyncio.run(run_status(args, environ))
    except SettingError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if not Path(LOCAL_SETTINGS).is_file():
            print(
                f"hint: no {LOCAL_SETTINGS} in this folder; set the variables, or for a local run start "
                f"`make dev` (it writes {LOCAL_SETTINGS} from local.settings.sample.json)",
                file=sys.stderr,
            )
        return exit_codes.CONFIG
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
