"""Bulk inserts: every row once in few distinct statements, values written as SQLAlchemy would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import JSON, Date
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeEngine

from dialer.lists.bulk import _iso_date, _json_object_of_texts, _statement_sizes


def test_sizes_cover_every_row_with_full_statements_first() -> None:
    assert _statement_sizes(0, 100) == []
    assert _statement_sizes(250, 100) == [100, 100, 32, 16, 2]
    assert _statement_sizes(100, 100) == [100]


def test_any_batch_uses_only_the_full_size_and_powers_of_two() -> None:
    shapes: set[int] = set()
    for total in range(1, 20_000):
        sizes = _statement_sizes(total, 4681)
        assert sum(sizes) == total
        shapes.update(sizes)
    assert shapes <= {4681} | {1 << bit for bit in range(13)}


@given(st.dictionaries(st.text(), st.text(), max_size=4))
def test_extra_columns_are_written_as_sqlalchemy_writes_json(extra: dict[str, str]) -> None:
    assert _json_object_of_texts(extra) == _sqlalchemy_processor(JSON())(extra)


@given(st.one_of(st.none(), st.dates()))
def test_dates_are_written_as_sqlalchemy_writes_them_on_sqlite(value: date | None) -> None:
    assert _iso_date(value) == _sqlalchemy_processor(Date())(value)


def _sqlalchemy_processor(column_type: TypeEngine[Any]) -> Callable[[Any], Any]:
    dialect = sqlite.dialect()
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    assert processor is not None
    return processor
