"""The abandon message: a short recording naming the creditor and a number to call back.

Rendered once per campaign with the IVR's text-to-speech cache, and handed to the dialplan
as ABANDON_SOUND; if speech synthesis is unavailable the campaign's fixed sound is used.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import creditor_of
from dialer.config import Settings, resolve_path

log = logging.getLogger(__name__)


def spoken_number(number: str) -> str:
    """Digits read one by one ('+48 22...' -> '4 8 2 2 ...'): TTS would read one big number."""
    return " ".join(ch for ch in number if ch.isdigit())


def abandon_text(template: str, creditor: str, callback_number: str) -> str:
    return template.format(creditor=creditor, callback_number=spoken_number(callback_number))


async def abandon_sound(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    campaign_id: int,
    campaign: CampaignSettings,
) -> str | None:
    """Asterisk sound name of the campaign's abandon message, or None to keep the default."""
    if not campaign.abandon_text:
        return None
    async with sessions() as session:
        creditor, number = await creditor_of(session, campaign_id)
    number = campaign.callback_number or number
    if not creditor or not number:
        return None
    text = abandon_text(campaign.abandon_text, creditor, number)
    try:
        from ivr.tts import Tts

        tts = Tts(resolve_path(settings.speech.sounds_dir))
        try:
            return await tts.sound_for(text, campaign.abandon_voice)
        finally:
            await tts.close()
    except Exception as exc:
        log.warning("abandon message not rendered (%s): using %s", exc, campaign.abandon_message)
        return None
