"""`python -m transcriber`: the command line (see transcriber.entry.cli)."""

import sys

if __name__ == "__main__":  # importing this module (a packaging check does) runs nothing
    from transcriber.entry.cli import main

    sys.exit(main())
