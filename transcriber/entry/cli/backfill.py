"""`backfill [--prefix P] [--retry-failed] [--dry-run] [--rate N]` (core: transcriber.flows.backfill).

A progress bar goes to stderr (only on a terminal: a log or a pipe gets none), the summary to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from transcriber.domain.errors import TranscriberError
from transcriber.entry.cli import exit_codes


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "backfill",
        help="queue a transcription job for every blob without a transcript",
        description="List the audio container and queue a job for every blob version with no "
        "transcript (with --retry-failed, also with a final failure record). Running it again "
        "queues nothing new.",
        epilog=exit_codes.SUMMARY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--prefix", help="only blobs whose names start with this")
    parser.add_argument("--retry-failed", action="store_true", help="also retry final failures")
    parser.add_argument("--dry-run", action="store_true", help="report what would be queued; queue nothing")
    parser.add_argument(
        "--rate", type=_rate, default=10.0, help="jobs queued per second at most (default 10; 0: no limit)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _rate(value: str) -> float:
    rate = float(value)
    if rate < 0:
        raise argparse.ArgumentTypeError("must be 0 (no limit) or more")
    return rate


async def run_backfill(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    from tqdm import tqdm

    from transcriber.flows import backfill as core
    from transcriber.services import get_service, reset_service

    service = get_service(environ)
    # disable=None: tqdm draws only when its file is a terminal
    bar = tqdm(unit="blob", disable=True if args.quiet else None, file=sys.stderr)
    try:
        summary = await core.backfill(
            service,
            prefix=args.prefix,
            retry_failed=args.retry_failed,
            dry_run=args.dry_run,
            rate=args.rate,
            on_total=lambda total: bar.reset(total=total),
            on_blob=lambda outcome: bar.update(1),
        )
    except TranscriberError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return exit_codes.for_error(exc)
    finally:
        bar.close()
        await reset_service()
    total = sum(summary.values())
    print(f"backfill{' (dry run)' if args.dry_run else ''}: {total} blob(s) listed")
    order = (core.QUEUED, core.RETRIED, core.WOULD_QUEUE, core.WOULD_RETRY, core.ALREADY_QUEUED)
    for key in (*order, core.TRANSCRIBED, core.FAILED, core.SKIPPED):
        if summary[key]:
            print(f"  {key}: {summary[key]}")
    return exit_codes.OK
