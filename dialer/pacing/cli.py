"""`dialer simulate`: rehearse a campaign's pacing in virtual time before going live."""

from __future__ import annotations

import argparse
import sys

from dialer.config import Settings
from dialer.pacing.baselines import STRATEGIES, make_strategy
from dialer.pacing.scenario import ScenarioError, load_scenario
from dialer.pacing.settings import PacingMode, PacingSettings
from dialer.pacing.simulator import simulate


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "simulate",
        help="simulate a campaign's pacing in virtual time",
        description="Run a scenario (name in config/scenarios/ or a YAML/TOML path) through the "
        "discrete-event simulator with one pacing strategy and print the outcome.",
    )
    p.add_argument("scenario", help="scenario name (e.g. steady-50) or file path")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed = same traffic)")
    p.add_argument("--hours", type=float, default=None, help="shift length (default: scenario's)")
    p.add_argument("--strategy", choices=STRATEGIES, default="ours")
    p.add_argument("--mode", choices=[m.value for m in PacingMode], default="predictive")
    p.add_argument("--target", type=float, default=0.03, help="target abandon rate (0.03 = 3 %%)")
    p.add_argument("--intensity", type=float, default=1.0, help="0.5-1.5 aggressiveness scale")
    p.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace, _settings: Settings) -> int:
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pacing = PacingSettings(
        mode=PacingMode(args.mode),
        target_abandon=args.target,
        intensity=args.intensity,
        connect_window_s=scenario.connect_window_s,
    )
    r = simulate(scenario, make_strategy(args.strategy, pacing), seed=args.seed, hours=args.hours)
    rows = [
        ("scenario", f"{r.scenario} ({scenario.agents.count} agents, {r.shift_s / 3600:g} h)"),
        ("strategy", r.strategy),
        ("seed", str(r.seed)),
        ("dials", str(r.dials)),
        ("humans answered", str(r.humans)),
        ("connected to agents", str(r.connected)),
        ("abandoned", str(r.abandons)),
        ("abandon rate", f"{100 * r.abandon_rate:.2f} %"),
        ("  of it by pacing", f"{100 * r.pacing_abandon_rate:.2f} % (the rest: AMD mistakes)"),
        ("worst 1-hour abandon", f"{100 * r.worst_hour_abandon:.2f} %"),
        ("occupancy", f"{100 * r.occupancy:.1f} %"),
        ("mean agent wait", f"{r.mean_wait_s:.1f} s"),
        ("dials per agent-hour", f"{r.dials_per_agent_hour:.1f}"),
        ("decision time", f"{r.decision_ms_mean:.2f} ms mean, {r.decision_ms_max:.2f} ms max"),
        ("simulated in", f"{r.cpu_s:.1f} s CPU"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0
