"""The command line, `python -m transcriber`, on the same core and settings as the Function App.

Nothing here is imported by function_app: the CLI costs the deployed app nothing.
"""

from transcriber.entry.cli.main import main

__all__ = ["main"]
