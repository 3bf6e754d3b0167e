"""A one-line progress display on stderr, only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from dialer.lists.importer import ImportProgress


class TerminalProgress:
    """Call with ImportProgress; redraws at most ~5 times a second; `done()` ends the line."""

    def __init__(self, stream: TextIO | None = None, min_interval_s: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.min_interval_s = min_interval_s
        self._started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def __call__(self, progress: ImportProgress) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < self.min_interval_s:
            return
        self._last = now
        elapsed = max(now - self._started, 1e-6)
        rate = progress.rows / elapsed
        fraction = progress.fraction
        bar = ""
        if fraction is not None:
            filled = int(fraction * 30)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f}% "
        self.stream.write(
            f"\r{bar}{progress.rows:,} rows, {progress.rejected:,} rejected, {rate:,.0f} rows/s "
        )
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
