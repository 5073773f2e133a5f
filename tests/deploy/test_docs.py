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


DEPLOY = ROOT / "docs" / "DEPLOY.md"


def section(path: Path, heading: str) -> str:
    """A page's text from `heading` to the next heading of its level."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n{heading}\n")
    level = heading.split(" ", 1)[0]
    end = text.find(f"\n{level} ", start + len(heading) + 2)
    return text[start : end if end > 0 else len(text)]


def test_deploy_resource_table_names_every_container_infra_creates() -> None:
    bicep = (ROOT / "infra" / "main.bicep").read_text(encoding="utf-8")
    containers = re.findall(r"param \w+ContainerName string = '([^']+)'", bicep)
    row = next(
        line for line in DEPLOY.read_text(encoding="utf-8").splitlines() if line.startswith("| Data storage")
    )
    assert len(containers) == 3 and [name for name in containers if f"`{name}`" not in row] == []


def test_deploy_key_for_the_http_endpoint_opens_every_keyed_route() -> None:
    """A function's own key (`function keys list --function-name transcribe`) opens that function
    only, not /api/transcriptions, /api/uploads or /api/health/deep: the host key opens them all."""
    text = section(DEPLOY, "## Call the HTTP endpoint")
    [key] = re.findall(r"KEY=\$\(az functionapp ([^)]*)\)", text.replace("\\\n", " "))
    assert key.startswith("keys list ") and "functionKeys.default" in key and "--function-name" not in key
    for route in ("/api/transcriptions", "/api/uploads", "/api/health/deep"):
        assert route in text, route


def test_deploy_states_the_code_s_defaults_and_a_core_tools_version() -> None:
    from transcriber.domain.setting_names import SERVICE_MAX_BYTES

    text = DEPLOY.read_text(encoding="utf-8")
    stated = re.findall(r"`MAX_AUDIO_BYTES`,\s+(\d+) MiB by default", text)
    assert stated and {int(mib) * 1024 * 1024 for mib in stated} == {SERVICE_MAX_BYTES}
    assert re.search(r"Core Tools v4\]\([^)]*\) \(`func`\),\s+4\.0\.\d{4} or later", text)


def test_deploy_and_readme_say_before_azd_up_what_trying_it_needs() -> None:
    """With the default vnetEnabled and no deployer access, Try it gets 403: say so before azd up."""
    option_a = section(DEPLOY, "## Option A: one command with azd")
    readme = section(README, "## Deploy to Azure")
    for text in (option_a[: option_a.index("```")], readme[: readme.index("```")]):  # before the commands
        assert "DEPLOYER_DATA_ACCESS" in text and "ALLOWED_IP_ADDRESSES" in text


def test_api_uploads_says_the_storage_firewall_refuses_other_clients() -> None:
    text = section(ROOT / "docs" / "API.md", "### Uploads past 100 MB: straight to the container")
    assert "allowedIpAddresses" in text and "403" in text
