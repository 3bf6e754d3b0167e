"""The aiohttp application: pages, REST API and live events, wired to explicit dependencies."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.config import PROJECT_ROOT, WebSettings
from dialer.web import admin, api, pages
from dialer.web.auth import AUTH_KEY, Authenticator, auth_middleware
from dialer.web.keys import (
    IMPORT_DEFAULTS_KEY,
    IVR_DIR_KEY,
    LIVE_KEY,
    RUNTIME_KEY,
    SESSIONS_KEY,
    ImportDefaults,
    Runtime,
)
from dialer.web.live import LiveHub
from dialer.web.ports import AgentDesk, CampaignControls

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"


@web.middleware
async def error_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """API errors as JSON; pages keep aiohttp's default responses."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException as exc:
        if not request.path.startswith("/api/") or exc.content_type == "application/json":
            raise
        if exc.status < 400:
            raise
        return web.json_response(
            {"error": exc.reason if not exc.text else exc.text}, status=exc.status
        )


def create_app(
    sessions: async_sessionmaker[AsyncSession],
    *,
    live: LiveHub | None = None,
    controls: CampaignControls | None = None,
    acd: AgentDesk | None = None,
    auth: WebSettings | None = None,
    ivr_scripts_dir: Path | None = None,
    import_defaults: ImportDefaults | None = None,
) -> web.Application:
    """Build the web app. Without `controls`/`acd` the pages are read-only views of the DB."""
    app = web.Application(middlewares=[error_middleware, auth_middleware], client_max_size=64 << 20)
    app[SESSIONS_KEY] = sessions
    app[LIVE_KEY] = live or LiveHub()
    app[RUNTIME_KEY] = Runtime(controls, acd)
    app[AUTH_KEY] = Authenticator(auth or WebSettings.model_validate({}))
    app[IVR_DIR_KEY] = ivr_scripts_dir or PROJECT_ROOT / "config" / "ivr"
    app[IMPORT_DEFAULTS_KEY] = import_defaults or ImportDefaults()
    pages.add_routes(app)
    admin.add_routes(app)
    api.add_routes(app)
    app.router.add_static("/static/", STATIC_DIR, name="static")
    app.on_shutdown.append(_close_streams)
    return app


async def _close_streams(app: web.Application) -> None:
    app[LIVE_KEY].close()
