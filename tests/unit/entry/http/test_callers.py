"""A browser's request from another site is refused before anything is stored (Fetch Metadata)."""

from __future__ import annotations

import pytest

from tests.unit.builders import build
from tests.unit.entry.http.owners_world import ALICE, KEY, body, entra_world, install, post_job


@pytest.mark.parametrize("site", ["cross-site", "same-site", "CROSS-SITE", "anything"])
@pytest.mark.parametrize("entra", [True, False])
async def test_callers_another_sites_page_is_refused_and_nothing_is_stored(
    site: str, entra: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = entra_world(monkeypatch) if entra else install(build(), monkeypatch, entra=False)
    reply = await post_job(ALICE if entra else KEY, **{"Sec-Fetch-Site": site})
    assert (reply.status, body(reply)["error"]["code"]) == (403, "Forbidden")
    assert "another site" in body(reply)["error"]["message"]
    assert world.jobs.messages == []
    assert world.store.names(world.settings.audio_container) == []
    assert world.store.names(world.settings.failures_container) == []


@pytest.mark.parametrize("site", ["same-origin", "none", None])
async def test_callers_the_page_itself_a_typed_url_and_non_browsers_pass(
    site: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    entra_world(monkeypatch)
    headers = {} if site is None else {"Sec-Fetch-Site": site}
    assert (await post_job(ALICE, **headers)).status == 202
