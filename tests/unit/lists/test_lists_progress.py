"""The terminal progress line."""

from __future__ import annotations

import io

from dialer.lists.importer import ImportProgress
from dialer.lists.progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_a_bar_on_a_terminal_and_ends_the_line() -> None:
    screen = Terminal()
    progress = TerminalProgress(screen, min_interval_s=0)
    progress(ImportProgress(rows=500, rejected=2, bytes_read=50, total_bytes=100))
    progress.done()
    text = screen.getvalue()
    assert text.startswith("\r[###############...............]  50.0% 500 rows, 2 rejected")
    assert text.endswith("\n")


def test_silent_when_not_a_terminal() -> None:
    log = io.StringIO()
    progress = TerminalProgress(log, min_interval_s=0)
    progress(ImportProgress(rows=1, rejected=0, bytes_read=1, total_bytes=None))
    progress.done()
    assert log.getvalue() == ""
