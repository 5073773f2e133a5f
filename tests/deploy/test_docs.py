"""docs/DEPLOY.md and README: the security section exists and names what infra grants; keys travel in headers."""

from __future__ import annotations

import re

from tests.deploy.bicep_tree import ROOT
from tests.deploy.test_security_infra import BUILT_IN_ROLES, grants

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def security_section() -> str:
    text = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    start = text.index("\n## Security\n")
    return text[start : text.index("\n## ", start + 5)]


def test_deploy_security_section_names_every_role_infra_grants() -> None:
    section = security_section()
    granted = {role for (_, _, role) in grants()} | {role for (_, _, role) in grants("app/eventgrid.bicep")}
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
