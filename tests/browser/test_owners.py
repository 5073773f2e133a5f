"""Two Entra ID callers on one app (make dev with HTTP_AUTH_MODE=entra): each page lists only its
own recordings, and the API answers another caller's job as a missing one.

App Service Authentication is what signs a browser in and writes X-MS-CLIENT-PRINCIPAL; here each
browser context sends the header it would write, one signed-in person per context.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.app.dev.test_make_dev import Dev
from tests.browser.conftest import axe_violations, dev_with

ROOT = Path(__file__).resolve().parents[2]
ROLE = "Transcribe.Use"
TENANT = "http://schemas.microsoft.com/identity/claims/tenantid"
OBJECT = "http://schemas.microsoft.com/identity/claims/objectidentifier"


def principal(object_id: str) -> str:
    """X-MS-CLIENT-PRINCIPAL as App Service authentication writes it for a signed-in person."""
    claims = [
        {"typ": TENANT, "val": "00000000-0000-0000-0000-00000000aaaa"},
        {"typ": OBJECT, "val": object_id},
        {"typ": "roles", "val": ROLE},
    ]
    document = {"auth_typ": "aad", "claims": claims, "name_typ": "name", "role_typ": "roles"}
    return base64.b64encode(json.dumps(document).encode()).decode()


@pytest.fixture(scope="module")
def entra_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    with dev_with(
        tmp_path_factory.mktemp("entra"),
        HTTP_AUTH_MODE="entra",
        TRANSCRIBE_APP_ROLE=ROLE,
        WEBSITE_AUTH_ENABLED="True",
    ) as running:
        yield running


@pytest.fixture
def people(browser: Browser, entra_app: Dev) -> Iterator[dict[str, BrowserContext]]:
    made = {
        name: browser.new_context(
            base_url=entra_app.base, extra_http_headers={"X-MS-CLIENT-PRINCIPAL": principal(oid)}
        )
        for name, oid in (
            ("alice", "11111111-0000-0000-0000-000000000001"),
            ("bob", "22222222-0000-0000-0000-000000000002"),
        )
    }
    yield made
    for context in made.values():
        context.close()


def test_owners_two_entra_callers_never_see_each_others_recordings(
    people: dict[str, BrowserContext], entra_app: Dev
) -> None:
    alice, bob = people["alice"].new_page(), people["bob"].new_page()
    alice.goto("/")
    alice.set_input_files("#file-input", str(ROOT / "samples" / "jfk.wav"))
    row = alice.locator("#jobs-body tr", has_text="jfk.wav").first
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    job_id = row.get_attribute("data-id")
    assert job_id

    bob.goto("/")
    expect(bob.get_by_role("heading", name="Your transcriptions")).to_be_visible()
    expect(bob.locator("#list-empty")).to_be_visible(timeout=10_000)
    expect(bob.locator("#jobs-body tr")).to_have_count(0)
    assert axe_violations(bob) == []
    bob.goto(f"/#/t/{job_id}")  # Alice's id typed in: the same answer as an id that does not exist
    expect(bob.locator("#transcript-error")).to_have_text("no transcription job has this id", timeout=10_000)

    as_bob = {"X-MS-CLIENT-PRINCIPAL": principal("22222222-0000-0000-0000-000000000002")}
    with httpx.Client(base_url=entra_app.base, headers=as_bob, timeout=10) as api:
        assert api.get("/api/transcriptions").json()["items"] == []
        mine, missing = api.get(f"/api/transcriptions/{job_id}"), api.get(f"/api/transcriptions/{'0' * 32}")
        assert mine.status_code == missing.status_code == 404
        assert mine.json()["error"] == missing.json()["error"]
        assert api.get(f"/api/transcriptions/{job_id}/audio").status_code == 404
    as_alice = {"X-MS-CLIENT-PRINCIPAL": principal("11111111-0000-0000-0000-000000000001")}
    listed = httpx.get(f"{entra_app.base}/api/transcriptions", headers=as_alice, timeout=10).json()
    assert [item["id"] for item in listed["items"]] == [job_id]


def test_owners_a_browser_not_signed_in_gets_the_page_and_its_sign_in_link(
    browser: Browser, entra_app: Dev
) -> None:
    """With Entra ID the page's files load without a session (infra excludes exactly them from
    App Service Authentication); its API calls answer 401, and the page offers signing in."""
    context = browser.new_context(base_url=entra_app.base)
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=10_000)
        link = page.get_by_role("link", name="Sign in")
        expect(link).to_have_attribute("href", "/.auth/login/aad?post_login_redirect_uri=/")
        expect(link).to_be_focused()
        expect(page.locator("#key-form")).to_be_hidden()
        assert axe_violations(page) == []
    finally:
        context.close()
