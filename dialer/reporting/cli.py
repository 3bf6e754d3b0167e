"""`dialer report campaign NAME | agents | results [--campaign NAME] [--csv FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.db.types import utcnow
from dialer.reporting.agents import agent_performance
from dialer.reporting.campaign import UnknownCampaign, campaign_stats
from dialer.reporting.csvexport import save_csv, write_csv
from dialer.reporting.results import script_results


def register(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help="campaign, agent and script-result reports")
    kinds = report.add_subparsers(dest="report", required=True)
    campaign = kinds.add_parser("campaign", help="campaign statistics and abandon rates")
    campaign.add_argument("name")
    campaign.add_argument(
        "--amd-false-positive-rate",
        type=float,
        default=0.0,
        help="estimated share of 'machine' verdicts that were people (counted as abandons)",
    )
    campaign.add_argument(
        "--buckets", action="store_true", help="dial ratio and abandon %% per 15 minutes instead"
    )
    agents = kinds.add_parser("agents", help="agent talk, wait, wrap-up, pause and occupancy")
    agents.add_argument("--hours", type=float, default=24.0, help="window length (default 24)")
    results = kinds.add_parser("results", help="promises to pay, refusals, disputes...")
    results.add_argument("--campaign", help="one campaign (adds the projected end)")
    for parser in (campaign, agents, results):
        parser.add_argument("--csv", type=Path, help="write the report as CSV to FILE")
        parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace, settings: Settings) -> int:
    try:
        rows = asyncio.run(_rows(args, settings))
    except (UnknownCampaign, LookupError) as exc:
        print(f"no such campaign: {exc}", file=sys.stderr)
        return 1
    if args.csv:
        save_csv(rows, args.csv)
        print(f"wrote {len(rows)} rows to {args.csv}")
    else:
        write_csv(rows, sys.stdout)
    return 0


async def _rows(args: argparse.Namespace, settings: Settings) -> list[dict[str, object]]:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    try:
        if args.report == "campaign":
            stats = await campaign_stats(
                sessions, args.name, amd_false_positive_rate=args.amd_false_positive_rate
            )
            return stats.bucket_rows() if args.buckets else stats.rows()
        if args.report == "agents":
            since = utcnow() - timedelta(hours=args.hours)
            perf = await agent_performance(sessions, since=since)
            return [p.row() for p in perf]
        report = await script_results(sessions, args.campaign)
        rows = report.rows()
        if report.projection and report.projection.projected_end:
            print(f"projected end: {report.projection.projected_end:%Y-%m-%d %H:%M} UTC")
        return rows
    finally:
        await engine.dispose()
