"""The command line, `python -m transcriber`, on the same core and settings as the Function App.

    parser.py      commands, options and help (argparse)
    environment.py settings from the environment over local.settings.json
    exit_codes.py  what scripts can test
    transcribe.py  `transcribe FILE...`
    status.py      `status NAME`

Nothing here is imported by function_app: the CLI costs the deployed app nothing.
"""

from transcriber.entry.cli.main import main

__all__ = ["main"]
