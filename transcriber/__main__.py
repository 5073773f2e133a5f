"""`python -m transcriber`: the command line (see transcriber.cli)."""

import sys

from transcriber.cli import main

sys.exit(main())
