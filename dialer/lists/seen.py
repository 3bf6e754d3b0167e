"""Account ids already read from the current file, to name both lines of a duplicate.

A million ids in a Python dict would cost ~100 MB; a private temporary SQLite file (the
standard library's `sqlite3.connect("")`, deleted on close) keeps memory flat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

_CHUNK = 500


class SeenAccounts:
    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (account_id TEXT PRIMARY KEY, line INTEGER)")

    def split(self, entries: Sequence[tuple[str, int]]) -> tuple[list[int], list[tuple[int, int]]]:
        """For (account_id, line) pairs: indexes of first sightings, and (index, first line)
        of duplicates. First sightings are remembered."""
        ids = [account for account, _line in entries]
        earlier: dict[str, int] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            earlier.update(
                self._db.execute(
                    f"SELECT account_id, line FROM seen WHERE account_id IN ({marks})", chunk
                ).fetchall()
            )
        fresh: list[int] = []
        duplicates: list[tuple[int, int]] = []
        for index, (account, line) in enumerate(entries):
            first = earlier.get(account)
            if first is None:
                earlier[account] = line
                fresh.append(index)
            else:
                duplicates.append((index, first))
        # Multi-row inserts: executemany lets go of the interpreter lock for every row, and
        # each time waited for the SQLite writer thread to hand it back.
        for start in range(0, len(fresh), _CHUNK):
            indexes = fresh[start : start + _CHUNK]
            values = ",".join(["(?, ?)"] * len(indexes))
            flat = [value for index in indexes for value in entries[index]]
            self._db.execute(f"INSERT INTO seen VALUES {values}", flat)
        return fresh, duplicates

    def close(self) -> None:
        self._db.close()
