"""`dialer acd agents | add-agent LOGIN | pause-reasons | sim-floor --logins 1001-1010`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from acd.behaviour import AgentBehaviour
from acd.bootstrap import acd_from_db
from acd.errors import AcdError
from acd.pbx_link import AcdPbxLink
from acd.routing import Skills
from acd.sim_agents import SimAgentPool
from acd.store import AgentProfile, load_agents, load_pause_reasons, save_agent, seed_pause_reasons
from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.pbx.link import AmiLink


def register(subparsers: Any) -> None:
    acd = subparsers.add_parser("acd", help="agents, pause reasons, simulated agent floor")
    commands = acd.add_subparsers(dest="acd_command", required=True)
    commands.add_parser("agents", help="list the agents").set_defaults(handler=_handle)
    add = commands.add_parser("add-agent", help="create or update an agent")
    add.add_argument("login")
    add.add_argument("--name", default="")
    add.add_argument("--endpoint", default="", help="default PJSIP/agent<login>")
    add.add_argument(
        "--skills", default="{}", help='JSON, e.g. {"language": ["pl"], "seniority": 2}'
    )
    add.set_defaults(handler=_handle)
    reasons = commands.add_parser("pause-reasons", help="list pause reasons (seeds defaults)")
    reasons.set_defaults(handler=_handle)
    floor = commands.add_parser(
        "sim-floor", help="simulated SIP agents: log in, take calls, wrap up, take breaks"
    )
    floor.add_argument("--logins", default="1001-1010", help="range or list: 1001-1010,1015")
    floor.add_argument("--seconds", type=float, default=0, help="run time (0 = until Ctrl-C)")
    floor.set_defaults(handler=_handle)


def parse_logins(spec: str) -> list[str]:
    logins: list[str] = []
    for part in spec.split(","):
        first, sep, last = part.strip().partition("-")
        if sep:
            logins.extend(str(n) for n in range(int(first), int(last) + 1))
        elif first:
            logins.append(first)
    return logins


def _handle(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return asyncio.run(_run(args, settings))
    except (AcdError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    sessions = make_sessionmaker(engine)
    try:
        if args.acd_command == "agents":
            for agent in await load_agents(sessions):
                tags = ", ".join(sorted(agent.skills.tags))
                print(
                    f"{agent.login}\t{agent.name}\t{agent.phone}\t{tags}\t"
                    f"seniority {agent.skills.seniority}"
                )
        elif args.acd_command == "add-agent":
            raw = json.loads(args.skills)
            if not isinstance(raw, dict):
                raise ValueError("--skills must be a JSON object")
            profile = AgentProfile(args.login, args.name, args.endpoint, Skills.from_json(raw))
            print(f"agent {args.login}: id {await save_agent(sessions, profile, raw)}")
        elif args.acd_command == "pause-reasons":
            await seed_pause_reasons(sessions)
            for reason in await load_pause_reasons(sessions):
                print(f"{reason.code}\t{reason.label}\t{reason.allowance_s // 60} min")
        else:
            await _sim_floor(sessions, settings, parse_logins(args.logins), args.seconds)
        return 0
    finally:
        await engine.dispose()


async def _sim_floor(sessions: Any, settings: Settings, logins: list[str], seconds: float) -> None:
    known = {agent.login for agent in await load_agents(sessions)}
    for login in logins:
        if login not in known:  # never overwrite a real agent's skills
            await save_agent(sessions, AgentProfile(login, f"Agent {login}"), {})
    acd = await acd_from_db(sessions, settings.acd)
    ami = AmiLink(settings.asterisk)
    await ami.start()
    pbx = AcdPbxLink(ami, acd)
    phones = SimAgentPool(logins)
    behaviour = AgentBehaviour(acd, logins)
    try:
        await pbx.start()
        await phones.start()
        behaviour.start()
        await asyncio.gather(*(pbx.login(login) for login in logins))
        print(f"{len(logins)} simulated agents in their sessions")
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds if seconds else float("inf")
        while loop.time() < end:
            await asyncio.sleep(min(5.0, max(0.0, end - loop.time())))
            counts: dict[str, int] = {}
            for state in acd.agent_states():
                counts[state["state"]] = counts.get(state["state"], 0) + 1
            print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), flush=True)
    finally:
        await behaviour.stop()
        await pbx.stop()
        await phones.stop()
        await ami.stop()
        await acd.aclose()
