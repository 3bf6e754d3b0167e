"""CSV export of report rows (lists of flat dicts) with a header from the first row."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO


def write_csv(rows: Sequence[dict[str, object]], stream: TextIO) -> None:
    if not rows:
        return
    writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})


def csv_text(rows: Sequence[dict[str, object]]) -> str:
    buffer = io.StringIO()
    write_csv(rows, buffer)
    return buffer.getvalue()


def save_csv(rows: Sequence[dict[str, object]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        write_csv(rows, stream)
