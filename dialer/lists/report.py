"""What an import did: counts, and every rejected row with line, column and reason."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


class ListFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, bad header); nothing was written."""


# The report keeps this many problems in memory; the rejects file always gets all of them.
MAX_KEPT_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    column: str  # the column name as written in the file, or "" for the whole row
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    campaign: str
    encoding: str = ""
    delimiter: str = ""
    dry_run: bool = False
    rows: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    phones: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    problems_dropped: int = 0  # problems beyond MAX_KEPT_PROBLEMS (counted, not kept)

    def add_problems(self, problems: list[RowProblem]) -> None:
        room = MAX_KEPT_PROBLEMS - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])
        self.problems_dropped += max(len(problems) - max(room, 0), 0)

    @property
    def imported(self) -> int:
        return self.new + self.updated

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{self.campaign}: {self.rows} rows read, {verb} {self.imported} "
            f"({self.new} new, {self.updated} updated, {self.phones} phones), "
            f"rejected {self.rejected} [encoding {self.encoding}, "
            f"delimiter {self.delimiter!r}]"
        )


class RejectsWriter:
    """Writes rejected rows as they were, with the line and reasons in front (UTF-8 CSV)."""

    def __init__(self, path: Path, header: list[str], delimiter: str) -> None:
        self._file: TextIO = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, delimiter=delimiter)
        self._writer.writerow(["line", "reason", *header])

    def write(self, line: int, problems: list[RowProblem], cells: list[str]) -> None:
        reasons = "; ".join((f"{p.column}: {p.reason}" if p.column else p.reason) for p in problems)
        self._writer.writerow([line, reasons, *cells])

    def close(self) -> None:
        self._file.close()
