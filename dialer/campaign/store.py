"""Campaign rows: create, read settings, change status (start/pause/resume/stop)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.settings import CampaignSettings
from dialer.db.models import Campaign, Creditor


class CampaignStatus(StrEnum):
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"  # nothing left to dial


class UnknownCampaign(LookupError):
    pass


async def create_campaign(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    settings: CampaignSettings,
    creditor: str | None = None,
    callback_number: str | None = None,
) -> int:
    """Create (or update the settings of) a campaign; returns its id."""
    async with sessions() as session, session.begin():
        creditor_id = None
        if creditor:
            row = await session.scalar(select(Creditor).where(Creditor.name == creditor))
            if row is None:
                row = Creditor(name=creditor, callback_number=callback_number)
                session.add(row)
                await session.flush()
            creditor_id = row.id
        campaign = await session.scalar(select(Campaign).where(Campaign.name == name))
        if campaign is None:
            campaign = Campaign(name=name, status=CampaignStatus.STOPPED.value)
            session.add(campaign)
        campaign.settings = settings.model_dump(mode="json")
        campaign.creditor_id = creditor_id or campaign.creditor_id
        await session.flush()
        return campaign.id


async def find_campaign(session: AsyncSession, ref: str | int) -> Campaign:
    """A campaign by id or by name."""
    query = select(Campaign)
    if isinstance(ref, int) or str(ref).isdigit():
        query = query.where(Campaign.id == int(ref))
    else:
        query = query.where(Campaign.name == ref)
    campaign = await session.scalar(query)
    if campaign is None:
        raise UnknownCampaign(f"no campaign {ref!r}")
    return campaign


async def load_settings(
    sessions: async_sessionmaker[AsyncSession], campaign_id: int
) -> CampaignSettings:
    async with sessions() as session:
        campaign = await find_campaign(session, campaign_id)
        return CampaignSettings.model_validate(campaign.settings or {})


async def get_status(
    sessions: async_sessionmaker[AsyncSession], campaign_id: int
) -> CampaignStatus:
    async with sessions() as session:
        status = await session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
    if status is None:
        raise UnknownCampaign(f"no campaign {campaign_id}")
    return CampaignStatus(status)


async def set_status(
    sessions: async_sessionmaker[AsyncSession], campaign_id: int, status: CampaignStatus
) -> None:
    """Runners poll this column, so the CLI and the web control a running campaign through it."""
    async with sessions() as session, session.begin():
        await session.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(status=status.value)
        )


async def creditor_of(session: AsyncSession, campaign_id: int) -> tuple[str, str]:
    """Creditor name and callback number, named in abandon messages."""
    row = (
        await session.execute(
            select(Creditor.name, Creditor.callback_number)
            .join(Campaign, Campaign.creditor_id == Creditor.id)
            .where(Campaign.id == campaign_id)
        )
    ).first()
    if row is None:
        return "", ""
    return row[0], row[1] or ""
