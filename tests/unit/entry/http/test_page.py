"""The page's files: served by exact name from transcriber/web/, with the page's security headers."""

from __future__ import annotations

import json

import pytest

from tests.unit.builders import build
from tests.unit.entry.http.owners_world import install
from transcriber.entry.http.page import WEB_DIR, serve_page


@pytest.fixture(autouse=True)
async def world(monkeypatch: pytest.MonkeyPatch):
    return install(build(), monkeypatch, entra=False)


async def test_page_root_is_index_html_with_a_strict_policy() -> None:
    reply = await serve_page("")
    assert reply.status == 200 and reply.content_type.startswith("text/html")
    assert reply.body == (WEB_DIR / "index.html").read_text(encoding="utf-8")
    policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("name", sorted(p.name for p in WEB_DIR.iterdir() if p.is_file()))
async def test_page_every_file_of_the_page_is_served_with_its_type(name: str) -> None:
    reply = await serve_page(name)
    assert reply.status == 200, name
    suffix = name.rsplit(".", 1)[1]
    expected = {"html": "text/html", "js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
    assert reply.content_type.startswith(expected[suffix])


@pytest.mark.parametrize(
    "path", ["missing.js", "../page.py", "..%2Fpage.py", "web/index.html", "APP.JS", ".hidden.js", "page.py"]
)
async def test_page_anything_else_is_the_json_404(path: str) -> None:
    reply = await serve_page(path)
    assert reply.status == 404 and reply.content_type == "application/json"
    assert json.loads(reply.body)["error"]["code"] == "NotFound"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_page_scripts_and_markup_hold_no_inline_script_or_style_and_no_other_origin() -> None:
    for file in WEB_DIR.iterdir():
        text = file.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert "http://" not in text and "https://" not in text, file
        if file.suffix == ".html":
            assert "<script>" not in text and "style=" not in text and " on" + "click=" not in text


async def test_page_config_lets_large_files_go_straight_to_the_audio_account() -> None:
    reply = await serve_page("config.json")
    assert reply.status == 200 and reply.content_type == "application/json"
    assert json.loads(reply.body) == {
        "auth": "function",
        "directUploads": True,
        "directFromBytes": 16 * 1024 * 1024,
        "appLimitBytes": 104_792_064,
    }
    # the page may PUT to the blob endpoint (Azurite's here) and nowhere else
    policy = reply.headers["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:10000;" in policy


async def test_page_config_without_direct_uploads_keeps_the_page_to_its_origin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    install(build({"PAGE_DIRECT_UPLOADS": "false", "MAX_AUDIO_BYTES": "1000"}), monkeypatch, entra=False)
    reply = await serve_page("config.json")
    config = json.loads(reply.body)
    assert (config["directUploads"], config["appLimitBytes"]) == (False, 1000)
    assert "connect-src 'self';" in reply.headers["Content-Security-Policy"]
    assert "connect-src 'self';" in (await serve_page("")).headers["Content-Security-Policy"]
