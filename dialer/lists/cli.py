"""`dialer import` (debtor CSV) and `dialer dnc import|check|add` (do-not-call list).

Exit codes: 0 all rows imported, 1 some rows rejected (the good ones are in), 2 the file
could not be used at all (unreadable, missing required column) and nothing was written.
`dialer dnc check` exits 0 when the number is listed, 1 when not, 2 when it is invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.lists.dnc import add_dnc, dnc_entry, import_dnc
from dialer.lists.importer import import_csv
from dialer.lists.phones import PhoneError, PhoneNormaliser
from dialer.lists.progress import TerminalProgress
from dialer.lists.report import ListFileError

SHOWN_PROBLEMS = 50
T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    imp = subparsers.add_parser(
        "import",
        help="import debtors from a CSV file into a campaign",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("file", type=Path, help="CSV file (columns: see config/csv_columns.md)")
    imp.add_argument("--campaign", required=True, help="campaign name (created when new)")
    imp.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
    imp.add_argument("--country", help="country of national numbers (default [locale])")
    imp.add_argument("--currency", help="currency when the file has none (default [locale])")
    imp.add_argument("--timezone", help="time zone when neither data nor number give one")
    imp.add_argument("--encoding", help="file encoding, e.g. cp1250 (default: detected)")
    imp.add_argument("--rejects", type=Path, help="write rejected rows with reasons to this CSV")
    imp.set_defaults(handler=_import_handler)

    dnc = subparsers.add_parser("dnc", help="the do-not-call list")
    dnc_sub = dnc.add_subparsers(dest="dnc_command", required=True)
    dnc_imp = dnc_sub.add_parser("import", help="add the numbers of a CSV or plain list")
    dnc_imp.add_argument("file", type=Path)
    dnc_imp.add_argument("--reason", default="", help="reason stored when a row has none")
    dnc_imp.add_argument("--country", help="country of national numbers (default [locale])")
    dnc_imp.add_argument("--encoding", help="file encoding (default: detected)")
    dnc_imp.set_defaults(handler=_dnc_import_handler)
    check = dnc_sub.add_parser("check", help="is a number on the list? (exit 0 yes, 1 no)")
    check.add_argument("number")
    check.add_argument("--country", help="country of a national number (default [locale])")
    check.set_defaults(handler=_dnc_check_handler)
    add = dnc_sub.add_parser("add", help="add one number")
    add.add_argument("number")
    add.add_argument("--reason", default="")
    add.add_argument("--country", help="country of a national number (default [locale])")
    add.set_defaults(handler=_dnc_add_handler)


def _with_db(settings: Settings, work: Callable[[async_sessionmaker[Any]], Awaitable[T]]) -> T:
    async def run() -> T:
        await upgrade(settings.database.url)
        engine = make_engine(settings.database.url)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _import_handler(args: argparse.Namespace, settings: Settings) -> int:
    locale = settings.locale
    progress = TerminalProgress()
    try:
        report = _with_db(
            settings,
            lambda sessions: import_csv(
                sessions,
                args.file,
                args.campaign,
                default_country=args.country or locale.default_country,
                default_currency=args.currency or locale.default_currency,
                default_timezone=args.timezone or locale.default_timezone,
                dry_run=args.dry_run,
                progress=progress,
                encoding=args.encoding,
                rejects_path=args.rejects,
            ),
        )
    except ListFileError as exc:
        progress.done()
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    progress.done()
    for problem in report.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    more = len(report.problems) + report.problems_dropped - SHOWN_PROBLEMS
    if more > 0:
        hint = f" (all in {args.rejects})" if args.rejects else " (use --rejects FILE to see all)"
        print(f"  ... and {more} more problems{hint}", file=sys.stderr)
    print(report.summary())
    return 1 if report.rejected else 0


def _normalise(number: str, country: str) -> str | None:
    try:
        return PhoneNormaliser(country).normalise(number).e164
    except PhoneError as exc:
        print(f"error: {number!r}: {exc}", file=sys.stderr)
        return None


def _dnc_import_handler(args: argparse.Namespace, settings: Settings) -> int:
    country = args.country or settings.locale.default_country
    try:
        report = _with_db(
            settings,
            lambda sessions: import_dnc(
                sessions, args.file, default_country=country,
                encoding=args.encoding, reason=args.reason,
            ),
        )  # fmt: skip
    except ListFileError as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    for problem in report.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


def _dnc_check_handler(args: argparse.Namespace, settings: Settings) -> int:
    number = _normalise(args.number, args.country or settings.locale.default_country)
    if number is None:
        return 2

    async def check(sessions: async_sessionmaker[Any]) -> int:
        async with sessions() as session:
            entry = await dnc_entry(session, number)
        if entry is None:
            print(f"{number}: not on the do-not-call list")
            return 1
        why = f", reason: {entry.reason}" if entry.reason else ""
        print(f"{number}: ON the do-not-call list since {entry.added_at:%Y-%m-%d}{why}")
        return 0

    return _with_db(settings, check)


def _dnc_add_handler(args: argparse.Namespace, settings: Settings) -> int:
    number = _normalise(args.number, args.country or settings.locale.default_country)
    if number is None:
        return 2
    added = _with_db(settings, lambda sessions: add_dnc(sessions, [(number, args.reason)]))
    print(f"{number}: {'added to' if added else 'already on'} the do-not-call list")
    return 0
