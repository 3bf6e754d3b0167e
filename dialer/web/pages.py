"""Pages: sign-in, the supervisor dashboard, the agent screen and reports."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select

from dialer.db.models import Agent, Campaign, PauseReason
from dialer.reporting.agents import agent_performance
from dialer.reporting.results import script_results
from dialer.web.auth import AUTH_KEY, COOKIE, EVERYONE, STAFF, Role, allow, current_user
from dialer.web.keys import RUNTIME_KEY, SESSIONS_KEY
from dialer.web.render import esc, fill, options, page, table

KPIS = (
    ("dialled", "Dialled"),
    ("human", "Live answers"),
    ("connected", "Connected"),
    ("machine", "Machines"),
    ("abandon_24h", "Abandon 24 h"),
    ("abandon_30d", "Abandon 30 days"),
    ("abandon_campaign", "Abandon campaign"),
    ("penetration", "List penetration"),
)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/", dashboard)
    app.router.add_get("/agent/{login}", agent_screen)
    app.router.add_get("/reports", reports)


def _safe_next(target: str | None) -> str:
    # Only same-site paths, so the form cannot bounce a user to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


async def login_form(request: web.Request, problem: str = "") -> web.Response:
    target = esc(_safe_next(request.query.get("next")))
    alert = f'<p class="alert">{esc(problem)}</p>' if problem else ""
    body = fill("login.html", alert=alert, next=target)
    return page("Sign in", body, status=401 if problem else 200)


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    auth = request.app[AUTH_KEY]
    user = auth.check_password(str(form.get("name", "")), str(form.get("password", "")))
    if user is None:
        return await login_form(request, "Wrong user name or password.")
    target = _safe_next(str(form.get("next", "")))
    if target == "/" and user.role is Role.AGENT:
        target = f"/agent/{user.agent_login}"
    response = web.HTTPFound(target)
    response.set_cookie(
        COOKIE,
        auth.cookie_for(user),
        httponly=True,
        samesite="Strict",
        max_age=int(auth.settings.session_hours * 3600),
    )
    raise response


async def logout(_request: web.Request) -> web.Response:
    response = web.HTTPFound("/login")
    response.del_cookie(COOKIE)
    raise response


@allow(*EVERYONE)
async def dashboard(request: web.Request) -> web.Response:
    user = current_user(request)
    if user.role is Role.AGENT:
        raise web.HTTPFound(f"/agent/{user.agent_login}")
    async with request.app[SESSIONS_KEY]() as session:
        rows = (
            await session.execute(select(Campaign.id, Campaign.name).order_by(Campaign.name))
        ).all()
    wanted = request.query.get("campaign")
    # data-id lets the page match live events that name the campaign by id.
    choices = "".join(
        f'<option value="{esc(name)}" data-id="{cid}"{" selected" if name == wanted else ""}>'
        f"{esc(name)}</option>"
        for cid, name in rows
    )
    kpis = "".join(
        f'<div class="kpi" data-kpi="{key}"><span class="label">{label}</span>'
        '<span class="value">–</span><span class="sub"></span></div>'
        for key, label in KPIS
    )
    runtime = "live" if request.app[RUNTIME_KEY].controls is not None else "offline"
    body = fill("dashboard.html", options=choices, kpis=kpis, runtime=runtime)
    scripts = ("common.js", "chart.js", "dashboard.js")
    return page("Dashboard", body, user=user, active="/", scripts=scripts)


@allow(*EVERYONE)
async def agent_screen(request: web.Request) -> web.Response:
    user = current_user(request)
    login = request.match_info["login"]
    if not user.may_act_as(login):
        raise web.HTTPForbidden(text="You may open only your own agent screen.")
    async with request.app[SESSIONS_KEY]() as session:
        reasons = (await session.execute(select(PauseReason).order_by(PauseReason.code))).scalars()
        pairs = [(r.code, r.label) for r in reasons] or [("break", "Break")]
        name = await session.scalar(select(Agent.name).where(Agent.login == login))
    desk = "live" if request.app[RUNTIME_KEY].acd is not None else "offline"
    body = fill(
        "agent.html", login=esc(login), name=esc(name or login), desk=desk, reasons=options(pairs)
    )
    scripts = ("common.js", "agent.js")
    return page(f"Agent {login}", body, user=user, active=f"/agent/{login}", scripts=scripts)


AGENT_COLUMNS = (
    ("login", "Login"),
    ("name", "Name"),
    ("calls", "Calls"),
    ("talk_s", "Talk"),
    ("wait_s", "Wait"),
    ("wrap_s", "Wrap-up"),
    ("pause_s", "Pause"),
    ("logged_in_s", "Logged in"),
    ("occupancy_pct", "Occupancy %"),
    ("break_overruns", "Break overruns"),
    ("overrun_s", "Overrun time"),
)


def _clock(seconds: object) -> str:
    total = int(str(seconds))
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def _agent_table(rows: list[dict[str, object]]) -> str:
    cells = [
        [_clock(row[key]) if key.endswith("_s") else row[key] for key, _ in AGENT_COLUMNS]
        for row in rows
    ]
    return table([label for _, label in AGENT_COLUMNS], cells, empty="No agent activity")


def _results_table(rows: list[dict[str, object]]) -> str:
    headers = [key.replace("_", " ").capitalize() for key in rows[0]] if rows else ["Creditor"]
    return table(headers, [r.values() for r in rows], empty="No results yet")


@allow(*STAFF)
async def reports(request: web.Request) -> web.Response:
    sessions = request.app[SESSIONS_KEY]
    campaign = request.query.get("campaign") or None
    agents = [p.row() for p in await agent_performance(sessions)]
    try:
        results = await script_results(sessions, campaign)
    except LookupError:
        raise web.HTTPNotFound(text=f"no campaign named {campaign}") from None
    projection = ""
    if results.projection is not None:
        p = results.projection
        end = f"{p.projected_end:%Y-%m-%d %H:%M} UTC" if p.projected_end else "no recent dialling"
        projection = (
            f'<p class="muted">{p.debtors_remaining} debtors left, {p.attempts_per_hour:.1f} '
            f"attempts/hour lately: projected end <b>{esc(end)}</b></p>"
        )
    async with sessions() as session:
        names = (await session.execute(select(Campaign.name).order_by(Campaign.name))).scalars()
        pills = "".join(
            f'<a href="/reports?campaign={esc(n)}"{" class=active" if n == campaign else ""}>'
            f"{esc(n)}</a>"
            for n in names
        )
    everyone = '<a href="/reports"' + ("" if campaign else " class=active") + ">All</a>"
    query = f"&campaign={esc(campaign)}" if campaign else ""
    title = "Script results" + (f" · {esc(campaign)}" if campaign else ", all campaigns")
    body = (
        f'<div class="toolbar"><h1>Reports</h1><span class="pills">{everyone}{pills}</span></div>'
        '<section class="card"><div class="card-head">'
        '<h2>Agent performance, last 24 h</h2><a href="/api/reports/agents?format=csv">CSV</a>'
        f"</div>{_agent_table(agents)}</section>"
        f'<section class="card"><div class="card-head"><h2>{title}</h2>'
        f'<a href="/api/reports/results?format=csv{query}">CSV</a></div>'
        f"{projection}{_results_table(results.rows())}</section>"
    )
    return page("Reports", body, user=current_user(request), active="/reports")
