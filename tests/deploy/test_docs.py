"""README and docs/: README stays short, links every page and resolves; DEPLOY.md's security section names what
infra grants; keys travel in headers."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.deploy.bicep_tree import ROOT
from tests.deploy.test_security_infra import BUILT_IN_ROLES, grants

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def security_section() -> str:
    text = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    start = text.index("\n## Security\n")
    return text[start : text.index("\n## ", start + 5)]


def test_deploy_security_section_names_every_role_infra_grants() -> None:
    section = security_section()
    granted = {
        role
        for path_name in ("app/rbac.bicep", "app/eventgrid.bicep", "app/keyvault-access.bicep")
        for (_, _, role) in grants(path_name)
    }
    assert granted <= set(BUILT_IN_ROLES)
    missing = [role for role in granted if role not in section]
    assert missing == []


def test_deploy_security_section_covers_network_paths_and_data_stores() -> None:
    section = security_section()
    for heading in ("### Roles", "### Network paths", "### Data stores", "### SAS URLs", "### Supply chain"):
        assert heading in section
    for fact in (
        "vnetEnabled",
        "private endpoint",
        "defaultAction: Deny",
        "AUDIO_URL_ENABLED=false",
        "BlobDeleted",
    ):
        assert fact in section, fact
    assert "learn.microsoft.com" in section


def test_docs_examples_always_send_caller_keys_in_the_header() -> None:
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"[?&]code=", line):
                # the blob extension's Event Grid webhook carries its system key in the URL, by design
                assert "runtime/webhooks/blobs" in line or "never" in line, f"{path.name}:{number}: {line}"


README = ROOT / "README.md"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose_lines(path: Path) -> list[str]:
    """The lines of a Markdown file outside its fenced code blocks."""
    lines, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(path: Path) -> set[str]:
    """The fragment ids GitHub gives a file's headings (lower case, punctuation dropped, - for space)."""
    slugs: set[str] = set()
    counts: dict[str, int] = {}
    for line in prose_lines(path):
        heading = re.match(r"#{1,6} (.+)", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-")
            count = counts.get(slug, 0)
            counts[slug] = count + 1
            slugs.add(f"{slug}-{count}" if count else slug)
    return slugs


def relative_links(path: Path) -> list[str]:
    return [
        target
        for line in prose_lines(path)
        for target in LINK.findall(line)
        if not re.match(r"[a-z]+:", target)
    ]


def sh_commands(
    path: Path, first_heading: str | None = None, last_heading: str | None = None
) -> list[list[str]]:
    """The commands of a file's sh blocks (optionally between two headings), as a shell splits them."""
    text = path.read_text(encoding="utf-8")
    if first_heading is not None and last_heading is not None:
        text = text[text.index(first_heading) : text.index(last_heading)]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            words = shlex.split(line, comments=True)
            if words:
                commands.append(words)
    return commands


def test_readme_is_at_most_250_lines() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 250


def test_readme_links_every_docs_page() -> None:
    linked = {target.partition("#")[0] for target in relative_links(README)}
    pages = {f"docs/{page.name}" for page in (ROOT / "docs").glob("*.md")}
    assert pages - linked == set()


def test_docs_relative_links_resolve_to_files_and_headings() -> None:
    broken = []
    for path in DOCS:
        for target in relative_links(path):
            name, _, fragment = target.partition("#")
            linked = (path.parent / name).resolve() if name else path
            if not linked.exists():
                broken.append(f"{path.name}: {target}")
            elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
                broken.append(f"{path.name}: {target} (no such heading)")
    assert broken == []


def test_readme_examples_are_the_documented_ones() -> None:
    """README's one example per API is taken from the reference pages (whose job and upload
    examples tests/app/dev/test_make_dev.py runs), so the two never drift apart."""
    documented = [command for page in (ROOT / "docs").glob("*.md") for command in sh_commands(page)]
    examples = sh_commands(README, "## One example per API", "## One outcome per blob version")
    assert len(examples) >= 8
    assert [command for command in examples if command not in documented] == []


CORE_PATH = re.compile(r"(?<![\w./-])transcriber/[\w./-]*")
CORE_MODULE = re.compile(r"(?<![\w./-])transcriber(?:\.[A-Za-z_]\w*)+")
# ARCHITECTURE.md names the core's files from its layers down: `flows/routing.py` is transcriber/flows/routing.py.
LAYER_PATH = re.compile(r"`((?:entry|flows|adapters|config|domain)/[\w./-]*)`")


def core_names(path: Path) -> list[tuple[str, Path]]:
    """Every core path or module a page names, with the file or folder it must be."""
    text = path.read_text(encoding="utf-8")
    found = [(match, ROOT / match.rstrip(".")) for match in CORE_PATH.findall(text)]
    for module in CORE_MODULE.findall(text):
        base = ROOT.joinpath(*module.split("."))
        found.append((module, base if base.is_dir() else base.with_suffix(".py")))
    if path.name == "ARCHITECTURE.md":
        found += [(match, ROOT / "transcriber" / match) for match in LAYER_PATH.findall(text)]
    return found


def test_docs_name_only_core_paths_and_modules_that_exist() -> None:
    named = [(path.name, name, target) for path in DOCS for name, target in core_names(path)]
    assert len(named) >= 10
    assert [f"{page}: {name}" for page, name, target in named if not target.exists()] == []
