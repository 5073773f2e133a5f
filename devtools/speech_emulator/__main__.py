"""`python -m devtools.speech_emulator`: the Speech emulator in the foreground until Ctrl-C.

Without --key a random key is generated and printed, so the emulator is never open to any key.
With --cert/--key-file it serves https and also accepts bearer tokens for the Cognitive Services
audience. Faults, the quota and the request journal are under /_emulator/ (see
devtools.speech_emulator.control). --quota-rpm N answers fast transcription 429 with Retry-After
beyond N requests a minute, as the live service does (600 by default there).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from devtools.speech_emulator.config import (
    DEFAULT_BATCH_MAX_BYTES,
    DEFAULT_BATCH_MAX_SECONDS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_SECONDS,
    ECHO_TEXT,
    ENGINES,
    EmulatorConfig,
)
from devtools.speech_emulator.errors import EmulatorError
from devtools.speech_emulator.server import RunningEmulator
from devtools.speech_emulator.workers import shutdown_decoders


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m devtools.speech_emulator",
        description="Local Azure AI Speech fast and batch transcription emulator (offline; US English engine).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5055, help="port (0: any free port; default 5055)")
    parser.add_argument("--engine", choices=ENGINES, default="pocketsphinx", help="recognition engine")
    parser.add_argument("--key", help="subscription key to accept (default: a random key, printed)")
    parser.add_argument(
        "--cert", type=Path, help="TLS certificate (PEM chain): serve https and accept tokens"
    )
    parser.add_argument("--key-file", type=Path, help="TLS private key (PEM) for --cert")
    parser.add_argument("--refuse-keys", action="store_true", help="refuse keys, like disableLocalAuth")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest audio accepted")
    parser.add_argument(
        "--max-seconds", type=float, default=DEFAULT_MAX_SECONDS, help="longest audio accepted"
    )
    parser.add_argument(
        "--batch-max-bytes", type=int, default=DEFAULT_BATCH_MAX_BYTES, help="largest batch recording"
    )
    parser.add_argument(
        "--batch-max-seconds", type=float, default=DEFAULT_BATCH_MAX_SECONDS, help="longest batch recording"
    )
    parser.add_argument(
        "--ca-file", type=Path, help="CA bundle trusted when fetching audioUrl and contentUrls"
    )
    parser.add_argument(
        "--decoder-processes", type=int, default=1, help="decoder worker processes (0: in-thread)"
    )
    parser.add_argument("--region", default="East US", help="x-ms-region to answer with (default East US)")
    parser.add_argument("--echo-text", default=ECHO_TEXT, help="what the echo engine hears (lower case)")
    parser.add_argument(
        "--quota-rpm", type=int, help="fast transcription requests a minute; beyond: 429 (default: no limit)"
    )
    parser.add_argument(
        "--quota-burst", type=int, help="requests the quota admits at once (default: 10 s of --quota-rpm)"
    )
    parser.add_argument(
        "--batch-quota-rpm", type=int, help="batch REST requests a minute; beyond: 429 (default: no limit)"
    )
    parser.add_argument(
        "--batch-quota-burst", type=int, help="batch requests admitted at once (default: 10 s of the rate)"
    )
    parser.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = EmulatorConfig(
            host=args.host,
            port=args.port,
            engine=args.engine,
            key=args.key,
            refuse_keys=args.refuse_keys,
            cert_file=args.cert,
            key_file=args.key_file,
            max_bytes=args.max_bytes,
            max_seconds=args.max_seconds,
            batch_max_bytes=args.batch_max_bytes,
            batch_max_seconds=args.batch_max_seconds,
            ca_file=args.ca_file,
            decoder_processes=args.decoder_processes,
            region=args.region,
            echo_text=args.echo_text,
            quota_rpm=args.quota_rpm,
            quota_burst=args.quota_burst,
            batch_quota_rpm=args.batch_quota_rpm,
            batch_quota_burst=args.batch_quota_burst,
        )
        emulator = RunningEmulator(config)
        emulator.bind()
    except (ValueError, EmulatorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Speech emulator endpoint: {emulator.endpoint}", flush=True)
    if args.key is None and not args.refuse_keys:
        print(f"Generated key (Ocp-Apim-Subscription-Key): {emulator.key}", flush=True)
    emulator.state.engine.warm_up()
    # uvicorn re-raises SIGTERM after its graceful shutdown; exit through `finally`, not abruptly.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        emulator.server().run(sockets=[emulator.bind()])  # uvicorn handles Ctrl-C and SIGTERM
    finally:
        shutdown_decoders()
    return 0


if __name__ == "__main__":
    sys.exit(main())
