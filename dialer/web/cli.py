"""`dialer web`: serve the dashboard, agent screens and API over the database alone.

No campaign runs in this process, so controls and agent actions answer 503; statistics,
reports, cases, list upload and the event stream work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import web

from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.web.app import create_app
from dialer.web.keys import ImportDefaults

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("web", help="serve the dashboard and REST API (no dialling)")
    parser.add_argument("--host", help="listen address (default: web.host)")
    parser.add_argument("--port", type=int, help="listen port (default: web.port)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace, settings: Settings) -> int:
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is the normal way to stop it
        asyncio.run(serve(settings, args.host, args.port))
    return 0


async def serve(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    locale = settings.locale
    app = create_app(
        make_sessionmaker(engine),
        auth=settings.web,
        import_defaults=ImportDefaults(
            locale.default_country, locale.default_currency, locale.default_timezone
        ),
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host or settings.web.host, port or settings.web.port)
    try:
        await site.start()
        log.info("web app on http://%s:%s/", host or settings.web.host, port or settings.web.port)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await engine.dispose()
