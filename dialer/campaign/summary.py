"""A campaign's figures for `dialer campaign status` and the end of `dialer demo`."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import find_campaign
from dialer.db.models import ScriptResult
from dialer.reporting.agents import agent_performance
from dialer.reporting.campaign import campaign_stats


async def campaign_summary(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    agents: list[str] | None = None,
    since: datetime | None = None,
) -> dict[str, Any]:
    async with sessions() as session:
        campaign = await find_campaign(session, name)
        settings = CampaignSettings.model_validate(campaign.settings or {})
        results = Counter(
            {
                kind: count
                for kind, count in (
                    await session.execute(
                        select(ScriptResult.kind, func.count())
                        .where(ScriptResult.campaign_id == campaign.id)
                        .group_by(ScriptResult.kind)
                    )
                ).all()
            }
        )
        promised = await session.scalar(
            select(func.coalesce(func.sum(ScriptResult.amount), 0)).where(
                ScriptResult.campaign_id == campaign.id, ScriptResult.kind == "promise_to_pay"
            )
        )
    stats = await campaign_stats(
        sessions, campaign.name, amd_false_positive_rate=settings.amd_false_positive_rate
    )
    perf = await agent_performance(sessions, since=since) if since else []
    perf = [p for p in perf if agents is None or p.login in agents]
    logged = sum(p.logged_in_s for p in perf)
    occupancy = 100 * sum(p.talk_s + p.wrap_s for p in perf) / logged if logged else None
    return {
        "campaign": campaign.name,
        "status": stats.status,
        "mode": settings.dial_mode.value,
        "counts": vars(stats.counts),
        "abandon_pct": {rate.window: round(rate.abandon_pct, 2) for rate in stats.abandon},
        "debtors_total": stats.debtors_total,
        "debtors_attempted": stats.debtors_attempted,
        "penetration_pct": round(stats.penetration_pct, 1),
        "results": dict(results),
        "results_total": sum(results.values()),
        "promised_amount": str(promised),
        "agent_occupancy_pct": round(occupancy, 1) if occupancy is not None else None,
        "agent_talk_s": round(sum(p.talk_s for p in perf)),
        "agent_logged_in_s": round(logged),
    }


def format_summary(s: dict[str, Any]) -> str:
    c = s["counts"]
    lines = [
        f"campaign {s['campaign']} ({s['mode']}): {s['status']}",
        f"  dialled        {c['dialled']}",
        f"  human          {c['human']}  (connected {c['connected']}, IVR {c['ivr']}, "
        f"abandoned {c['abandoned']})",
        f"  machine        {c['machine']}",
        f"  busy           {c['busy']}",
        f"  no answer      {c['no_answer']}",
        f"  congestion     {c['congestion']}",
        f"  failed         {c['failed']}   lost {c['lost']}   in flight {c['pending']}",
        "  abandoned %    "
        + ", ".join(f"{window} {pct:.2f} %" for window, pct in s["abandon_pct"].items()),
        f"  penetration    {s['debtors_attempted']}/{s['debtors_total']} debtors "
        f"({s['penetration_pct']} %)",
    ]
    if s["agent_occupancy_pct"] is not None:
        lines.append(
            f"  agent occupancy {s['agent_occupancy_pct']} % "
            f"(talk+wrap {s['agent_talk_s']} s of {s['agent_logged_in_s']} s logged in)"
        )
    results = ", ".join(f"{k} {v}" for k, v in sorted(s["results"].items())) or "none"
    lines.append(f"  results        {s['results_total']}: {results}")
    lines.append(f"  promised       {s['promised_amount']}")
    return "\n".join(lines)
