"""The scripts folder, reloaded without a restart.

Each call asks for its script by name; a changed file (mtime) is reloaded then. A call
keeps the Script object it started with, so it finishes on that version. A file that no
longer loads keeps the last good version in service (and says so in the log).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from ivr.loader import load_script
from ivr.script import Script, ScriptError

log = logging.getLogger(__name__)

SCRIPT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
EXTENSIONS = (".yaml", ".yml")


class ScriptLibrary:
    def __init__(
        self,
        scripts_dir: Path,
        sounds_dir: Path,
        on_load: Callable[[Script], Awaitable[None]] | None = None,
    ) -> None:
        self.scripts_dir = scripts_dir
        self.sounds_dir = sounds_dir
        self._on_load = on_load
        self._scripts: dict[str, Script] = {}
        self._failed: dict[str, int] = {}  # name → mtime of a version that did not load

    def path_of(self, name: str) -> Path | None:
        if not SCRIPT_NAME.match(name):
            return None
        for ext in EXTENSIONS:
            path = self.scripts_dir / f"{name}{ext}"
            if path.is_file():
                return path
        return None

    def names(self) -> list[str]:
        return sorted(p.stem for ext in EXTENSIONS for p in self.scripts_dir.glob(f"*{ext}"))

    async def get(self, name: str) -> Script | None:
        path = self.path_of(name)
        current = self._scripts.get(name)
        if path is None:
            return current
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            return current
        if current is not None and current.mtime_ns == mtime and current.path == path:
            return current
        if self._failed.get(name) == mtime:  # already reported; not re-read every call
            return current
        try:
            script = load_script(path, self.sounds_dir)
        except ScriptError as exc:
            self._failed[name] = mtime
            for problem in exc.problems:
                log.error("script %s not (re)loaded: %s", name, problem)
            return current
        if self._on_load is not None:
            await self._on_load(script)
        self._scripts[name] = script
        log.info("script %s loaded (version %s)", name, script.version)
        return script

    async def load_all(self) -> list[str]:
        loaded = []
        for name in self.names():
            if await self.get(name) is not None:
                loaded.append(name)
        return loaded
