"""Admin pages: campaigns, CSV list upload (through dialer.lists) and the IVR scripts folder."""

from __future__ import annotations

import asyncio
import importlib
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import BodyPartReader, web
from sqlalchemy import func, select

from dialer.db.models import CallAttempt, Campaign, Debtor
from dialer.lists import ImportProgress, ImportReport, ListFileError, import_csv
from dialer.web.auth import STAFF, Role, allow, current_user
from dialer.web.keys import IMPORT_DEFAULTS_KEY, IVR_DIR_KEY, LIVE_KEY, SESSIONS_KEY
from dialer.web.render import esc, page, table

log = logging.getLogger(__name__)
SHOWN_PROBLEMS = 50


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/campaigns", campaigns)
    app.router.add_get("/admin/lists", upload_form)
    app.router.add_post("/admin/lists", upload)
    app.router.add_get("/admin/scripts", scripts)


@allow(*STAFF)
async def campaigns(request: web.Request) -> web.Response:
    attempted = (
        select(CallAttempt.campaign_id, func.count(func.distinct(CallAttempt.debtor_id)).label("n"))
        .group_by(CallAttempt.campaign_id)
        .subquery()
    )
    async with request.app[SESSIONS_KEY]() as session:
        rows = (
            await session.execute(
                select(Campaign, func.count(Debtor.id), func.max(attempted.c.n))
                .outerjoin(Debtor, Debtor.campaign_id == Campaign.id)
                .outerjoin(attempted, attempted.c.campaign_id == Campaign.id)
                .group_by(Campaign.id)
                .order_by(Campaign.name)
            )
        ).all()
    body_rows = []
    for campaign, debtors, tried in rows:
        link = f'<a href="/?campaign={esc(campaign.name)}">{esc(campaign.name)}</a>'
        stats_url = f"/api/campaigns/{esc(campaign.name)}/stats?format=csv"
        csv = (
            f'<a href="{stats_url}">summary CSV</a> · '
            f'<a href="{stats_url}&part=buckets">per 15 min</a>'
        )
        body_rows.append(
            f"<tr><td>{link}</td><td><span class='badge'>{esc(campaign.status)}</span></td>"
            f"<td>{debtors}</td><td>{tried or 0}</td><td>{campaign.created_at:%Y-%m-%d}</td>"
            f"<td>{csv}</td></tr>"
        )
    rows_html = "".join(body_rows) or '<tr><td class="empty" colspan="6">No campaigns</td></tr>'
    body = (
        '<div class="toolbar"><h1>Campaigns</h1></div><section class="card"><table class="grid">'
        "<thead><tr><th>Name</th><th>Status</th><th>Debtors</th><th>Attempted</th><th>Created</th>"
        f"<th>Statistics</th></tr></thead><tbody>{rows_html}</tbody></table></section>"
    )
    return page("Campaigns", body, user=current_user(request), active="/admin/campaigns")


def _form(request: web.Request, result: str = "") -> web.Response:
    body = f"""<div class="toolbar"><h1>Load a debtor list</h1></div>
<section class="card"><form method="post" action="/admin/lists" enctype="multipart/form-data"
 class="stack narrow-form">
<label>Campaign <input name="campaign" required placeholder="e.g. cards-2026-11"></label>
<label>CSV file <input name="file" type="file" accept=".csv,text/csv" required></label>
<label class="check"><input type="checkbox" name="dry_run"> Check only (store nothing)</label>
<button class="primary" type="submit">Upload</button></form>
<p class="muted small">Columns: account id, names, balance, currency, due date, up to four
phones, time zone, extra fields. Every bad row is reported with its line and field.</p></section>
{result}"""
    return page("Lists", body, user=current_user(request), active="/admin/lists")


@allow(Role.ADMIN)
async def upload_form(request: web.Request) -> web.Response:
    return _form(request)


def _report_html(report: ImportReport) -> str:
    summary = table(
        ["", ""],
        [
            ("Rows read", report.rows),
            ("New debtors", report.new),
            ("Updated debtors", report.updated),
            ("Phones", report.phones),
            ("Rejected rows", report.rejected),
            ("Encoding / delimiter", f"{report.encoding} / {report.delimiter!r}"),
        ],
    )
    shown = report.problems[:SHOWN_PROBLEMS]
    problems = table(
        ["Line", "Column", "Problem"],
        [(p.line, p.column, p.reason) for p in shown],
        empty="No problems",
    )
    hidden = len(report.problems) - len(shown) + report.problems_dropped
    more = f"<p class='muted'>and {hidden} more problems</p>" if hidden else ""
    title = "Checked only: nothing stored" if report.dry_run else "Imported"
    return (
        f'<section class="card" id="import-report"><div class="card-head"><h2>{esc(title)}</h2>'
        f'<span class="muted">{esc(report.summary())}</span></div>{summary}<h3>Problems</h3>'
        f"{problems}{more}</section>"
    )


async def _save_upload(request: web.Request, path: Path) -> dict[str, str]:
    """Stream the multipart form: the file part into `path`, the other fields returned."""
    reader = await request.multipart()
    fields: dict[str, str] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        if part.name == "file":
            with path.open("wb") as out:
                while chunk := await part.read_chunk():
                    await asyncio.to_thread(out.write, chunk)
        else:
            fields[part.name] = (await part.text()).strip()
    return fields


@allow(Role.ADMIN)
async def upload(request: web.Request) -> web.Response:
    live = request.app[LIVE_KEY]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        fields = await _save_upload(request, path)
        campaign = fields.get("campaign", "")
        if not campaign or not path.exists():
            return _form(request, '<p class="alert">Give a campaign name and a CSV file.</p>')

        def progress(step: ImportProgress) -> None:
            event = {"type": "import_progress", "campaign": campaign, "rows": step.rows}
            live.publish({**event, "rejected": step.rejected})

        defaults = request.app[IMPORT_DEFAULTS_KEY]
        try:
            report = await import_csv(
                request.app[SESSIONS_KEY],
                path,
                campaign,
                default_country=defaults.country,
                default_currency=defaults.currency,
                default_timezone=defaults.timezone,
                dry_run="dry_run" in fields,
                progress=progress,
            )
        except ListFileError as exc:
            return _form(request, f'<p class="alert">Nothing imported: {esc(exc)}</p>')
    log.info("list upload by %s: %s", current_user(request).name, report.summary())
    return _form(request, _report_html(report))


def _describe(path: Path) -> tuple[str, str, str, str]:
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M")
    try:
        loader = importlib.import_module("ivr.loader")
        script = loader.load_script(path)
    except ImportError:
        return (path.name, "", modified, "not checked")
    except Exception as exc:  # ScriptError and friends: show the message as the status
        return (path.name, "", modified, f"error: {exc}")
    return (path.name, f"{len(script.nodes)} nodes, {script.language}", modified, "valid")


@allow(*STAFF)
async def scripts(request: web.Request) -> web.Response:
    folder = request.app[IVR_DIR_KEY]
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")) if folder.exists() else []
    rows = [await asyncio.to_thread(_describe, path) for path in files]
    body = (
        f'<div class="toolbar"><h1>IVR scripts</h1><span class="muted">{esc(folder)}</span></div>'
        f'<section class="card">{table(["Script", "Content", "Modified", "Check"], rows)}</section>'
    )
    return page("IVR scripts", body, user=current_user(request), active="/admin/scripts")
