"""Import a built deployment package as the Functions Python worker would, and report on it.

Run as `python -I -S index_functions.py <wwwroot>`: no site-packages, no PYTHONPATH, no user
site, so only the standard library, the package and its `.python_packages/lib/site-packages`
(what the remote build installs) can be imported, as in Azure. Prints JSON: every function
with the bindings the host indexes, every module of the core package (imported the way the
first invocations import them), and any module that came from anywhere else.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import sysconfig
from pathlib import Path


def main(wwwroot: Path) -> dict[str, object]:
    site = wwwroot / ".python_packages" / "lib" / "site-packages"
    sys.path[:0] = [str(wwwroot), str(site)]

    import function_app

    functions = [
        {"name": f.get_function_name(), "bindings": [json.loads(b) for b in f.get_raw_bindings()]}
        for f in function_app.app.get_functions()
    ]

    import transcriber

    core = sorted(info.name for info in pkgutil.walk_packages(transcriber.__path__, prefix="transcriber."))
    for name in core:
        importlib.import_module(name)

    allowed = [
        wwwroot.resolve(),
        site.resolve(),
        *(Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib")),
    ]
    foreign = sorted(
        f"{name}: {module.__file__}"
        for name, module in list(sys.modules.items())
        if name != "__main__"
        and getattr(module, "__file__", None)
        and not any(Path(module.__file__).resolve().is_relative_to(a) for a in allowed)
    )
    return {"functions": functions, "core_modules": core, "foreign_modules": foreign}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]).resolve())))
