"""Driver-level executemany for big inserts, still typed by the SQLAlchemy schema.

SQLAlchemy's executemany builds and processes a parameter dict per row, which costs more
than the insert itself when a million debtors bring four million phones. Here the INSERT
is compiled once for the connection's dialect, and each row is a tuple converted by the
column types' own bind processors (UTC datetimes, JSON, dates), then handed to the
driver's executemany. Dialects with named parameters fall back to plain SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

Processor = Callable[[Any], Any]


class BulkInsert:
    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = list(columns)
        compiled = insert(table).compile(dialect=dialect, column_keys=self.columns)
        order = compiled.positiontup
        self.fast = order is not None and list(order) == self.columns
        # PostgreSQL dialects add "RETURNING id" to single-row inserts; executemany
        # discards it anyway, so leave it out.
        self.sql = str(compiled).split(" RETURNING ")[0]
        self.processors: list[tuple[int, Processor]] = []
        for index, name in enumerate(self.columns):
            column_type = table.c[name].type
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors.append((index, processor))

    def _convert(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.processors:
            return rows
        columns: list[Any] = list(zip(*rows, strict=True))
        for index, processor in self.processors:
            columns[index] = _convert_column(columns[index], processor)
        return list(zip(*columns, strict=True))

    async def run(self, conn: AsyncConnection, rows: list[tuple[Any, ...]]) -> None:
        """Insert `rows`, tuples in the order of `columns`."""
        if not rows:
            return
        if self.fast:
            await conn.exec_driver_sql(self.sql, self._convert(rows))
        else:
            await conn.execute(
                insert(self.table), [dict(zip(self.columns, row, strict=True)) for row in rows]
            )


def _convert_column(values: Sequence[Any], processor: Processor) -> list[Any]:
    """Apply `processor`, once per run of the same object (batch timestamps, flags)."""
    converted: list[Any] = []
    last_in: Any = converted  # a sentinel no value can be
    last_out: Any = None
    for value in values:
        if value is not last_in:
            last_in, last_out = value, processor(value)
        converted.append(last_out)
    return converted
