"""`dialer ivr serve | check FILE... | schema`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path

from dialer.config import Settings, resolve_path
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade

DEFAULT_SCRIPTS_DIR = "config/ivr"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    ivr = subparsers.add_parser("ivr", help="IVR server and scripts")
    sub = ivr.add_subparsers(dest="ivr_command", required=True)
    serve = sub.add_parser("serve", help="run the FastAGI IVR server")
    serve.add_argument("--scripts", default=DEFAULT_SCRIPTS_DIR, help="scripts folder")
    serve.add_argument("--host", help="listen address (default asterisk.fastagi_host)")
    serve.add_argument("--port", type=int, help="listen port (default asterisk.fastagi_port)")
    serve.set_defaults(handler=_serve)
    check = sub.add_parser("check", help="validate scripts; exit 2 on errors")
    check.add_argument("files", nargs="+", type=Path)
    check.set_defaults(handler=_check)
    schema = sub.add_parser("schema", help="print the JSON Schema of IVR scripts")
    schema.set_defaults(handler=_schema)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from ivr.loader import check_script

    sounds = resolve_path(settings.speech.sounds_dir)
    failed = False
    for file in args.files:
        problems = check_script(file, sounds)
        if not problems:
            print(f"{file}: ok")
        for problem in problems:
            failed = True
            where = f"node {problem.node}" if problem.node else "top level"
            print(f"{file}: {where}, key {problem.key or '-'}: {problem.message}")
    return 2 if failed else 0


def _schema(_args: argparse.Namespace, _settings: Settings) -> int:
    from ivr.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_serve_async(args, settings))
    return 0


async def _serve_async(args: argparse.Namespace, settings: Settings) -> None:
    from ivr.server import IvrServer

    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    server = IvrServer(
        settings,
        make_sessionmaker(engine),
        resolve_path(args.scripts),
        host=args.host,
        port=args.port,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await server.start()
    try:
        await stop.wait()
    finally:
        await server.stop()
        await engine.dispose()
