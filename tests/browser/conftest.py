"""The page in a real browser: `make dev` as a subprocess, Debian's chromium driven by Playwright.

Playwright's own browser download is not reachable here, so it launches the `chromium` package
(the Makefile's set-up installs it when missing). axe-core (npm, package.json) is evaluated in the
page through the DevTools protocol, which the page's Content-Security-Policy does not apply to;
the page's own scripts still run under it, and a violation fails the test (`console_errors`).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from devtools.local_services import free_ports
from tests.app.dev.test_make_dev import Dev, running_dev

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = ROOT / "docs" / "screenshots"


@contextlib.contextmanager
def dev_with(folder: Path, **settings: str) -> Iterator[Dev]:
    """`make dev` with the sample's settings and these on top (diarization on by default)."""
    document = json.loads((ROOT / "local.settings.sample.json").read_text())
    document["Values"].update({"TRANSCRIPTION_DIARIZATION_MAX_SPEAKERS": "2", **settings})
    (folder / "local.settings.json").write_text(json.dumps(document, indent=2))
    with running_dev(folder, free_ports(5)) as running:
        yield running


@pytest.fixture(scope="module")
def dev_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """One `make dev` per test module (stopped with it, not left running under later tiers):
    the page at its root, the API under /api, no key locally.

    Diarization is on, so phrases have speakers to name.
    """
    with dev_with(tmp_path_factory.mktemp("dev")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one module. Playwright's sync API runs an event loop in the test thread
    until it stops: kept past the tier, every later asyncio test (pytest-asyncio's runner)
    would fail with "Cannot run the event loop while another loop is running"."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `make setup` installs it (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, dev_app: Dev) -> Iterator[BrowserContext]:
    made = browser.new_context(
        base_url=dev_app.base, accept_downloads=True, viewport={"width": 1100, "height": 900}
    )
    yield made
    made.close()


@pytest.fixture
def console_errors(context: BrowserContext) -> list[str]:
    """Errors the page logged (a CSP violation, an uncaught exception); a test ends with none."""
    return []


@pytest.fixture
def page(context: BrowserContext, console_errors: list[str]) -> Iterator[Page]:
    opened = context.new_page()
    opened.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda error: console_errors.append(str(error)))
    yield opened
    assert [e for e in console_errors if "Content Security Policy" in e or "Uncaught" in e] == []


def wait_until(page: Page, expression: str, timeout: float = 20) -> None:
    """Poll `expression` in the page until it is true. (Playwright's wait_for_function evaluates
    its predicate with eval, which the page's CSP rightly refuses; evaluate goes through the
    DevTools protocol instead.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.05)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it stands."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    result = page.evaluate(f"axe.run(document, {options})")
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png, shown in README: made when missing, or all anew with
    TRANSCRIBER_SCREENSHOTS=1 (a run leaves the committed ones alone otherwise)."""
    path = SCREENSHOTS / f"{name}.png"
    if path.exists() and os.environ.get("TRANSCRIBER_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=False)
