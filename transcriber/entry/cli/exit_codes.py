"""Exit codes scripts can rely on (the BSD sysexits values where one fits)."""

from transcriber.domain.errors import (
    AuthenticationError,
    BlobNotFoundError,
    ServiceError,
    ServiceThrottledError,
    SettingError,
)

OK = 0
FAILED = 1  # a file or blob failed for good (the audio or options were refused)
USAGE = 2  # bad command line (argparse's own code)
NO_INPUT = 66  # a file or blob does not exist
UNAVAILABLE = 69  # the service or storage could not be reached, or refused the credentials
TEMPORARY = 75  # not finished yet (queued, running, deferred) or throttled: try again later
CONFIG = 78  # a setting is missing or invalid
INTERRUPTED = 130  # Ctrl-C

SUMMARY = """exit codes:
  0   every file transcribed / the blob's transcription succeeded
  1   the audio or options were refused (a file failed, the blob failed for good)
  2   bad command line
  66  a file or blob does not exist
  69  Speech or storage unreachable, or credentials refused
  75  not finished yet (queued, running, deferred) or throttled: try again later
  78  a setting is missing or invalid
  130 interrupted"""


def for_error(error: Exception) -> int:
    """The exit code for a core error (the CLI's one mapping, as `entry/http/edge.py` has for statuses)."""
    if isinstance(error, SettingError):
        return CONFIG
    if isinstance(error, BlobNotFoundError | FileNotFoundError):
        return NO_INPUT
    if isinstance(error, ServiceThrottledError):
        return TEMPORARY
    if isinstance(error, AuthenticationError | ServiceError):
        return UNAVAILABLE
    return FAILED
