""".funcignore: both deployment tools build the same package, and it holds only the app."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.bicep_tree import ROOT
from tests.deploy.package_files import CoreToolsIgnore, azd_files, core_tools_files

EXCLUDED_TOP = (
    "tests",
    "devtools",
    "bench",
    "infra",
    "docs",
    "samples",
    "node_modules",
    ".venv",
    ".ci",
    ".git",
    ".github",
    ".azure",
    ".azurite",
    ".demo",
    ".pytest_cache",
    ".ruff_cache",
    ".python_packages",
)
EXCLUDED_FILES = (
    "Makefile",
    "requirements-dev.in",
    "requirements-dev.txt",
    "pyproject.toml",
    "package.json",
    "package-lock.json",
    "azure.yaml",
    "README.md",
    "local.settings.json",
    "local.settings.sample.json",
    ".gitignore",
    ".funcignore",
)


@pytest.mark.parametrize(
    ("path", "accepted"),
    [
        ("node_modules/a.js", False),
        ("lib/node_modules/a.js", True),  # patterns are anchored at the root
        ("app.log", False),
        ("logs/app.log", True),  # `*` never crosses a `/`
        ("build/out.txt", False),
        ("build.py", False),  # a match only has to end at a word boundary
        ("buildout.txt", True),
        ("src/deep/gen/x.py", False),  # `**` spans directories
        ("keep.log", True),  # a negation wins whatever its position
        ("local.settings.json", True),  # `*` needs at least one character
        ("local.settings.dev.json", False),
    ],
)
def test_core_tools_ignore_with_sample_patterns_matches_core_tools_rules(path: str, accepted: bool) -> None:
    ignore = CoreToolsIgnore(
        "!/keep.log\n# comment\nnode_modules\n*.log\n/build\nsrc/**/gen\nlocal.settings*.json\n"
    )
    assert ignore.accepts(path) is accepted


def test_funcignore_when_applied_by_core_tools_and_azd_builds_the_same_package(package: set[str]) -> None:
    assert package == azd_files(ROOT)


def funcignore_patterns() -> list[str]:
    lines = (ROOT / ".funcignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_funcignore_always_anchors_its_patterns() -> None:
    """Anchored patterns are read alike by Core Tools and by gitignore rules (azd)."""
    patterns = [p.removeprefix("!") for p in funcignore_patterns()]
    assert patterns
    assert [p for p in patterns if not p.startswith(("/", "**/"))] == []


def test_funcignore_is_an_allow_list_that_excludes_everything_first() -> None:
    patterns = funcignore_patterns()
    assert patterns[:2] == ["/*", "/transcriber/**/*"]
    assert all(p.startswith("!") for p in patterns[2:])


ALLOWED = re.compile(
    r"(function_app\.py|host\.json|requirements\.txt|transcriber/([\w.-]+/)*[\w.-]+\.py"
    r"|transcriber/web/[\w.-]+\.(html|js|css|svg))"
)


def test_package_holds_nothing_the_allow_list_does_not_name(package: set[str]) -> None:
    assert [p for p in package if not ALLOWED.fullmatch(p)] == []
    assert {"function_app.py", "host.json", "requirements.txt"} <= package


def test_package_always_includes_the_app_and_its_core(package: set[str]) -> None:
    assert {"function_app.py", "host.json", "requirements.txt", "transcriber/__init__.py"} <= package
    core = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "transcriber").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert core <= package
    page = {p.relative_to(ROOT).as_posix() for p in (ROOT / "transcriber" / "web").iterdir() if p.is_file()}
    assert "transcriber/web/index.html" in page and page <= package  # the page the app serves


def test_package_always_excludes_tests_tools_infra_and_local_state(package: set[str]) -> None:
    assert not [p for p in package if p.split("/", 1)[0] in EXCLUDED_TOP]
    assert not [p for p in package if p in EXCLUDED_FILES or p.endswith(".pyc") or "__pycache__/" in p]


def test_funcignore_with_nested_caches_and_docs_gives_both_tools_one_answer(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".funcignore", tmp_path / ".funcignore")
    for relative in (
        "function_app.py",
        "host.json",
        "README.md",
        "local.settings.json",
        "local.settings.sample.json",
        "__pycache__/function_app.cpython-311.pyc",
        "transcriber/a.py",
        "transcriber/notes.md",
        "transcriber/__pycache__/a.cpython-311.pyc",
        "transcriber/sub/__pycache__/b.cpython-311.pyc",
        "tests/test_a.py",
        ".azure/env/.env",
        "infra/main.bicep",
    ):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    expected = {"function_app.py", "host.json", "transcriber/a.py"}
    assert core_tools_files(tmp_path) == expected
    assert azd_files(tmp_path) == expected


STRAYS = (
    ".env",
    "id_rsa",
    "server.pem",
    "new_module.py",
    "notes/plan.md",
    "local.settings.json",
    "local.settings.prod.json",
    "transcriber/.env",
    "transcriber/secret.pem",
    "transcriber/data/export.csv",
    "transcriber/__pycache__/a.cpython-313.pyc",
    "transcriber/sub/__pycache__/b.cpython-313.pyc",
    ".azure/prod/.env",
    ".cache/sdk-samples/sample.wav",
)


def test_funcignore_with_stray_secrets_ships_only_the_allowed_files(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".funcignore", tmp_path / ".funcignore")
    wanted = ("function_app.py", "host.json", "requirements.txt", "transcriber/a.py", "transcriber/sub/b.py")
    for relative in (*wanted, *STRAYS):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    assert core_tools_files(tmp_path) == set(wanted)
    assert azd_files(tmp_path) == set(wanted)
    if shutil.which("git"):  # real gitignore rules, the ones azd implements
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        shutil.copy(ROOT / ".funcignore", tmp_path / ".gitignore")
        listed = subprocess.run(
            ["git", "add", "--dry-run", "-A", "."], cwd=tmp_path, capture_output=True, text=True, check=True
        ).stdout
        assert {line.split("'")[1] for line in listed.splitlines()} == set(wanted)
