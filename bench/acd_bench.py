"""ACD benchmark: routing decisions per second (1,000 agents in memory) and answer → agent
connection time on the Asterisk sandbox (target p95 < 500 ms).

    .venv/bin/python bench/acd_bench.py                 # both
    .venv/bin/python bench/acd_bench.py --routing-only  # no Asterisk needed
    .venv/bin/python bench/acd_bench.py --calls 60 --rate 4

The sandbox part uses agents 1021-1030 (simulated pyVoIP phones) and simulated debtors.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from acd import Acd, AcdSettings, AgentProfile, Requirement, Skills
from acd.connect_timer import p95
from acd.pbx_link import AcdPbxLink
from acd.sim_agents import SimAgentPool
from dialer.config import AsteriskSettings
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.events import CallAnswered, PbxEvent
from dialer.pbx.link import AmiLink
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number

LANGUAGES = ["pl", "en", "uk"]
PORTFOLIOS = [f"bank-{c}" for c in "abcde"]


def routing_bench(agents: int = 1000, decisions: int = 200_000) -> None:
    rng = random.Random(7)
    acd = Acd(settings=AcdSettings(wrapup_s=0))
    for n in range(agents):
        skills = Skills.from_json(
            {
                "language": rng.sample(LANGUAGES, rng.randint(1, 2)),
                "portfolio": rng.sample(PORTFOLIOS, rng.randint(1, 3)),
                "seniority": rng.randint(1, 3),
            }
        )
        login = f"{n:04d}"
        acd.add_agent(AgentProfile(login, skills=skills))
        acd.login(login)
        acd.ready(login)
    requirements = [
        {
            "language": rng.choice(LANGUAGES),
            "portfolio": rng.choice(PORTFOLIOS),
            "min_seniority": rng.randint(1, 3),
        }
        for _ in range(64)
    ]
    # A busy floor: 90 % of agents on calls, so picks search among the free 10 %.
    held = [r for r in (acd.reserve() for _ in range(agents * 9 // 10)) if r is not None]
    found = 0
    started = time.perf_counter()
    for i in range(decisions):
        reservation = acd.reserve(requirements[i & 63])
        if reservation is not None:
            found += 1
            acd.release(reservation)
    elapsed = time.perf_counter() - started
    print(f"routing: {agents} agents ({len(held)} busy), {decisions} reserve+release decisions")
    print(
        f"  {decisions / elapsed:,.0f} decisions/s ({elapsed / decisions * 1e6:.1f} µs each),"
        f" {found / decisions:.0%} found a qualified agent"
    )
    compiled = [Requirement.of(r) for r in requirements]
    index = acd._ready  # the routing index alone, without the state transitions
    started = time.perf_counter()
    for i in range(decisions):
        index.pick(compiled[i & 63])
    elapsed = time.perf_counter() - started
    print(f"  routing index pick alone: {decisions / elapsed:,.0f} picks/s")
    for _ in range(200):
        acd.stats.talk.add(rng.uniform(30, 300))
    started = time.perf_counter()
    for _ in range(10_000):
        acd.busy_agents_free_in()
    print(
        f"  busy_agents_free_in() over {len(held)} busy agents:"
        f" {(time.perf_counter() - started) / 10_000 * 1e3:.2f} ms"
    )


async def connect_bench(calls: int, rate: float) -> None:
    logins = [str(n) for n in range(1021, 1031)]
    acd = Acd(settings=AcdSettings(wrapup_s=0.5))
    for login in logins:
        acd.add_agent(AgentProfile(login))
    ami = AmiLink(AsteriskSettings())
    await ami.start()
    pbx = AcdPbxLink(ami, acd)
    phones = SimAgentPool(logins)
    answered: asyncio.Queue[CallAnswered] = asyncio.Queue()
    routed: list[asyncio.Task[str | None]] = []

    def on_event(event: PbxEvent) -> None:
        if isinstance(event, CallAnswered) and event.action_id.startswith("acdbench-"):
            answered.put_nowait(event)

    ami.subscribe(on_event)
    try:
        await pbx.start()
        await phones.start()
        await asyncio.gather(*(pbx.login(login, ready=True) for login in logins))

        async def route() -> None:
            while True:
                event = await answered.get()
                routed.append(
                    asyncio.create_task(pbx.route_answered(event.channel, answered_at=event.at))
                )

        router = asyncio.create_task(route())
        serial = itertools.count(1)
        for _ in range(calls):
            n = next(serial)
            number = sim_number(SimOutcome.HUMAN, 3, n % 1000)
            await ami.originate(
                OriginateRequest(
                    f"acdbench-{n}-{time.time_ns()}",
                    dial_string(number),
                    "dialer-outbound",
                    "s",
                    variables={"DIALER_WAIT": "30"},
                )
            )
            await asyncio.sleep(1 / rate)
        deadline = time.monotonic() + 30
        while len(routed) < calls and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.gather(*routed, return_exceptions=True)
        await asyncio.sleep(1)
        router.cancel()
        answer = list(pbx.timer.answer_to_bridge)
        redirect = list(pbx.timer.redirect_to_bridge)
        print(
            f"connect: {calls} answered debtors at {rate}/s to {len(logins)} SIP agents;"
            f" {len(answer)} connected, {pbx.abandoned} abandoned (no agent free)"
        )
        if answer:
            print(
                "  answer -> debtor in agent's bridge:"
                f" median {statistics.median(answer) * 1e3:.0f} ms,"
                f" p95 {p95(answer) * 1e3:.0f} ms, max {max(answer) * 1e3:.0f} ms"
            )
            print(
                f"  redirect sent -> bridged: median {statistics.median(redirect) * 1e3:.0f} ms,"
                f" p95 {p95(redirect) * 1e3:.0f} ms"
            )
    finally:
        await pbx.stop()
        await phones.stop()
        await ami.stop()
        await acd.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--routing-only", action="store_true")
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--rate", type=float, default=3.0, help="debtors dialled per second")
    args = parser.parse_args()
    routing_bench()
    if not args.routing_only:
        asyncio.run(connect_bench(args.calls, args.rate))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
