"""Pacing benchmark: our engine beside the baselines on the same traffic and seeds.

    .venv/bin/python bench/pacing_bench.py            # 20 seeds, 4-hour shifts (~25 min, 2 cores)
    .venv/bin/python bench/pacing_bench.py --quick    # 3 seeds, 1-hour shifts

Prints one table per scenario (abandon per campaign, the part pacing caused - the rest are
humans AMD took for machines, the same records for every strategy -, worst 1-hour window,
occupancy, mean agent wait, dials per agent-hour), checks the targets (the equal-abandon
comparison says explicitly whether ours was at or under the baseline's abandon rate, measured
over the same seeds), times one decision at 1,000 agents,
and writes bench/out/pacing_<scenario>.png (dial ratio and abandon rate over the shift) and
bench/out/pacing_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.pacing.baselines import STRATEGIES, OursStrategy, make_strategy
from dialer.pacing.engine import PacingEngine, PacingSnapshot
from dialer.pacing.scenario import load_scenario
from dialer.pacing.settings import PacingSettings
from dialer.pacing.simresult import SimResult
from dialer.pacing.simulator import simulate
from dialer.pacing.stats import PacingStats

OUT = Path(__file__).resolve().parent / "out"
SCENARIOS = ("steady-10", "steady-50", "steady-200", "drift-50", "drift-200")
TARGET = 0.03


# The VICIdial-style baselines our target is judged against: as VICIdial is configured out of
# the box, and with its "available only tally" on (dials for waiting agents only).
VICIDIAL = ("vicidial", "vicidial-available")


def matched(baseline: str) -> str:
    """Our engine with its target set, seed by seed, to what `baseline` really dropped on the
    same traffic (the same records, so the same AMD mistakes no pacing can avoid): run when
    ours at the 3 % target drops more than the baseline, to compare at equal abandon."""
    return f"ours@{baseline}-abandon"


Job = tuple[str, str, int, float | None, float]


def _run(job: Job) -> SimResult:
    scenario, strategy, seed, hours, target = job
    if strategy.startswith("ours@"):
        ours = OursStrategy(PacingSettings(target_abandon=target))
        ours.name = strategy
        return simulate(load_scenario(scenario), ours, seed, hours)
    return simulate(load_scenario(scenario), make_strategy(strategy), seed, hours)


def _run_all(jobs: list[Job], workers: int) -> list[SimResult]:
    # Longest jobs first keeps every core busy to the end.
    order = sorted(range(len(jobs)), key=lambda i: -load_scenario(jobs[i][0]).agents.count)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(_run, [jobs[i] for i in order], chunksize=1))
    out: list[SimResult | None] = [None] * len(jobs)
    for i, res in zip(order, done, strict=True):
        out[i] = res
    return [r for r in out if r is not None]


def _table(scenario: str, rows: dict[str, list[SimResult]]) -> str:
    head = (
        f"{'strategy':<32}{'abandon % mean':>15}{'max':>7}{'by pacing':>10}{'worst-1h max':>13}"
        f"{'occupancy %':>12}{'min':>7}{'wait s':>8}{'dials/agent-h':>14}"
    )
    lines = [f"\n== {scenario} ({len(next(iter(rows.values())))} seeds)", head]
    for name, rs in rows.items():
        ab = [100 * r.abandon_rate for r in rs]
        occ = [100 * r.occupancy for r in rs]
        lines.append(
            f"{name:<32}{statistics.mean(ab):>15.2f}{max(ab):>7.2f}"
            f"{statistics.mean(100 * r.pacing_abandon_rate for r in rs):>10.2f}"
            f"{max(100 * r.worst_hour_abandon for r in rs):>13.2f}"
            f"{statistics.mean(occ):>12.1f}{min(occ):>7.1f}"
            f"{statistics.mean(r.mean_wait_s for r in rs):>8.1f}"
            f"{statistics.mean(r.dials_per_agent_hour for r in rs):>14.1f}"
        )
    return "\n".join(lines)


def _checks(results: dict[str, dict[str, list[SimResult]]], decision_ms: float) -> list[str]:
    out = []
    worst = max(r.abandon_rate for rows in results.values() for r in rows["ours"])
    out.append(
        f"[{'ok' if worst <= TARGET else 'MISS'}] ours abandon <= 3 % in every seed and "
        f"scenario (worst {100 * worst:.2f} %)"
    )
    for sc in results:
        n = load_scenario(sc).agents.count
        worst_h = max(r.worst_hour_abandon for r in results[sc]["ours"])
        out.append(
            f"[{'ok' if worst_h <= 1.25 * TARGET else 'MISS'}] {sc}: worst 1-hour window "
            f"{100 * worst_h:.2f} % (target {100 * TARGET:.0f} %, tolerance 1.25x)"
        )
        if n >= 50:
            out += [_equal_abandon_check(sc, results[sc], b) for b in VICIDIAL if b in results[sc]]
        if n <= 10:
            worse = [
                r.seed
                for r, p in zip(results[sc]["ours"], results[sc]["progressive"], strict=True)
                if r.occupancy < p.occupancy
            ]
            out.append(
                f"[{'ok' if not worse else 'MISS'}] {sc}: ours never below progressive "
                f"(seeds below: {worse or 'none'})"
            )
        if n >= 200:
            gap = 100 * (_mean_occ(results[sc]["clairvoyant"]) - _mean_occ(results[sc]["ours"]))
            out.append(
                f"[{'ok' if gap <= 10 else 'MISS'}] {sc}: clairvoyant - ours = {gap:.1f} points "
                "(target <= 10)"
            )
    out.append(
        f"[{'ok' if decision_ms < 2 else 'MISS'}] decision at 1,000 agents: "
        f"{decision_ms:.2f} ms median (target < 2 ms)"
    )
    return out


def _equal_abandon_check(sc: str, rows: dict[str, list[SimResult]], baseline: str) -> str:
    """Occupancy gain at equal or lower abandon, both measured over the same seeds: ours at the
    3 % target when it dropped no more than the baseline, else ours aimed at its rate."""
    name = matched(baseline) if matched(baseline) in rows else "ours"
    ours, vici = rows[name], rows[baseline]
    gain = 100 * (_mean_occ(ours) - _mean_occ(vici))
    ab_ours, ab_vici = 100 * _mean_ab(ours), 100 * _mean_ab(vici)
    equal_or_lower = ab_ours <= ab_vici
    over = [o.seed for o, v in zip(ours, vici, strict=True) if o.abandon_rate > v.abandon_rate]
    return (
        f"[{'ok' if gain >= 5.0 and equal_or_lower else 'MISS'}] {sc}: {name} - {baseline} "
        f"= {gain:+.1f} occupancy points; abandon {ab_ours:.3f} % vs {ab_vici:.3f} % over the "
        f"same {len(ours)} seeds: {'equal or lower' if equal_or_lower else 'HIGHER'} "
        f"(target +5 at equal or lower abandon); seeds above {baseline}'s rate: {over or 'none'}"
    )


def _target(vici: SimResult) -> float:
    """Our target for the equal-abandon run on this seed: what VICIdial-style pacing dropped."""
    return max(vici.abandon_rate, 0.002)


def _mean_occ(rows: list[SimResult]) -> float:
    return statistics.mean(r.occupancy for r in rows)


def _mean_ab(rows: list[SimResult]) -> float:
    return statistics.mean(r.abandon_rate for r in rows)


def decision_time_ms(repeats: int = 500) -> tuple[float, float, float]:
    """Median and p99 wall time, and p99 CPU time (immune to a busy machine's scheduling), of
    one PacingEngine.decide at 1,000 agents with warm statistics."""
    rng = np.random.default_rng(7)
    stats = PacingStats()
    for i in range(800):
        u = rng.random()
        stats.record_outcome(i * 0.5, float(rng.lognormal(2.0, 0.5)), u < 0.25, 0.25 <= u < 0.4)
        stats.record_talk(float(rng.lognormal(5.0, 0.7)), float(rng.gamma(4.0, 7.5)))
        (stats.record_connected if u < 0.97 else stats.record_abandon)(i * 0.5)
    engine = PacingEngine(PacingSettings())
    times, cpu = [], []
    for k in range(repeats):
        snap = PacingSnapshot(
            now=400.0 + k,
            agents_logged_in=1000,
            agents_ready=int(rng.integers(0, 40)),
            busy_agents_free_in=rng.exponential(120.0, 960),
            calls_ringing=300,
            calls_waiting_for_agent=int(rng.integers(0, 5)),
            ringing_elapsed=rng.uniform(0, 25, 300),
        )
        t0, c0 = time.perf_counter(), time.thread_time()
        engine.decide(snap, stats)
        times.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    ms, cpu_ms = np.asarray(times) * 1000, np.asarray(cpu) * 1000
    return float(np.median(ms)), float(np.percentile(ms, 99)), float(np.percentile(cpu_ms, 99))


def _plot(scenario: str, rows: dict[str, list[SimResult]]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    for name, rs in rows.items():
        r = rs[0]
        hours = np.asarray(r.series_t) / 3600.0
        if name != "clairvoyant":
            ax1.plot(hours, r.series_ratio, label=name)
        ax2.plot(hours, r.series_abandon, label=name)
    ax1.set_ylabel("lines ringing per active agent")
    seed = next(iter(rows.values()))[0].seed
    ax1.set_title(f"{scenario}: dial ratio and abandon rate over the shift (seed {seed})")
    ax2.axhline(100 * TARGET, color="red", linestyle="--", linewidth=1, label="target 3 %")
    ax2.set_ylabel("campaign abandon rate so far (%)")
    ax2.set_xlabel("hours into the shift")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    path = OUT / f"pacing_{scenario}.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 seeds, 1-hour shifts")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--hours", type=float, default=None)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    seeds = args.seeds or (3 if args.quick else 20)
    hours = args.hours or (1.0 if args.quick else None)
    scenarios, strategies = args.scenarios.split(","), args.strategies.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    jobs: list[Job] = [
        (sc, st, seed, hours, TARGET)
        for sc in scenarios
        for st in strategies
        for seed in range(1, seeds + 1)
    ]
    started = time.perf_counter()
    results: dict[str, dict[str, list[SimResult]]] = defaultdict(dict)
    for job, res in zip(jobs, _run_all(jobs, args.workers), strict=True):
        results[job[0]].setdefault(job[1], []).append(res)
    # Equal-abandon comparison: where a VICIdial-style baseline dropped less than ours, aim our
    # engine at what it really dropped.
    rerun: list[Job] = []
    for sc in scenarios:
        rows = results[sc]
        for baseline in VICIDIAL:
            if (
                "ours" in rows
                and baseline in rows
                and _mean_ab(rows[baseline]) < _mean_ab(rows["ours"])
            ):
                rerun += [
                    (sc, matched(baseline), v.seed, hours, _target(v)) for v in rows[baseline]
                ]
    for job, res in zip(rerun, _run_all(rerun, args.workers), strict=True):
        results[job[0]].setdefault(job[1], []).append(res)
    jobs += rerun
    for sc in scenarios:
        results[sc] = {st: sorted(rs, key=lambda r: r.seed) for st, rs in results[sc].items()}
        print(_table(sc, results[sc]))
        print(f"plot: {_plot(sc, results[sc])}")
    median, p99, cpu99 = decision_time_ms()
    print(
        "\ndecision at 1,000 agents (960 busy, 300 ringing): "
        f"median {median:.2f} ms, p99 {p99:.2f} ms wall, p99 {cpu99:.2f} ms CPU"
    )
    in_sim = [r.decision_ms_mean for rows in results.values() for r in rows.get("ours", [])]
    if in_sim:
        print(f"mean decision time inside the simulations (worst): {max(in_sim):.2f} ms")
    if {"ours", "progressive", "vicidial", "clairvoyant"} <= set(strategies):
        print("\n" + "\n".join(_checks(results, median)))
    payload = {
        sc: {
            st: [{k: v for k, v in asdict(r).items() if not k.startswith("series")} for r in rs]
            for st, rs in rows.items()
        }
        for sc, rows in results.items()
    }
    (OUT / "pacing_results.json").write_text(json.dumps(payload, indent=1))
    print(f"\n{len(jobs)} simulations in {time.perf_counter() - started:.0f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
