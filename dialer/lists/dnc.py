"""The do-not-call list: numbers (E.164) that no campaign may dial.

A DNC file is a CSV with a `number` column (also `phone`, `phone_number`, `phone1`,
`number_e164`) and an optional `reason` column, or a plain list with one number per
line and no header. Encoding and delimiter are detected as for debtor files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import DncEntry
from dialer.db.types import utcnow
from dialer.lists.columns import canonical_name
from dialer.lists.phones import PhoneError, PhoneNormaliser
from dialer.lists.reader import open_csv
from dialer.lists.report import RowProblem

NUMBER_COLUMNS = ("number", "phone1", "number_e164", "phone_number", "phone")
_BATCH = 2000


@dataclass
class DncReport:
    rows: int = 0
    added: int = 0
    already: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"DNC: {self.rows} rows read, {self.added} numbers added, "
            f"{self.already} already listed, {len(self.problems)} rejected"
        )


async def is_dnc(session: AsyncSession, e164: str) -> bool:
    """True when `e164` is on the do-not-call list."""
    found = await session.scalar(select(DncEntry.id).where(DncEntry.number_e164 == e164))
    return found is not None


async def dnc_entry(session: AsyncSession, e164: str) -> DncEntry | None:
    return await session.scalar(select(DncEntry).where(DncEntry.number_e164 == e164))


async def add_dnc(sessions: async_sessionmaker[Any], numbers: list[tuple[str, str]]) -> int:
    """Add (e164, reason) pairs; returns how many were new (known numbers are kept as is)."""
    if not numbers:
        return 0
    table = cast(Table, DncEntry.__table__)
    async with sessions() as session, session.begin():
        known: set[str] = set()
        unique = list(dict.fromkeys(n for n, _r in numbers))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = await session.execute(
                select(table.c.number_e164).where(table.c.number_e164.in_(chunk))
            )
            known.update(n for (n,) in rows)
        now = utcnow()
        fresh: dict[str, str] = {}
        for number, reason in numbers:
            if number not in known and number not in fresh:
                fresh[number] = reason
        if not fresh:
            return 0
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # ON CONFLICT: another import adding the same number meanwhile is not an error.
        await session.execute(
            insert(table).on_conflict_do_nothing(index_elements=["number_e164"]),
            [{"number_e164": n, "reason": r[:200], "added_at": now} for n, r in fresh.items()],
        )
        return len(fresh)


async def import_dnc(
    sessions: async_sessionmaker[Any],
    path_or_stream: str | os.PathLike[str] | BinaryIO | Path,
    *,
    default_country: str,
    encoding: str | None = None,
    reason: str = "",
) -> DncReport:
    report = DncReport()
    phones = PhoneNormaliser(default_country)
    with open_csv(path_or_stream, encoding) as source:
        names = [canonical_name(cell) for cell in source.header]
        number_col = next((names.index(n) for n in NUMBER_COLUMNS if n in names), None)
        reason_col = names.index("reason") if "reason" in names else None
        rows = source.rows()
        label = "number"
        if number_col is None:  # no header: the first line is a number too
            number_col = 0
            rows = _prepend((1, source.header, None), rows)
        else:
            label = source.header[number_col]
        batch: list[tuple[str, str]] = []
        for line, cells, malformed in rows:
            report.rows += 1
            if malformed:
                report.problems.append(RowProblem(line, "", malformed))
                continue
            raw = cells[number_col] if number_col < len(cells) else ""
            try:
                number = phones.normalise(raw).e164
            except PhoneError as exc:
                report.problems.append(RowProblem(line, label, str(exc)))
                continue
            note = (
                cells[reason_col].strip()
                if reason_col is not None and reason_col < len(cells)
                else ""
            )
            batch.append((number, note or reason))
            if len(batch) >= _BATCH:
                report.added += await add_dnc(sessions, batch)
                report.already += len(batch)
                batch = []
        report.added += await add_dnc(sessions, batch)
        report.already += len(batch)
    report.already -= report.added
    return report


def _prepend(first: Any, rest: Any) -> Any:
    yield first
    yield from rest
