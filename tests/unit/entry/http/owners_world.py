"""The HTTP entries on fakes, called as Entra ID callers or key holders (shared by the owner tests)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from tests.unit.builders import World, build, wav
from transcriber import services
from transcriber.entry.http.edge import HttpReply
from transcriber.entry.http.jobs import create_job, job_status, list_jobs
from transcriber.entry.http.uploads import create_upload

API = "https://app.example/api"
ROLE, ADMIN = "Transcribe.Invoke", "Transcribe.Admin"
TENANT = "11111111-1111-1111-1111-111111111111"
ENTRA = {"HTTP_AUTH_MODE": "entra", "TRANSCRIBE_APP_ROLE": ROLE, "TRANSCRIBE_ADMIN_ROLE": ADMIN}


def principal(object_id: str, *roles: str, tenant: str = TENANT, short: bool = False) -> dict[str, str]:
    """X-MS-CLIENT-PRINCIPAL as App Service authentication writes it; `short` claim types
    (`tid`, `oid`) as a token without the long names has them."""
    tid = "tid" if short else "http://schemas.microsoft.com/identity/claims/tenantid"
    oid = "oid" if short else "http://schemas.microsoft.com/identity/claims/objectidentifier"
    claims = [
        {"typ": tid, "val": tenant},
        {"typ": oid, "val": object_id},
        *({"typ": "roles", "val": role} for role in roles),
    ]
    document = {"auth_typ": "aad", "claims": claims, "role_typ": "roles"}
    return {"X-MS-CLIENT-PRINCIPAL": base64.b64encode(json.dumps(document).encode()).decode()}


ALICE = principal("alice", ROLE)
BOB = principal("bob", ROLE)
ADMIN_CALLER = principal("carol", ROLE, ADMIN)
KEY: dict[str, str] = {}  # key mode: the host checked the function key


def install(world: World, monkeypatch: pytest.MonkeyPatch, *, entra: bool) -> World:
    """Make `world` the running loop's service, App Service authentication on when `entra`."""
    monkeypatch.setitem(services._services, asyncio.get_running_loop(), world.service)
    monkeypatch.setenv("WEBSITE_AUTH_ENABLED", "True" if entra else "False")
    return world


def entra_world(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str] | None = None) -> World:
    return install(build({**ENTRA, **(environ or {})}), monkeypatch, entra=True)


def body(reply: HttpReply) -> Any:
    return json.loads(reply.body)


async def post_job(caller: dict[str, str], query: str = "", **headers: str) -> HttpReply:
    return await create_job(
        f"{API}/transcriptions{query}", {"Content-Type": "audio/wav", **headers, **caller}, wav()
    )


async def post_blob_job(caller: dict[str, str], blob: str) -> HttpReply:
    document = json.dumps({"blob": blob}).encode()
    return await create_job(f"{API}/transcriptions", {"Content-Type": "application/json", **caller}, document)


async def post_upload(caller: dict[str, str], name: str) -> HttpReply:
    document = json.dumps({"name": name}).encode()
    return await create_upload({"Content-Type": "application/json", **caller}, document)


async def get_job(caller: dict[str, str], job_id: str, query: str = "") -> HttpReply:
    return await job_status(f"{API}/transcriptions/{job_id}{query}", caller, job_id)


async def get_list(caller: dict[str, str], query: str = "") -> HttpReply:
    return await list_jobs(f"{API}/transcriptions{query}", caller)


async def succeeded_job(world: World, caller: dict[str, str], result: dict[str, Any]) -> str:
    """A job of `caller` that succeeded with `result` as its transcript (its run skipped)."""
    from transcriber.domain.names import output_name
    from transcriber.domain.statuses import SUCCEEDED
    from transcriber.flows.jobs import records

    job_id = body(await post_job(caller))["id"]
    record = await records.read_job(world.service, job_id)
    assert record is not None
    record.status, record.outputs = SUCCEEDED, [output_name(record.source.name, "json")]
    await records.write_job(world.service, record)
    world.store.upload(
        world.settings.transcripts_container,
        output_name(record.source.name, "json"),
        json.dumps(result).encode(),
        "application/json",
    )
    return job_id


async def put_names(caller: dict[str, str], job_id: str, document: object) -> HttpReply:
    from transcriber.entry.http.speakers import put_speakers

    return await put_speakers(caller, job_id, json.dumps(document).encode())
