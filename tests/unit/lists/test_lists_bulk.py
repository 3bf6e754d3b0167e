"""Bulk insert statement sizes: every row once, and few distinct statements."""

from __future__ import annotations

from dialer.lists.bulk import _statement_sizes


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
