"""`dialer campaign create|start|pause|resume|stop|status|run|add-sim-debtors` and `dialer demo`."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from dialer.campaign.demo_data import OutcomeMix, add_sim_debtors
from dialer.campaign.settings import CampaignSettings, load_campaign_file
from dialer.campaign.store import (
    CampaignStatus,
    UnknownCampaign,
    create_campaign,
    find_campaign,
    set_status,
)
from dialer.config import PROJECT_ROOT, Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade

DEMO_FILE = PROJECT_ROOT / "config" / "campaigns" / "demo.toml"


def register(subparsers: Any) -> None:
    campaign = subparsers.add_parser("campaign", help="create, run and steer campaigns")
    sub = campaign.add_subparsers(dest="campaign_command", required=True)

    create = sub.add_parser("create", help="create a campaign (or update its settings)")
    create.add_argument("name")
    create.add_argument("--file", type=Path, help="campaign TOML ([settings] table)")
    create.add_argument("--creditor", help="creditor named in abandon messages")
    create.add_argument("--callback-number", default="", help="number debtors can call back")
    create.add_argument(
        "--setting",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="one setting, value as JSON, e.g. dial_mode='\"progressive\"' (repeatable)",
    )
    create.set_defaults(handler=_create)

    for verb, status in (
        ("start", CampaignStatus.RUNNING),
        ("pause", CampaignStatus.PAUSED),
        ("resume", CampaignStatus.RUNNING),
        ("stop", CampaignStatus.STOPPED),
    ):
        p = sub.add_parser(verb, help=f"{verb} a campaign (running dialers follow within ~1 s)")
        p.add_argument("name")
        p.set_defaults(handler=_status_change, status=status)

    status = sub.add_parser("status", help="status and statistics of a campaign")
    status.add_argument("name")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    run = sub.add_parser("run", help="run a campaign in this process (the dialer itself)")
    run.add_argument("name")
    run.add_argument("--agents", default="", help="agent logins to log in, e.g. 1011-1014")
    run.add_argument("--sim-agents", action="store_true", help="simulated SIP phones for them")
    run.add_argument("--sim-results", action="store_true", help="agents record random results")
    run.add_argument("--minutes", type=float, help="stop after this long")
    run.add_argument("--until-done", action="store_true", help="stop when nothing is left")
    run.add_argument("--start", action="store_true", help="set the campaign RUNNING first")
    run.add_argument(
        "--wrapup", type=float, default=None, help="wrap-up seconds (default: acd.wrapup_s)"
    )
    run.add_argument(
        "--web", action="store_true", help="serve the dashboard and agent screens (web.port)"
    )
    run.add_argument(
        "--ivr", action="store_true", help="serve the IVR scripts (FastAGI, asterisk.fastagi_port)"
    )
    run.set_defaults(handler=_run)

    sim = sub.add_parser("add-sim-debtors", help="add simulated debtors (sandbox numbers)")
    sim.add_argument("name")
    sim.add_argument("--count", type=int, default=100)
    sim.add_argument("--talk", default="20-90", help="talk seconds of people, MIN-MAX")
    sim.add_argument("--mix", default="", help='JSON of OutcomeMix shares, e.g. {"human": 1}')
    sim.add_argument("--seed", type=int, default=1)
    sim.set_defaults(handler=_add_sim)

    demo = subparsers.add_parser("demo", help="a predictive campaign on the sandbox, end to end")
    demo.add_argument("--minutes", type=float, default=3.0)
    demo.add_argument("--agents", type=int, default=10)
    demo.add_argument("--debtors", type=int, default=600)
    demo.add_argument("--database", help="SQLite file (default var/demo.sqlite, recreated)")
    demo.add_argument("--keep", action="store_true", help="keep the demo database if it exists")
    demo.set_defaults(handler=_demo)


def _arun(coro: Any) -> int:
    try:
        return int(asyncio.run(coro))
    except UnknownCampaign as exc:
        print(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130


async def _sessions(settings: Settings) -> Any:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    return engine, make_sessionmaker(engine)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> int:
        name, values = args.name, CampaignSettings()
        if args.file:
            _, values = load_campaign_file(args.file)
        data = values.model_dump(mode="json")
        for item in args.setting:
            key, _, raw = item.partition("=")
            data[key.strip()] = json.loads(raw)
        campaign_settings = CampaignSettings.model_validate(data)
        engine, sessions = await _sessions(settings)
        try:
            campaign_id = await create_campaign(
                sessions, name, campaign_settings, args.creditor, args.callback_number or None
            )
        finally:
            await engine.dispose()
        print(f"campaign {name} (id {campaign_id}) saved")
        return 0

    return _arun(go())


def _status_change(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> int:
        engine, sessions = await _sessions(settings)
        try:
            async with sessions() as session:
                campaign = await find_campaign(session, args.name)
            await set_status(sessions, campaign.id, args.status)
        finally:
            await engine.dispose()
        print(f"campaign {args.name}: {args.status.value}")
        return 0

    return _arun(go())


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from dialer.campaign.summary import campaign_summary, format_summary

    async def go() -> int:
        engine, sessions = await _sessions(settings)
        try:
            summary = await campaign_summary(sessions, args.name)
        finally:
            await engine.dispose()
        print(json.dumps(summary, indent=2, default=str) if args.json else format_summary(summary))
        return 0

    return _arun(go())


def _add_sim(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> int:
        low, _, high = args.talk.partition("-")
        shares = json.loads(args.mix) if args.mix else {}
        mix = OutcomeMix(**shares, talk_min_s=int(low), talk_max_s=int(high or low))
        engine, sessions = await _sessions(settings)
        try:
            async with sessions() as session:
                campaign = await find_campaign(session, args.name)
            count = await add_sim_debtors(sessions, campaign.id, args.count, mix, seed=args.seed)
        finally:
            await engine.dispose()
        print(f"{count} simulated debtors added to {args.name}")
        return 0

    return _arun(go())


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from dialer.campaign.run import RunOptions, run_campaign

    options = RunOptions(
        name=args.name,
        logins=args.agents,
        sim_agents=args.sim_agents,
        sim_results=args.sim_results,
        minutes=args.minutes,
        until_done=args.until_done,
        start=args.start,
        wrapup_s=args.wrapup,
        web=args.web,
        ivr=args.ivr,
    )
    return _arun(run_campaign(settings, options))


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from dialer.campaign.demo import DemoOptions, run_demo

    options = DemoOptions(
        minutes=args.minutes,
        agents=args.agents,
        debtors=args.debtors,
        database=args.database,
        keep=args.keep,
    )
    return _arun(run_demo(settings, options))
