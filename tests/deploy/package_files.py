"""Which files a deployment package holds, computed the way each deployment tool computes it.

Two tools publish this app and both read `.funcignore`, differently:

- Azure Functions Core Tools (`func azure functionapp publish`): `GitIgnoreParser`, a regex port
  of the `gitignore-parser` npm package, applied to every file's path relative to the project
  root by `FileSystemHelpers.GetLocalFiles`. Patterns are anchored at the root, `*` needs at
  least one character, a match must end at a word boundary, negations win over everything, and
  directories are never pruned. `.git`/`.vscode` directories and `.funcignore`, `.gitignore`,
  `local.settings.json`, `project.lock.json` files are skipped at any depth.
- azd (`azd deploy`, `createDeployableZip`): real gitignore rules (go-gitignore; `pathspec`'s
  `GitIgnoreSpec` here), ignored directories pruned, plus `.azure` directories, the
  `.funcignore` file and `local.settings.json` skipped at any depth.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pathspec

FUNCIGNORE = ".funcignore"

_CORE_TOOLS_SKIPPED_DIRS = {".git", ".vscode"}
_CORE_TOOLS_SKIPPED_FILES = {".funcignore", ".gitignore", "local.settings.json", "project.lock.json"}
_REGEX_SPECIALS = re.compile(r"[\-\[\]\/\{\}\(\)\+\?\.\\\^\$\|]")


class CoreToolsIgnore:
    """Core Tools' `GitIgnoreParser.Accepts`, rule for rule."""

    def __init__(self, text: str) -> None:
        positives: list[str] = []
        negatives: list[str] = []
        for raw in text.split("\n"):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negative = line.startswith("!")
            if negative:
                line = line[1:]
            if line.startswith("/"):
                line = line[1:]
            (negatives if negative else positives).append(line)
        self._positive = _alternation(positives)
        self._negative = _alternation(negatives)

    def accepts(self, path: str) -> bool:
        """True when `path` (relative, `/`-separated) goes into the package."""
        if self._negative is not None and self._negative.search(path):
            return True
        return self._positive is None or not self._positive.search(path)


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    body = ")|(".join(_prepare(p) for p in sorted(patterns))
    # ECMAScript regexes: \b uses ASCII word characters.
    return re.compile(f"^(({body}))\\b", re.ASCII)


def _prepare(pattern: str) -> str:
    escaped = _REGEX_SPECIALS.sub(lambda m: "\\" + m.group(0), pattern)
    return escaped.replace("**", "(.+)").replace("*", "([^\\/]+)")


def core_tools_files(root: Path) -> set[str]:
    """The files `func azure functionapp publish` zips (before the remote build adds packages)."""
    ignore_file = root / FUNCIGNORE
    ignore = CoreToolsIgnore(ignore_file.read_text(encoding="utf-8")) if ignore_file.exists() else None
    files: set[str] = set()
    start = len(str(root)) + 1
    for dirpath, dirnames, filenames in os.walk(root):
        # Core Tools walks every directory (it never prunes), so this does too.
        dirnames[:] = [d for d in dirnames if d.lower() not in _CORE_TOOLS_SKIPPED_DIRS]
        prefix = dirpath[start:].replace(os.sep, "/")
        for name in filenames:
            if name.lower() in _CORE_TOOLS_SKIPPED_FILES:
                continue
            relative = f"{prefix}/{name}" if prefix else name
            if ignore is None or ignore.accepts(relative):
                files.add(relative)
    return files


def azd_files(root: Path) -> set[str]:
    """The files `azd deploy` zips for a `host: function` service with an ignore file."""
    spec = pathspec.GitIgnoreSpec.from_lines((root / FUNCIGNORE).read_text(encoding="utf-8").splitlines())
    files: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath).relative_to(root)
        dirnames[:] = [
            d for d in dirnames if d != ".azure" and not spec.match_file((base / d).as_posix() + "/")
        ]
        for name in filenames:
            relative = (base / name).as_posix()
            if name in (FUNCIGNORE, "local.settings.json") or spec.match_file(relative):
                continue
            files.add(relative)
    return files
