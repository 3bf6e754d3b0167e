"""REST API: campaigns, statistics, pacing controls, reports and debtor cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from dialer.db.models import Campaign, Debtor, PauseReason, ScriptResult
from dialer.db.types import utcnow
from dialer.reporting.agents import agent_performance
from dialer.reporting.campaign import UnknownCampaign, campaign_stats
from dialer.reporting.csvexport import csv_text
from dialer.reporting.results import script_results
from dialer.web import api_agents, events, openapi
from dialer.web.auth import EVERYONE, STAFF, allow, current_user
from dialer.web.cases import debtor_case
from dialer.web.jsonout import error, plain, query_number, read_json, reply
from dialer.web.keys import LIVE_KEY, RUNTIME_KEY, SESSIONS_KEY
from dialer.web.ports import CampaignControls, ControlError, PacingUpdate

CAMPAIGN_ACTIONS = ("start", "pause", "resume", "stop")


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/openapi.json", openapi.document)
    r.add_get("/api/status", status)
    r.add_get("/api/me", me)
    r.add_get("/api/campaigns", list_campaigns)
    r.add_get("/api/campaigns/{name}/stats", stats)
    r.add_get("/api/campaigns/{name}/pacing", get_pacing)
    r.add_put("/api/campaigns/{name}/pacing", put_pacing)
    r.add_post(f"/api/campaigns/{{name}}/{{action:{'|'.join(CAMPAIGN_ACTIONS)}}}", campaign_action)
    r.add_get("/api/reports/agents", agents_report)
    r.add_get("/api/reports/results", results_report)
    r.add_get("/api/results", list_results)
    r.add_get("/api/debtors/{id:\\d+}", get_debtor)
    r.add_get("/api/pause-reasons", pause_reasons)
    r.add_get("/api/events", events.stream)
    r.add_get("/api/pacing/history", pacing_history)
    api_agents.add_routes(app)


def _csv_or_json(
    request: web.Request, rows: list[dict[str, object]], body: Any, name: str
) -> web.Response:
    if request.query.get("format") == "csv":
        return web.Response(
            text=csv_text(rows),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return reply(body)


def _controls(request: web.Request) -> CampaignControls:
    controls = request.app[RUNTIME_KEY].controls
    if controls is None:
        raise error(503, "no campaign runtime in this process: controls are unavailable")
    return controls


@allow(*STAFF)
async def status(request: web.Request) -> web.Response:
    """Health of the web side and of what it is wired to."""
    runtime = request.app[RUNTIME_KEY]
    try:
        async with request.app[SESSIONS_KEY]() as session:
            await session.execute(select(1))
        database = "ok"
    except Exception as exc:  # report it, do not fail the health page
        database = f"error: {exc}"
    return reply(
        {
            "web": "ok",
            "database": database,
            "campaign_controls": runtime.controls is not None,
            "agent_desk": runtime.acd is not None,
            "live_clients": request.app[LIVE_KEY].clients,
        }
    )


@allow(*EVERYONE)
async def me(request: web.Request) -> web.Response:
    user = current_user(request)
    return reply({"name": user.name, "role": user.role, "agent_login": user.agent_login})


@allow(*STAFF)
async def list_campaigns(request: web.Request) -> web.Response:
    controls = request.app[RUNTIME_KEY].controls
    async with request.app[SESSIONS_KEY]() as session:
        rows = (
            await session.execute(
                select(Campaign, func.count(Debtor.id))
                .outerjoin(Debtor, Debtor.campaign_id == Campaign.id)
                .group_by(Campaign.id)
                .order_by(Campaign.name)
            )
        ).all()
    return reply(
        [
            {
                "id": campaign.id,
                "name": campaign.name,
                "status": campaign.status,
                "debtors": debtors,
                "created_at": campaign.created_at,
                "pacing": controls.pacing(campaign.name) if controls else None,
            }
            for campaign, debtors in rows
        ]
    )


@allow(*STAFF)
async def stats(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    try:
        fp_rate = float(request.query.get("amd_false_positive_rate", "0"))
        minutes = float(request.query.get("bucket_minutes", "15"))
        report = await campaign_stats(
            request.app[SESSIONS_KEY],
            name,
            amd_false_positive_rate=fp_rate,
            bucket=timedelta(minutes=minutes),
        )
    except UnknownCampaign:
        raise error(404, f"no campaign named {name!r}") from None
    except ValueError as exc:
        raise error(400, str(exc)) from None
    if request.query.get("part") == "buckets":
        return _csv_or_json(request, report.bucket_rows(), report, f"campaign-{name}-buckets")
    return _csv_or_json(request, report.rows(), report, f"campaign-{name}")


@allow(*STAFF)
async def get_pacing(request: web.Request) -> web.Response:
    view = _controls(request).pacing(request.match_info["name"])
    if view is None:
        raise error(404, "campaign not loaded in the dialer")
    return reply(view)


def _pacing_update(body: Any) -> PacingUpdate:
    if not isinstance(body, dict):
        raise error(400, "send a JSON object")
    unknown = set(body) - {"mode", "target_abandon_pct", "max_ratio", "intensity"}
    if unknown:
        raise error(400, f"unknown fields: {', '.join(sorted(unknown))}")
    try:
        numbers = {
            key: float(body[key]) if body.get(key) is not None else None
            for key in ("target_abandon_pct", "max_ratio", "intensity")
        }
    except (TypeError, ValueError):
        raise error(400, "target_abandon_pct, max_ratio and intensity are numbers") from None
    mode = body.get("mode")
    if mode is not None and mode not in ("preview", "progressive", "predictive", "agentless"):
        raise error(400, f"unknown mode {mode!r}")
    return PacingUpdate(mode=mode, **numbers)


@allow(*STAFF)
async def put_pacing(request: web.Request) -> web.Response:
    controls = _controls(request)
    update = _pacing_update(await read_json(request))
    try:
        view = await controls.set_pacing(request.match_info["name"], update)
    except ControlError as exc:
        raise error(409, str(exc)) from None
    request.app[LIVE_KEY].publish({"type": "pacing", **plain(view)})
    return reply(view)


@allow(*STAFF)
async def campaign_action(request: web.Request) -> web.Response:
    controls = _controls(request)
    name, action = request.match_info["name"], request.match_info["action"]
    try:
        await getattr(controls, action)(name)
    except ControlError as exc:
        raise error(409, str(exc)) from None
    view = controls.pacing(name)
    status = view.status if view else action
    request.app[LIVE_KEY].publish({"type": "campaign", "campaign": name, "status": status})
    return reply({"campaign": name, "action": action, "pacing": view})


@allow(*STAFF)
async def pacing_history(request: web.Request) -> web.Response:
    return reply(request.app[LIVE_KEY].recent())


@allow(*STAFF)
async def agents_report(request: web.Request) -> web.Response:
    hours = query_number(request, "hours", 24.0)
    report = await agent_performance(
        request.app[SESSIONS_KEY], since=utcnow() - timedelta(hours=hours)
    )
    rows = [perf.row() for perf in report]
    body = [{**perf.row(), "overruns": perf.overruns} for perf in report]
    return _csv_or_json(request, rows, body, "agents")


@allow(*STAFF)
async def results_report(request: web.Request) -> web.Response:
    campaign = request.query.get("campaign") or None
    try:
        report = await script_results(request.app[SESSIONS_KEY], campaign)
    except LookupError:
        raise error(404, f"no campaign named {campaign!r}") from None
    body = {"campaign": campaign, "groups": report.rows(), "projection": report.projection}
    return _csv_or_json(request, report.rows(), body, "results")


@allow(*STAFF)
async def list_results(request: web.Request) -> web.Response:
    limit = int(query_number(request, "limit", 100))
    query = select(ScriptResult).order_by(ScriptResult.id.desc()).limit(min(limit, 1000))
    if "debtor_id" in request.query:
        query = query.where(ScriptResult.debtor_id == int(query_number(request, "debtor_id", 0)))
    async with request.app[SESSIONS_KEY]() as session:
        results = (await session.execute(query)).scalars().all()
    fields = ("id", "attempt_id", "debtor_id", "campaign_id", "agent_id", "source", "kind")
    more = ("amount", "currency", "promised_date", "callback_at", "note", "created_at")
    return reply([{f: getattr(r, f) for f in fields + more} for r in results])


@allow(*EVERYONE)
async def get_debtor(request: web.Request) -> web.Response:
    case = await debtor_case(request.app[SESSIONS_KEY], int(request.match_info["id"]))
    if case is None:
        raise error(404, "no such debtor")
    return reply(case)


@allow(*EVERYONE)
async def pause_reasons(request: web.Request) -> web.Response:
    async with request.app[SESSIONS_KEY]() as session:
        reasons = (await session.execute(select(PauseReason).order_by(PauseReason.code))).scalars()
        return reply(
            [{"code": r.code, "label": r.label, "allowance_s": r.allowance_s} for r in reasons]
        )
