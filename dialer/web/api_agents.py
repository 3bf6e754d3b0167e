"""REST API for agents: states, state changes and the result (disposition) form."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

from dialer.db.outcomes import ResultKind
from dialer.db.types import utcnow
from dialer.web.auth import EVERYONE, User, allow, current_user
from dialer.web.cases import agent_view_dict, stored_agent_states
from dialer.web.jsonout import error, read_json, reply
from dialer.web.keys import LIVE_KEY, RUNTIME_KEY, SESSIONS_KEY
from dialer.web.ports import AgentDesk, AgentView, ControlError, Disposition

STATE_ACTIONS = ("login", "ready", "pause", "logout")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/agents", list_agents)
    app.router.add_post("/api/agents/{login}/state", change_state)
    app.router.add_post("/api/agents/{login}/disposition", submit_disposition)


async def current_agents(app: web.Application) -> list[AgentView]:
    desk = app[RUNTIME_KEY].acd
    return desk.agents() if desk is not None else await stored_agent_states(app[SESSIONS_KEY])


def agent_row(view: AgentView, now: datetime) -> dict[str, Any]:
    """An agent's state with time in state and the break-overrun flag the dashboard shows."""
    in_state = max((now - view.since).total_seconds(), 0.0)
    overrun = (
        view.state == "paused" and view.allowance_s is not None and in_state > view.allowance_s
    )
    return {**agent_view_dict(view), "in_state_s": round(in_state), "overrun": overrun}


@allow(*EVERYONE)
async def list_agents(request: web.Request) -> web.Response:
    user = current_user(request)
    now = utcnow()
    views = await current_agents(request.app)
    return reply([agent_row(v, now) for v in views if user.may_act_as(v.login)])


def _desk(request: web.Request, user: User, login: str) -> AgentDesk:
    if not user.may_act_as(login):
        raise error(403, f"{user.name} may not act for agent {login}")
    desk = request.app[RUNTIME_KEY].acd
    if desk is None:
        raise error(503, "no ACD in this process: agent actions are unavailable")
    return desk


@allow(*EVERYONE)
async def change_state(request: web.Request) -> web.Response:
    login = request.match_info["login"]
    desk = _desk(request, current_user(request), login)
    body = await read_json(request)
    action = body.get("action") if isinstance(body, dict) else None
    if action not in STATE_ACTIONS:
        raise error(400, f"action must be one of {', '.join(STATE_ACTIONS)}")
    try:
        if action == "pause":
            reason = body.get("reason")
            if not isinstance(reason, str) or not reason:
                raise error(400, "a pause needs a reason code")
            await desk.pause(login, reason)
        else:
            await getattr(desk, action)(login)
    except ControlError as exc:
        raise error(409, str(exc)) from None
    views = [v for v in desk.agents() if v.login == login]
    return reply(agent_row(views[0], utcnow()) if views else {"login": login, "state": action})


def parse_disposition(body: Any) -> Disposition:
    """Validate the result form; every problem names its field."""
    if not isinstance(body, dict):
        raise error(400, "send a JSON object")
    try:
        kind = ResultKind(str(body.get("kind")))
    except ValueError:
        raise error(400, f"kind: one of {', '.join(k.value for k in ResultKind)}") from None
    try:
        debtor_id = int(body["debtor_id"])
    except (KeyError, TypeError, ValueError):
        raise error(400, "debtor_id: required") from None
    attempt = body.get("attempt_id")
    amount = _amount(body.get("amount"))
    promised = _date(body.get("promised_date"))
    callback_at = _datetime(body.get("callback_at"))
    if kind is ResultKind.PROMISE_TO_PAY and (amount is None or amount <= 0 or promised is None):
        raise error(400, "a promise to pay needs amount > 0 and promised_date")
    if kind is ResultKind.CALLBACK and callback_at is None:
        raise error(400, "callback_at: required for a callback")
    return Disposition(
        debtor_id=debtor_id,
        kind=kind,
        attempt_id=int(attempt) if attempt not in (None, "") else None,
        amount=amount,
        currency=body.get("currency") or None,
        promised_date=promised,
        callback_at=callback_at,
        callback_to_me=bool(body.get("callback_to_me")),
        note=str(body.get("note") or "")[:2000],
    )


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise error(400, "amount: not a number") from None


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise error(400, "promised_date: use YYYY-MM-DD") from None


def _datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise error(400, "callback_at: use an ISO 8601 date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@allow(*EVERYONE)
async def submit_disposition(request: web.Request) -> web.Response:
    login = request.match_info["login"]
    desk = _desk(request, current_user(request), login)
    disposition = parse_disposition(await read_json(request))
    try:
        result_id = await desk.submit_disposition(login, disposition)
    except ControlError as exc:
        raise error(409, str(exc)) from None
    request.app[LIVE_KEY].publish(
        {
            "type": "result",
            "login": login,
            "debtor_id": disposition.debtor_id,
            "kind": disposition.kind.value,
            "id": result_id,
        }
    )
    return reply({"id": result_id}, status=201)
