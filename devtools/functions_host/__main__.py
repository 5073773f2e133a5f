"""`python -m devtools.functions_host APP_DIR`: start the app in the runtime and print its
functions' raw bindings as JSON; exit 1 with the runtime's own error when indexing fails."""

from __future__ import annotations

import argparse
import json
import sys

from devtools.functions_host import FunctionsHost, FunctionsHostError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app_dir", help="folder holding function_app.py and host.json")
    args = parser.parse_args(argv)
    try:
        host = FunctionsHost.start(args.app_dir)
    except FunctionsHostError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps({name: list(info.raw_bindings) for name, info in host.functions.items()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
