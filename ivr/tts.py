"""Text to speech, rendered once per (text, voice) and cached as 8 kHz mono 16-bit WAV.

Asterisk plays `sounds/cache/tts-<hash>.wav` as `dialer/cache/tts-<hash>`. pyttsx3 runs in
one long-lived child process (ivr.tts_worker); a text that takes longer than the timeout
kills it (restarted for the next text) and that text is rendered by the espeak-ng CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_SUBDIR = "cache"


@dataclass
class TtsStats:
    hits: int = 0
    misses: int = 0
    fallbacks: int = 0
    render_s: float = 0.0

    @property
    def hit_ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class TtsError(Exception):
    pass


class TtsWorker:
    """The pyttsx3 child process; one request at a time."""

    def __init__(self, timeout_s: float = 10.0, command: list[str] | None = None) -> None:
        self.timeout_s = timeout_s
        self.command = command or [sys.executable, "-m", "ivr.tts_worker"]
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def _ensure(self) -> asyncio.subprocess.Process:
        if self._proc is None or self._proc.returncode is not None:
            self._proc = await asyncio.create_subprocess_exec(
                *self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            assert self._proc.stdout is not None
            await asyncio.wait_for(self._proc.stdout.readline(), self.timeout_s)
        return self._proc

    async def render(self, text: str, voice: str, path: Path) -> None:
        async with self._lock:
            try:
                proc = await self._ensure()
                assert proc.stdin is not None and proc.stdout is not None
                job = {"text": text, "voice": voice, "path": str(path)}
                proc.stdin.write(json.dumps(job).encode() + b"\n")
                await proc.stdin.drain()
                line = await asyncio.wait_for(proc.stdout.readline(), self.timeout_s)
            except (TimeoutError, OSError, ConnectionError) as exc:
                await self.stop()
                raise TtsError(f"pyttsx3 worker hung or died: {exc!r}") from exc
            reply = json.loads(line or b'{"ok": false, "error": "worker exited"}')
            if not reply.get("ok") or not path.is_file():
                await self.stop()
                raise TtsError(str(reply.get("error") or "no audio written"))

    async def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def _run(*args: str, timeout_s: float) -> None:
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise TtsError(f"{args[0]} timed out") from None
    if proc.returncode != 0:
        raise TtsError(f"{args[0]} failed: {err.decode(errors='replace').strip()}")


class Tts:
    def __init__(
        self,
        sounds_dir: Path,
        timeout_s: float = 10.0,
        worker_command: list[str] | None = None,
        cli_timeout_s: float = 30.0,
    ) -> None:
        self.sounds_dir = sounds_dir
        self.cache_dir = sounds_dir / CACHE_SUBDIR
        self.timeout_s = timeout_s  # per text, for the pyttsx3 worker (it may hang)
        self.cli_timeout_s = cli_timeout_s  # espeak-ng CLI and sox do not hang: generous
        self.worker = TtsWorker(timeout_s, worker_command)
        self.stats = TtsStats()
        self._pending: dict[str, asyncio.Future[Path]] = {}

    def cache_path(self, text: str, voice: str) -> Path:
        digest = hashlib.sha256(f"{voice}\0{text}".encode()).hexdigest()[:24]
        return self.cache_dir / f"tts-{voice.replace('/', '_')}-{digest}.wav"

    async def sound_for(self, text: str, voice: str) -> str:
        """Asterisk's sound name for the text (rendering it first if not cached)."""
        path = await self.render(text, voice)
        return "dialer/" + path.relative_to(self.sounds_dir).with_suffix("").as_posix()

    async def render(self, text: str, voice: str) -> Path:
        path = self.cache_path(text, voice)
        if path.is_file():
            self.stats.hits += 1
            return path
        key = path.name
        if key in self._pending:  # the same prompt asked by several calls at once
            self.stats.hits += 1
            return await asyncio.shield(self._pending[key])
        self.stats.misses += 1
        future: asyncio.Future[Path] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            await self._render_new(text, voice, path)
            future.set_result(path)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: no "never retrieved" warning
            raise
        finally:
            del self._pending[key]
        return path

    async def _render_new(self, text: str, voice: str, path: Path) -> None:
        started = time.perf_counter()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        raw = path.with_suffix(".raw.wav")
        try:
            try:
                await self.worker.render(text, voice, raw)
            except TtsError as exc:
                log.warning("pyttsx3 failed for %r (%s); using the espeak-ng CLI", text[:40], exc)
                self.stats.fallbacks += 1
                await _run(
                    "espeak-ng", "-v", voice, "-w", str(raw), text, timeout_s=self.cli_timeout_s
                )
            tmp = path.with_suffix(".tmp.wav")
            await _run(
                "sox",
                str(raw),
                "-r",
                "8000",
                "-c",
                "1",
                "-b",
                "16",
                "-e",
                "signed-integer",
                str(tmp),
                timeout_s=self.cli_timeout_s,
            )
            tmp.replace(path)  # atomic: Asterisk never sees half a file
        finally:
            raw.unlink(missing_ok=True)
        self.stats.render_s += time.perf_counter() - started

    async def close(self) -> None:
        await self.worker.stop()
