"""Fixtures for the deployment tests: the parsed host.json, the package Core Tools would build."""

from __future__ import annotations

import json

import pytest

from tests.deploy.bicep_tree import ROOT
from tests.deploy.package_files import core_tools_files


@pytest.fixture
def host_json() -> dict:
    return json.loads((ROOT / "host.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def package() -> set[str]:
    """Paths `func azure functionapp publish` would zip from this checkout (walks ~1 s)."""
    return core_tools_files(ROOT)
