"""Driver-level bulk inserts, still typed by the SQLAlchemy schema.

SQLAlchemy's executemany builds and processes a parameter dict per row, which costs more
than the insert itself when a million debtors bring four million phones. Here the INSERT
is compiled once for the connection's dialect, and each row is a tuple converted by the
column types' own bind processors (UTC datetimes, JSON, dates; on SQLite, dates and JSON
by exact equivalents three to four times faster). On SQLite the rows go in
as multi-row `INSERT ... VALUES (...), (...)` statements of thousands of rows: fewer
statements to run, and the driver releases the GIL once per statement instead of once per
row, so the parsing of the next batch is held up less. Other dialects with positional
parameters use the driver's executemany; those with named parameters plain SQLAlchemy.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import JSON, Connection, Date, Table, insert
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]


def _sqlite_parameter_limit() -> int:
    """Bound parameters one statement may have (32766 by default since SQLite 3.32)."""
    probe = sqlite3.connect(":memory:")
    try:
        return probe.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    finally:
        probe.close()


# Statements of ~32k values already amortise the per-statement cost; larger ones gain nothing.
SQLITE_PARAMETERS = min(_sqlite_parameter_limit(), 32_766)


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
            processor: Processor | None = None
            if dialect.name == "sqlite":
                processor = _SQLITE_EQUIVALENTS.get(type(column_type))
            if processor is None:
                processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors.append((index, processor))
        self.multi_row = self.fast and dialect.name == "sqlite" and " VALUES (" in self.sql
        self.rows_per_statement = max(1, SQLITE_PARAMETERS // len(self.columns))
        self._multi_sql: dict[int, str] = {}

    def _convert(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.processors:
            return rows
        columns: list[Any] = list(zip(*rows, strict=True))
        for index, processor in self.processors:
            columns[index] = _convert_column(columns[index], processor)
        return list(zip(*columns, strict=True))

    def _flat(self, rows: Sequence[tuple[Any, ...]]) -> list[Any]:
        """The rows' values in one list, converted column by column (a strided slice)."""
        flat = list(itertools.chain.from_iterable(rows))
        width = len(self.columns)
        for index, processor in self.processors:
            flat[index::width] = _convert_column(flat[index::width], processor)
        return flat

    def _statement(self, count: int) -> str:
        """INSERT of `count` rows, cached per count."""
        sql = self._multi_sql.get(count)
        if sql is None:
            head, values = self.sql.split(" VALUES ", 1)
            sql = self._multi_sql[count] = f"{head} VALUES {', '.join([values] * count)}"
        return sql

    def run(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        """Insert `rows`, tuples in the order of `columns`."""
        if not rows:
            return
        if self.multi_row:
            start = 0
            for size in _statement_sizes(len(rows), self.rows_per_statement):
                chunk = rows[start : start + size]
                conn.exec_driver_sql(self._statement(size), tuple(self._flat(chunk)))
                start += size
        elif self.fast:
            conn.exec_driver_sql(self.sql, self._convert(rows))
        else:
            conn.execute(
                insert(self.table), [dict(zip(self.columns, row, strict=True)) for row in rows]
            )


def _statement_sizes(total: int, most: int) -> list[int]:
    """Rows per statement: full statements, then the rest as powers of two.

    Each distinct size is another statement text here and another compiled statement in
    the driver's cache (~3 MB for 4,681 rows); powers of two keep them to a few dozen,
    whatever the batches' sizes, where one statement per remainder could be thousands.
    """
    sizes = [most] * (total // most)
    rest = total % most
    while rest:
        power = 1 << (rest.bit_length() - 1)
        sizes.append(power)
        rest -= power
    return sizes


def _iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _json_object_of_texts(value: dict[str, str]) -> str:
    """json.dumps of a dict of strings, the same text, in a third of the time."""
    quote = encode_basestring_ascii
    return "{" + ", ".join([f"{quote(k)}: {quote(v)}" for k, v in value.items()]) + "}"


# Exactly what SQLAlchemy's SQLite processors write, for the types a debtor import sends by
# the million (its JSON column holds only the file's extra text columns); checked by tests.
_SQLITE_EQUIVALENTS: dict[type[Any], Processor] = {Date: _iso_date, JSON: _json_object_of_texts}


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
