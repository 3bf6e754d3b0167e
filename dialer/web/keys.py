"""Typed keys of what the app holds: its dependencies, set once by create_app."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.web.live import LiveHub
from dialer.web.ports import AgentDesk, CampaignControls


@dataclass(frozen=True)
class ImportDefaults:
    """Defaults for CSV rows that leave country, currency or time zone out."""

    country: str = "PL"
    currency: str = "PLN"
    timezone: str = "Europe/Warsaw"


@dataclass(frozen=True)
class Runtime:
    """The live parts; None when the web app runs alone over the database."""

    controls: CampaignControls | None = None
    acd: AgentDesk | None = None


SESSIONS_KEY = web.AppKey("sessions", async_sessionmaker[AsyncSession])
LIVE_KEY = web.AppKey("live", LiveHub)
RUNTIME_KEY = web.AppKey("runtime", Runtime)
IVR_DIR_KEY = web.AppKey("ivr_scripts_dir", Path)
IMPORT_DEFAULTS_KEY = web.AppKey("import_defaults", ImportDefaults)
