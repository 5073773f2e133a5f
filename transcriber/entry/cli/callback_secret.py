"""`callback-secret URL`: the `whsec_...` secret a callback receiver verifies with.

Each destination (origin: https, host, port) has its own secret, derived from
CALLBACK_SIGNING_SECRET (transcriber/domain/callback_keys.py); the operator hands it to that
receiver only. The secret goes to stdout, the origin it is good for to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from transcriber.config.jobs import callback_secret
from transcriber.domain.callback_keys import destination_origin, destination_secret
from transcriber.domain.errors import SettingError
from transcriber.domain.setting_names import CALLBACK_SECRET
from transcriber.entry.cli import exit_codes


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "callback-secret",
        help="print the secret one callback receiver verifies with",
        description="Print the Standard Webhooks secret (whsec_...) of the receiver at URL: "
        f"derived from {CALLBACK_SECRET} and the URL's origin (https://host:port), so it verifies "
        "callbacks to that origin only. Give it to that receiver alone.",
        epilog=exit_codes.SUMMARY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "url", metavar="URL", help="the callbackUrl jobs will name, e.g. https://hooks.example.com/x"
    )


def run_callback_secret(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    app_secret = callback_secret(environ)
    if app_secret is None:
        raise SettingError(
            CALLBACK_SECRET, "is not set: it is the key every receiver's secret is derived from"
        )
    try:
        origin = destination_origin(args.url)
    except ValueError:
        print(
            "error: URL must be an https URL with a host, e.g. https://hooks.example.com/x", file=sys.stderr
        )
        return exit_codes.USAGE
    print(destination_secret(app_secret, args.url))
    print(f"the secret of callbacks to {origin} (any path there)", file=sys.stderr)
    return exit_codes.OK
