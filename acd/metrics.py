"""The ACD's figures under conventional metric names, for /status and Prometheus text."""

from __future__ import annotations

from acd.agent_state import AgentState
from acd.facade import Acd
from acd.pbx_link import AcdPbxLink


def acd_metrics(acd: Acd, pbx: AcdPbxLink | None = None) -> dict[str, float]:
    """Flat {"name{labels}": value}; pass the PBX link for connect times and abandons."""
    out: dict[str, float] = {f'acd_agents{{state="{s.value}"}}': 0.0 for s in AgentState}
    overrun = 0
    for agent in acd.agent_states():
        out[f'acd_agents{{state="{agent["state"]}"}}'] += 1
        overrun += bool(agent["overrun"])
    out["acd_break_overruns"] = float(overrun)
    for name in acd.queues.names():
        out[f'acd_queue_calls_waiting{{queue="{name}"}}'] = float(len(acd.queues.waiting(name)))
    out["acd_expected_free_30s"] = float(acd.expected_free(30))
    out["acd_talk_seconds_mean"] = acd.stats.talk.mean()
    out["acd_wrapup_seconds_mean"] = acd.stats.wrapup.mean()
    if pbx is not None:
        stats = pbx.connect_stats()
        out["acd_connect_total"] = float(stats.count)
        if stats.median_s is not None and stats.p95_s is not None:
            out['acd_connect_seconds{quantile="0.5"}'] = stats.median_s
            out['acd_connect_seconds{quantile="0.95"}'] = stats.p95_s
        out["acd_abandoned_total"] = float(pbx.abandoned)
        out["acd_rescued_total"] = float(pbx.rescued)
    return out


def prometheus_text(metrics: dict[str, float]) -> str:
    return "".join(f"{name} {value:g}\n" for name, value in sorted(metrics.items()))
