"""Admin pages: campaigns, CSV list upload (through dialer.lists) and the IVR scripts folder."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import logging
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from aiohttp import BodyPartReader, web
from sqlalchemy import func, select

from dialer.db.models import CallAttempt, Campaign, Debtor
from dialer.web.auth import STAFF, Role, allow, current_user
from dialer.web.keys import IMPORT_DEFAULTS_KEY, IVR_DIR_KEY, SESSIONS_KEY
from dialer.web.render import esc, page, table

log = logging.getLogger(__name__)
ImportCsv = Callable[..., Awaitable[Any]]
SHOWN_ERRORS = 50


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
        csv = f'<a href="/api/campaigns/{esc(campaign.name)}/stats?format=csv">CSV</a>'
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


def _importer() -> ImportCsv | None:
    for module in ("dialer.lists", "dialer.lists.importer", "dialer.lists.import_csv"):
        try:
            found = getattr(importlib.import_module(module), "import_csv", None)
        except ImportError:
            continue
        if callable(found):
            return cast(ImportCsv, found)
    return None


def _report_html(report: Any) -> str:
    """Show whatever ImportReport the lists package returns: its scalar fields and errors."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        fields = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    elif hasattr(report, "model_dump"):
        fields = dict(report.model_dump())
    else:
        fields = {"result": report}
    errors = fields.pop("errors", None) or []
    summary = table(
        ["", ""],
        [(k, v) for k, v in fields.items() if not isinstance(v, list | dict)],
    )
    problems = table(["Problem"], [[str(e)] for e in errors[:SHOWN_ERRORS]], empty="No problems")
    more = f"<p class='muted'>and {len(errors) - SHOWN_ERRORS} more</p>" if len(errors) > 50 else ""
    return f'<section class="card"><h2>Import report</h2>{summary}{problems}{more}</section>'


@allow(Role.ADMIN)
async def upload(request: web.Request) -> web.Response:
    importer = _importer()
    if importer is None:
        return _form(request, '<p class="alert">CSV import is not available in this build.</p>')
    reader = await request.multipart()
    fields: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == "file":
                with path.open("wb") as out:
                    while chunk := await part.read_chunk():
                        await asyncio.to_thread(out.write, chunk)
            elif isinstance(part, BodyPartReader) and part.name:
                fields[part.name] = (await part.text()).strip()
        campaign = fields.get("campaign", "")
        if not campaign or not path.exists():
            return _form(request, '<p class="alert">Give a campaign name and a CSV file.</p>')
        defaults = request.app[IMPORT_DEFAULTS_KEY]
        try:
            report = await importer(
                request.app[SESSIONS_KEY],
                path,
                campaign,
                default_country=defaults.country,
                default_currency=defaults.currency,
                default_timezone=defaults.timezone,
                dry_run="dry_run" in fields,
            )
        except Exception as exc:  # the report page must say what went wrong, not a 500
            log.exception("CSV import into %s failed", campaign)
            return _form(request, f'<p class="alert">Import failed: {esc(exc)}</p>')
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
