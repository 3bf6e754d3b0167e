"""The IVR server: FastAGI connections → scripts → stored sessions and results."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.config import Settings, resolve_path
from dialer.db.types import utcnow
from dialer.pbx.fastagi import AgiSession, CallerHungUp, FastAgiServer, Handler
from ivr.call import Call, CallServices, ResultRecord
from ivr.library import ScriptLibrary
from ivr.runner import EndReason, run_call
from ivr.script import Script
from ivr.store import IvrStore, as_id
from ivr.stt import Recognizer, make_recognizer
from ivr.tts import Tts

log = logging.getLogger(__name__)


class _Routes(Mapping[str, Handler]):
    """Every script name in the folder is a route; looked up per call so new files work."""

    def __init__(self, server: IvrServer) -> None:
        self._server = server

    def __getitem__(self, name: str) -> Handler:
        if self._server.library.path_of(name) is None:
            raise KeyError(name)
        return self._server.handle

    def __iter__(self) -> Iterator[str]:
        return iter(self._server.library.names())

    def __len__(self) -> int:
        return len(self._server.library.names())


class IvrServer:
    def __init__(
        self,
        settings: Settings,
        sessions_factory: async_sessionmaker[AsyncSession],
        scripts_dir: Path,
        *,
        host: str | None = None,
        port: int | None = None,
        recognizer: Recognizer | str | None = "auto",
        sounds_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.sounds_dir = sounds_dir or resolve_path(settings.speech.sounds_dir)
        self.store = IvrStore(sessions_factory)
        self.tts = Tts(self.sounds_dir)
        self.library = ScriptLibrary(scripts_dir, self.sounds_dir, self._prerender)
        self._recognizer_choice = recognizer
        self.recognizer: Recognizer | None = None
        self.agi = FastAgiServer(
            host or settings.asterisk.fastagi_host,
            settings.asterisk.fastagi_port if port is None else port,
            _Routes(self),
        )
        self._http: aiohttp.ClientSession | None = None
        self.sessions_done = 0

    @property
    def port(self) -> int:
        return self.agi.port

    @property
    def active_sessions(self) -> int:
        return self.agi.active_sessions

    def voice(self, script: Script) -> str:
        if script.voice:
            return script.voice
        speech = self.settings.speech
        return speech.tts_voice_pl if script.language == "pl" else speech.tts_voice_en

    async def _prerender(self, script: Script) -> None:
        """Prompts that do not depend on the debtor are rendered once, at load."""
        script.voice = self.voice(script)
        for text in script.prompts():
            try:
                await self.tts.render(text, script.voice)
            except Exception as exc:  # the call renders it again; the script stays usable
                log.warning("script %s: prompt %r not pre-rendered: %s", script.name, text, exc)

    async def start(self) -> None:
        if self._recognizer_choice == "auto":
            self.recognizer = await asyncio.to_thread(
                make_recognizer, self.settings.speech.vosk_model_dir
            )
        elif not isinstance(self._recognizer_choice, str):
            self.recognizer = self._recognizer_choice
        self._http = aiohttp.ClientSession()
        loaded = await self.library.load_all()
        log.info(
            "IVR scripts: %s; recogniser: %s",
            ", ".join(loaded) or "none",
            self.recognizer.name if self.recognizer else "none (DTMF only)",
        )
        await self.agi.start()

    async def stop(self) -> None:
        await self.agi.stop()
        await self.tts.close()
        if self._http is not None:
            await self._http.close()

    async def handle(self, agi: AgiSession) -> None:
        script = await self.library.get(agi.script)
        if script is None:
            log.error("no loadable script %r", agi.script)
            return
        attempt_id = as_id(await _channel_var(agi, "ATTEMPT_ID"))
        debtor_id = as_id(await _channel_var(agi, "DEBTOR_ID"))
        debtor_vars, campaign_id = await self.store.debtor(debtor_id)
        variables: dict[str, Any] = {
            "call.caller_id": agi.env.get("agi_callerid", ""),
            "call.channel": agi.env.get("agi_channel", ""),
            "call.attempt_id": attempt_id,
            "call.debtor_id": debtor_id,
            "call.today": utcnow().date(),
            "call.script": script.name,
            "call.args": dict(agi.args),
            **debtor_vars,
        }
        currency = str(
            debtor_vars.get("debtor.currency")
            or script.currency
            or self.settings.locale.default_currency
        )
        services = CallServices(self.tts, self.recognizer, self.sounds_dir, self._http)
        call = Call(agi, script, services, variables, script.language, currency)
        ids = {"attempt_id": attempt_id, "debtor_id": debtor_id, "campaign_id": campaign_id}
        # Written beside the call, not before its first prompt: hundreds of calls starting
        # at once would otherwise queue their first command behind each other's writes.
        opening = asyncio.create_task(self.store.open_session(call, attempt_id))

        async def store_result(result: ResultRecord) -> None:
            await self.store.save_result(await opening, ids, result)

        async def close(end_reason: str) -> None:
            await self.store.close_session(await opening, call, end_reason, ids)

        call.result_sink = store_result
        end_reason = EndReason.ERROR
        try:
            end_reason = await run_call(call)
        except asyncio.CancelledError:
            end_reason = "server_stopped"
            raise
        finally:
            # shielded: a server stop must not lose the session of a call being cut off
            await asyncio.shield(close(end_reason))
            self.sessions_done += 1
            log.info(
                "IVR %s on %s ended: %s, path %s",
                script.name,
                call.vars["call.channel"],
                end_reason,
                " > ".join(call.path),
            )


async def _channel_var(agi: AgiSession, name: str) -> str:
    try:
        reply = await agi.command(f"GET VARIABLE {name}")
    except CallerHungUp:
        return ""
    return reply.in_parens if reply.result == "1" else ""
