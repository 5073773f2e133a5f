"""Shared fixtures: real local services (Azurite, Speech emulator, token and ingestion servers)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Each local service contributes a pytest plugin module under tests/fixtures/.
pytest_plugins: list[str] = []

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TRANSCRIBER_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared recordings with reference transcripts (../shared/corpus)."""
    if not (CORPUS / "manifest.tsv").exists():
        raise RuntimeError(f"corpus not found at {CORPUS}; set TRANSCRIBER_CORPUS")
    return CORPUS
