"""Reports over the database: campaign statistics, agent performance, script results, CSV."""

from dialer.reporting.agents import AgentPerformance, agent_performance
from dialer.reporting.campaign import CampaignStats, campaign_stats
from dialer.reporting.results import ScriptResultsReport, script_results

__all__ = [
    "AgentPerformance",
    "CampaignStats",
    "ScriptResultsReport",
    "agent_performance",
    "campaign_stats",
    "script_results",
]
