"""The REST API against a real aiohttp server and a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.models import Debtor, ScriptResult
from dialer.web.api import CAMPAIGN_ACTIONS
from dialer.web.app import create_app
from dialer.web.openapi import DOCUMENT
from tests.integration.web.web_env import CAMPAIGN, RunningApp, basic, running_app

SUPERVISOR = basic("supervisor", "supervisor")
AGENT = basic("agent1001", "agent1001")
TIMEOUT = aiohttp.ClientTimeout(total=30)


@pytest.fixture
async def server(sessions: async_sessionmaker[Any]) -> AsyncIterator[RunningApp]:
    async with running_app(sessions) as app:
        yield app


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        yield session


async def test_openapi_lists_every_api_route(
    server: RunningApp, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{server.url}/api/openapi.json") as response:
        doc = await response.json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/campaigns/{name}/stats", "/api/agents/{login}/disposition", "/api/events"):
        assert path in doc["paths"]


async def test_status(server: RunningApp, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/api/status", headers=SUPERVISOR) as response:
        status = await response.json()
    assert status["database"] == "ok" and status["campaign_controls"] and status["agent_desk"]


async def test_campaign_stats_json_and_csv(server: RunningApp, http: aiohttp.ClientSession) -> None:
    url = f"{server.url}/api/campaigns/{CAMPAIGN}/stats"
    async with http.get(url, headers=SUPERVISOR) as response:
        assert response.status == 200
        stats = await response.json()
    assert stats["counts"]["dialled"] > 100
    assert [r["window"] for r in stats["abandon"]] == ["campaign", "30d", "24h"]
    assert 0 < stats["penetration_pct"] <= 75
    assert stats["buckets"] and "dial_ratio" in stats["buckets"][0]
    async with http.get(url, params={"format": "csv"}, headers=SUPERVISOR) as response:
        assert response.content_type == "text/csv"
        assert (await response.text()).startswith("metric,value\n")
    params = {"format": "csv", "part": "buckets"}
    async with http.get(url, params=params, headers=SUPERVISOR) as response:
        assert (await response.text()).startswith("start,dialled,human,connected")
    async with http.get(f"{server.url}/api/campaigns/nope/stats", headers=SUPERVISOR) as response:
        assert response.status == 404
        assert "nope" in (await response.json())["error"]


async def test_controls_reach_the_campaign_runtime(
    server: RunningApp, http: aiohttp.ClientSession
) -> None:
    base = f"{server.url}/api/campaigns/{CAMPAIGN}"
    async with http.post(f"{base}/start", headers=SUPERVISOR) as response:
        assert response.status == 200
        assert (await response.json())["pacing"]["status"] == "running"
    body = {"mode": "progressive", "target_abandon_pct": 2.5, "max_ratio": 2.0}
    async with http.put(f"{base}/pacing", json=body, headers=SUPERVISOR) as response:
        view = await response.json()
    assert (view["mode"], view["target_abandon_pct"], view["max_ratio"]) == (
        "progressive",
        2.5,
        2.0,
    )
    assert server.controls.calls == [("start", CAMPAIGN), ("set_pacing", CAMPAIGN)]
    async with http.get(f"{server.url}/api/pacing/history", headers=SUPERVISOR) as response:
        [event] = await response.json()  # the settings change was published for the chart
    assert (event["type"], event["campaign"], event["mode"]) == ("pacing", CAMPAIGN, "progressive")
    async with http.put(f"{base}/pacing", json={"mode": "turbo"}, headers=SUPERVISOR) as response:
        assert response.status == 400
    await server.controls.stop(CAMPAIGN)
    async with http.post(f"{base}/pause", headers=SUPERVISOR) as response:
        assert response.status == 409  # the runtime refused: shown to the supervisor


async def test_agent_role_cannot_use_controls_or_others_desks(
    server: RunningApp, http: aiohttp.ClientSession
) -> None:
    base = f"{server.url}/api/campaigns/{CAMPAIGN}"
    async with http.post(f"{base}/start", headers=AGENT) as response:
        assert response.status == 403
    async with http.get(f"{base}/stats", headers=AGENT) as response:
        assert response.status == 403
    url = f"{server.url}/api/agents/1002/state"
    async with http.post(url, json={"action": "ready"}, headers=AGENT) as response:
        assert response.status == 403
    async with http.get(f"{server.url}/api/agents", headers=AGENT) as response:
        assert [a["login"] for a in await response.json()] == ["1001"]
    assert server.controls.calls == []


async def test_unauthenticated_requests(server: RunningApp, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/api/agents") as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    bad = basic("supervisor", "nope")
    async with http.get(f"{server.url}/api/agents", headers=bad) as response:
        assert response.status == 401
    async with http.get(f"{server.url}/", allow_redirects=False) as response:
        assert response.status == 302
        assert response.headers["Location"].startswith("/login")


async def test_login_form_sets_a_session_cookie(server: RunningApp) -> None:
    # unsafe=True: keep cookies for a bare IP address, as browsers do.
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(timeout=TIMEOUT, cookie_jar=jar) as browser:
        form = {"name": "agent1003", "password": "agent1003", "next": "/"}
        async with browser.post(f"{server.url}/login", data=form) as response:
            assert response.status == 200
            assert str(response.url).endswith("/agent/1003")
            assert 'data-login="1003"' in await response.text()
        async with browser.get(f"{server.url}/api/me") as response:
            assert (await response.json())["agent_login"] == "1003"
        async with browser.get(f"{server.url}/agent/1004") as response:
            assert response.status == 403
        async with browser.post(f"{server.url}/login", data={"name": "x", "password": "y"}) as r:
            assert r.status == 401


async def test_agent_states_and_disposition(
    server: RunningApp, http: aiohttp.ClientSession, sessions: async_sessionmaker[Any]
) -> None:
    url = f"{server.url}/api/agents/1001"
    async with http.post(f"{url}/state", json={"action": "ready"}, headers=AGENT) as response:
        assert (await response.json())["state"] == "ready"
    async with http.post(f"{url}/state", json={"action": "pause"}, headers=AGENT) as response:
        assert response.status == 400
    debtor = server.seeded.debtor_ids[20]
    body = {
        "debtor_id": debtor,
        "kind": "promise_to_pay",
        "amount": "450.00",
        "currency": "PLN",
        "promised_date": "2026-12-10",
    }
    async with http.post(f"{url}/disposition", json=body, headers=AGENT) as response:
        assert response.status == 201
        result_id = (await response.json())["id"]
    async with sessions() as session:
        stored = (
            await session.execute(select(ScriptResult).where(ScriptResult.id == result_id))
        ).scalar_one()
    assert (stored.kind, str(stored.amount), stored.debtor_id) == (
        "promise_to_pay",
        "450.00",
        debtor,
    )
    async with http.get(f"{server.url}/api/debtors/{debtor}", headers=AGENT) as response:
        case = await response.json()
    assert case["results"][0]["kind"] == "promise_to_pay"
    assert len(case["phones"]) == 2 and case["creditor"] == "Bank Północny"


async def test_reports(server: RunningApp, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{server.url}/api/reports/agents", headers=SUPERVISOR) as response:
        rows = await response.json()
    assert {r["login"] for r in rows} >= {"1001"}
    params = {"campaign": CAMPAIGN}
    async with http.get(
        f"{server.url}/api/reports/results", params=params, headers=SUPERVISOR
    ) as r:
        report = await r.json()
    assert report["groups"][0]["creditor"] == "Bank Północny"
    assert report["projection"]["debtors_remaining"] == 60
    params["format"] = "csv"
    async with http.get(
        f"{server.url}/api/reports/results", params=params, headers=SUPERVISOR
    ) as r:
        assert (await r.text()).startswith("creditor,portfolio,currency,promises")


async def test_pages_render(server: RunningApp, http: aiohttp.ClientSession) -> None:
    admin = basic("admin", "admin")
    for path, text in [
        ("/", "Supervisor dashboard"),
        ("/reports", "Agent performance"),
        ("/admin/campaigns", CAMPAIGN),
        ("/admin/lists", "Load a debtor list"),
        ("/admin/scripts", "IVR scripts"),
        ("/agent/1001", "Waiting for a call"),
    ]:
        async with http.get(f"{server.url}{path}", headers=admin) as response:
            assert response.status == 200, path
            assert text in await response.text(), path
    async with http.get(f"{server.url}/admin/lists", headers=SUPERVISOR) as response:
        assert response.status == 403
    async with http.get(f"{server.url}/static/dashboard.js") as response:
        assert response.status == 200


async def test_csv_upload_imports_through_the_lists_package(
    server: RunningApp, http: aiohttp.ClientSession, sessions: async_sessionmaker[Any]
) -> None:
    csv_text = (
        "account_id,first_name,last_name,balance,currency,phone1\n"
        "A-1,Ewa,Nowak,1200.50,PLN,601 234 567\n"
        "A-2,Adam,Zięba,,PLN,601 234 568\n"
    )
    form = aiohttp.FormData()
    form.add_field("campaign", "upload-test")
    form.add_field("file", csv_text.encode(), filename="list.csv", content_type="text/csv")
    admin = basic("admin", "admin")
    async with http.post(f"{server.url}/admin/lists", data=form, headers=admin) as response:
        page = await response.text()
    assert response.status == 200
    assert "Imported" in page and "balance" in page  # row 3 names its bad field
    async with sessions() as session:
        accounts = (await session.execute(select(Debtor.account_id))).scalars().all()
    assert "A-1" in accounts and "A-2" not in accounts
    form = aiohttp.FormData()
    form.add_field("campaign", "upload-test")
    form.add_field("file", b"x", filename="list.csv", content_type="text/csv")
    async with http.post(f"{server.url}/admin/lists", data=form, headers=SUPERVISOR) as response:
        assert response.status == 403


async def test_every_api_route_is_documented(
    server: RunningApp, http: aiohttp.ClientSession, sessions: async_sessionmaker[Any]
) -> None:
    async with http.get(f"{server.url}/api/openapi.json") as response:
        assert await response.json() == DOCUMENT
    routes = set()
    for resource in create_app(sessions).router.resources():
        path = resource.canonical
        if path.startswith("/api/"):
            actions = CAMPAIGN_ACTIONS if "{action}" in path else ("",)
            routes |= {path.replace("{action}", action) for action in actions}
    assert routes - {"/api/openapi.json"} == set(DOCUMENT["paths"])
