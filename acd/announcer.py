"""Telling callers who wait in an ACD queue their position and estimated wait.

When a call starts waiting, and again `announce_every_s` after each announcement has been
heard to the end, the ACD renders a sentence with text-to-speech (cached per text) and sets
it on the channel as ACD_ANNOUNCE. The dialplan's [acd-queue] plays whatever appears there
and reports it (`UserEvent(AcdAnnouncement)`, Status STARTED, then Playback's status).
Nothing here ever delays a connection: an agent's Redirect cuts a playing announcement
short, and a call that has left the queue is never announced again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from dataclasses import dataclass, field
from typing import Protocol

from acd.facade import Acd
from acd.records import QueueStatus

log = logging.getLogger(__name__)

ANNOUNCE_VARIABLE = "ACD_ANNOUNCE"
# A played announcement is normally reported within seconds; if its report is lost the
# next one still comes, after this long.
PLAYED_TIMEOUT_S = 60.0


class PromptMaker(Protocol):
    """Text → Asterisk sound name (ivr.tts.Tts is one)."""

    async def sound_for(self, text: str, voice: str) -> str: ...

    async def close(self) -> None: ...


class ChannelVars(Protocol):
    async def set_var(self, channel: str, name: str, value: str) -> None: ...


def announcement_text(status: QueueStatus, *, first: bool) -> str:
    """English, as a call centre says it; numbers as digits (the TTS reads them as words)."""
    if status.position <= 1:
        where = "You are next in the queue."
    else:
        where = f"You are number {status.position} in the queue."
    minutes = math.ceil(status.estimated_wait_s / 60)
    if minutes <= 1:
        wait = "Your estimated waiting time is less than one minute."
    elif minutes > 30:
        wait = "Your estimated waiting time is more than 30 minutes."
    else:
        wait = f"Your estimated waiting time is about {minutes} minutes."
    if first:
        return (
            f"Thank you for calling. All our consultants are busy at the moment. {where} "
            f"{wait} Please stay on the line."
        )
    return f"{where} {wait} Thank you for your patience."


def default_prompts() -> PromptMaker:
    """The IVR's cached text-to-speech over the project's sounds folder."""
    from dialer.config import SpeechSettings, resolve_path
    from ivr.tts import Tts

    return Tts(resolve_path(SpeechSettings().sounds_dir))


@dataclass
class _Waiting:
    call_id: str
    channel: str
    played: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class QueueAnnouncer:
    def __init__(
        self,
        acd: Acd,
        link: ChannelVars,
        prompts: PromptMaker | None = None,
        *,
        voice: str = "en",
    ) -> None:
        self.acd = acd
        self.link = link
        self.voice = voice
        self._prompts = prompts
        self._by_call: dict[str, _Waiting] = {}
        self._by_channel: dict[str, _Waiting] = {}

    def start(self, call_id: str, channel: str) -> None:
        """The call waits in a queue: announce now, then periodically until it leaves."""
        self.stop(call_id)
        waiting = _Waiting(call_id, channel)
        self._by_call[call_id] = self._by_channel[channel] = waiting
        waiting.task = asyncio.ensure_future(self._announce_while_waiting(waiting))
        waiting.task.add_done_callback(lambda _task: self._forget(waiting))

    def stop(self, call_id: str) -> None:
        waiting = self._by_call.get(call_id)
        if waiting is not None and waiting.task is not None:
            waiting.task.cancel()
            self._forget(waiting)

    def played(self, channel: str, status: str) -> None:
        """The dialplan finished (or failed) playing an announcement on `channel`."""
        waiting = self._by_channel.get(channel)
        if waiting is not None and status != "STARTED":
            waiting.played.set()

    async def close(self) -> None:
        tasks = [w.task for w in self._by_call.values() if w.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._prompts is not None:
            await self._prompts.close()

    async def _announce_while_waiting(self, waiting: _Waiting) -> None:
        first = True
        while (status := self.acd.queue_status(waiting.call_id)) is not None:
            config = self.acd.queues.config(status.queue)
            if not config.announce:
                return
            waiting.played.clear()
            if await self._announce(waiting, status, first):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiting.played.wait(), PLAYED_TIMEOUT_S)
            first = False
            if config.announce_every_s <= 0:
                return
            await asyncio.sleep(config.announce_every_s)

    async def _announce(self, waiting: _Waiting, status: QueueStatus, first: bool) -> bool:
        channel = waiting.channel
        text = announcement_text(status, first=first)
        try:
            if self._prompts is None:
                self._prompts = default_prompts()
            sound = await self._prompts.sound_for(text, self.voice)
        except Exception as exc:  # the caller keeps waiting in silence, still served
            log.warning("queue announcement for %s not rendered: %s", channel, exc)
            return False
        if self.acd.queue_status(waiting.call_id) is None:
            return False  # an agent took the call while the prompt was rendered
        try:
            await self.link.set_var(channel, ANNOUNCE_VARIABLE, sound)
        except Exception as exc:
            log.warning("queue announcement for %s not sent: %s", channel, exc)
            return False
        self.acd.publish(
            {
                "type": "queue_announced",
                "call_id": waiting.call_id,
                "queue": status.queue,
                "channel": channel,
                "position": status.position,
                "estimated_wait_s": status.estimated_wait_s,
                "sound": sound,
                "text": text,
            }
        )
        return True

    def _forget(self, waiting: _Waiting) -> None:
        if self._by_call.get(waiting.call_id) is waiting:
            del self._by_call[waiting.call_id]
        if self._by_channel.get(waiting.channel) is waiting:
            del self._by_channel[waiting.channel]
