"""The commands and their options. Transcription options are the HTTP API's fields, one flag each."""

from __future__ import annotations

import argparse
from pathlib import Path

from transcriber.domain.formats import RESPONSE_FORMATS
from transcriber.domain.option_fields import OPTION_FIELDS
from transcriber.entry.cli import backfill, callback_secret, exit_codes

# Flags for the HTTP API's option fields; a field without an entry here still gets a flag.
OPTION_HELP = {
    "locale": "candidate locale, e.g. en-US (repeat for several; default: TRANSCRIPTION_LOCALES)",
    "diarization": "label up to N speakers (2-35; mono audio)",
    "channels": "transcribe these channels separately: 0, 1 or 0,1",
    "profanity": "profanity filter: None, Removed, Tags or Masked",
    "phrases": "phrase list to bias recognition, comma separated (repeat for phrases with commas)",
    "biasing_weight": "how strongly recognition leans towards the phrase list, 0-2",
    "task": "enhanced mode: transcribe, translate (needs --target-language) or off",
    "target_language": "the language a translation is written in, e.g. de or pt-BR",
    "prompt": "guidance for enhanced mode (repeat for several prompts)",
    "model": "MAI-Transcribe-2, MAI-Transcribe-1.5 or MAI-Transcribe-1 instead of the default model",
    "timestamps": "MAI-Transcribe's timing detail: word, segment or none",
    "style": "MAI-Transcribe's style: verbatim or clean",
}
_NOT_FLAGS = ("format", "locales")


def option_fields() -> list[str]:
    return [name for name in OPTION_FIELDS if name not in _NOT_FLAGS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m transcriber",
        description="Transcribe recordings with Azure AI Speech, on the same core and settings as the "
        "Function App. Settings come from the environment, then local.settings.json in the working folder.",
        epilog=exit_codes.SUMMARY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the core does (to stderr)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    transcribe = commands.add_parser(
        "transcribe",
        help="transcribe local audio files",
        description="Send each file to Azure AI Speech and print (or write) its transcript.",
        epilog=exit_codes.SUMMARY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    transcribe.add_argument("files", nargs="+", type=Path, metavar="FILE", help="audio file(s)")
    transcribe.add_argument(
        "-f", "--format", choices=RESPONSE_FORMATS, default="json", help="output format (default: json)"
    )
    transcribe.add_argument(
        "-o", "--out", type=Path, metavar="DIR", help="write <DIR>/<file name>.<format> instead of printing"
    )
    transcribe.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    group = transcribe.add_argument_group("transcription options (as for POST /api/transcribe)")
    for name in option_fields():
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            action="append",
            metavar="VALUE",
            help=OPTION_HELP.get(name, f"the HTTP API's {name!r} option"),
        )

    status = commands.add_parser(
        "status",
        help="show a blob's outcome",
        description="Where a blob of the audio container stands, for its current version, in the "
        "jobs API's words: queued, running (retrying included), deferred (Speech was busy), "
        "succeeded, failed, or not-found.",
        epilog=exit_codes.SUMMARY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    status.add_argument("name", metavar="NAME", help="blob name in the audio container, e.g. meeting.wav")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    backfill.add_parser(commands)
    callback_secret.add_parser(commands)
    return parser
