"""Import a debtor CSV into a campaign: the one entry point for the CLI and the web upload.

Rows stream from the file through validation into batched transactions. A row with any
problem is rejected whole (never half-imported) and reported with its line, column and
reason; good rows go in. The second occurrence of an account id in one file is rejected
naming both lines. Re-importing updates debtors by (campaign, account_id).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import phonenumbers
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.lists import number_index
from dialer.lists.columns import map_columns
from dialer.lists.phones import PhoneNormaliser
from dialer.lists.reader import CsvSource, open_csv
from dialer.lists.report import ImportReport, ListFileError, RejectsWriter, RowProblem
from dialer.lists.rows import DebtorRecord, RowParser
from dialer.lists.seen import SeenAccounts
from dialer.lists.transactions import SqliteThreadTransactions, transactions_for
from dialer.lists.writer import DebtorWriter, ensure_campaign, find_campaign

log = logging.getLogger(__name__)

# One transaction per batch. Each commit rewrites every page of the phone-number index
# that the batch touched, so fewer, larger batches save most of that (a plain sqlite3
# loader of a million debtors used 41 s of CPU in 10,000-row batches, 34 s in 25,000,
# 32 s in 50,000); two batches are in memory at a time.
DEFAULT_BATCH_ROWS = 25_000
_NO_CELLS: list[str] = []
_YIELD_EVERY = 200  # rows parsed between turns for other tasks (a few milliseconds)


@dataclass(frozen=True, slots=True)
class ImportProgress:
    rows: int
    rejected: int
    bytes_read: int
    total_bytes: int | None

    @property
    def fraction(self) -> float | None:
        if not self.total_bytes:
            return None
        return min(self.bytes_read / self.total_bytes, 1.0)


ProgressCallback = Callable[[ImportProgress], None]


class _Run:
    """State of one import while rows flow through it."""

    def __init__(
        self,
        source: CsvSource,
        report: ImportReport,
        writer: DebtorWriter,
        rejects: RejectsWriter | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.report = report
        self.writer = writer
        self.rejects = rejects
        self.progress = progress
        self.seen = SeenAccounts()
        self.batch: list[tuple[DebtorRecord, list[str]]] = []
        self.pending: asyncio.Task[None] | None = None
        self.account_column = source.header[map_columns(source.header).index["account_id"]]

    def reject(self, line: int, problems: list[RowProblem], cells: list[str]) -> None:
        self.report.rejected += 1
        self.report.add_problems(problems)
        if self.rejects is not None:
            self.rejects.write(line, problems, cells)

    def keep(self, record: DebtorRecord, cells: list[str]) -> None:
        # A row's cells are only needed to copy it to a rejects file (when it turns out to
        # be a duplicate); without one, not holding them saves a third of a batch's memory.
        self.batch.append((record, cells if self.rejects is not None else _NO_CELLS))

    async def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        fresh, duplicates = self.seen.split([(r.account_id, r.line) for r, _c in batch])
        for index, first_line in duplicates:
            record, cells = batch[index]
            self.reject(record.line, [RowProblem(
                record.line,
                self.account_column,
                f"duplicate account_id {record.account_id!r}: already on line {first_line}",
            )], cells)  # fmt: skip
        await self.wait_for_writer()
        # The batch is written while the next one is parsed: SQLite in the import's own
        # thread, PostgreSQL in the server, so the two overlap on a multi-core machine.
        self.pending = asyncio.create_task(self._write([batch[i][0] for i in fresh]))

    async def _write(self, records: list[DebtorRecord]) -> None:
        result = await self.writer.write(records)
        self.report.new += result.new
        self.report.updated += result.updated
        self.report.phones += result.phones
        self.tick()

    async def wait_for_writer(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def cancel_writer(self) -> None:
        """On failure: stop the batch in flight (its transaction rolls back)."""
        pending, self.pending = self.pending, None
        if pending is not None:
            self.writer.transactions.interrupt()
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending  # the error being raised already says what went wrong

    def tick(self) -> None:
        if self.progress is not None:
            self.progress(
                ImportProgress(
                    self.report.rows,
                    self.report.rejected,
                    self.source.bytes_read(),
                    self.source.total_bytes,
                )
            )


_tuned_imports = 0
_saved_thresholds = gc.get_threshold()
_saved_switch_interval = sys.getswitchinterval()
# How long a thread may hold the interpreter lock while another waits for it (default 5 ms).
_IMPORT_SWITCH_INTERVAL_S = 0.0005


@contextmanager
def _interpreter_tuned_for_import() -> Iterator[None]:
    """Tune the interpreter while an import runs; counted, so overlapping imports in one web
    server restore the settings once.

    * Fewer garbage-collector passes: an import allocates millions of short-lived objects and
      makes no reference cycles; with the default thresholds the collector scans the young
      generation every 700 allocations, which costs a quarter of the import's CPU time.
      Cycles are still collected, only less often.
    * A shorter thread switch interval: the SQLite thread lets go of the interpreter lock
      while SQLite writes, then waits for it back to bind the next statement; with 5 ms it
      waited most of the time the row reader held it, so reading and writing took turns
      instead of overlapping.
    """
    global _tuned_imports, _saved_thresholds, _saved_switch_interval
    if _tuned_imports == 0:
        _saved_thresholds = gc.get_threshold()
        _saved_switch_interval = sys.getswitchinterval()
        low, middle, high = _saved_thresholds
        gc.set_threshold(max(low, 100_000), max(middle, 50), max(high, 1000))
        sys.setswitchinterval(min(_saved_switch_interval, _IMPORT_SWITCH_INTERVAL_S))
    _tuned_imports += 1
    try:
        yield
    finally:
        _tuned_imports -= 1
        if _tuned_imports == 0:
            gc.set_threshold(*_saved_thresholds)
            sys.setswitchinterval(_saved_switch_interval)


def _check_locale(country: str, timezone: str) -> None:
    if not phonenumbers.country_code_for_region(country.upper()):
        raise ListFileError(f"unknown country {country!r} (use an ISO code such as PL)")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ListFileError(f"unknown time zone {timezone!r} (use e.g. Europe/Warsaw)") from None


async def import_csv(
    sessions: async_sessionmaker[Any],
    path_or_stream: str | os.PathLike[str] | BinaryIO,
    campaign_name: str,
    *,
    default_country: str,
    default_currency: str,
    default_timezone: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    encoding: str | None = None,
    rejects_path: Path | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
) -> ImportReport:
    """Import debtors; raises ListFileError (nothing written) when the file is unusable."""
    _check_locale(default_country, default_timezone)
    with _interpreter_tuned_for_import(), open_csv(path_or_stream, encoding) as source:
        columns = map_columns(source.header)
        report = ImportReport(campaign_name, source.encoding, source.delimiter, dry_run)
        parser = RowParser(
            columns,
            PhoneNormaliser(default_country),
            default_country=default_country,
            default_currency=default_currency,
            default_timezone=default_timezone,
            encoding=source.encoding,
        )
        if dry_run:
            campaign_id = await find_campaign(sessions, campaign_name)
        else:
            campaign_id = await ensure_campaign(sessions, campaign_name)
        transactions = transactions_for(sessions, dry_run=dry_run)
        writer = DebtorWriter(
            transactions, campaign_id, dry_run=dry_run, update_priority="priority" in columns.index
        )
        rejects = (
            RejectsWriter(rejects_path, source.header, source.delimiter) if rejects_path else None
        )
        run = _Run(source, report, writer, rejects, progress)
        rebuild_index = False
        try:
            if isinstance(transactions, SqliteThreadTransactions):
                phones = (source.estimated_rows or 0) * len(columns.phone_fields)
                rebuild_index = await transactions.run(number_index.set_aside_if_worth_it, phones)
                writer.sort_phones = not rebuild_index
            for line, cells, malformed in source.rows():
                report.rows += 1
                if malformed:
                    run.reject(line, [RowProblem(line, "", malformed)], cells)
                    continue
                parsed = parser.parse(line, cells)
                if isinstance(parsed, list):
                    run.reject(line, parsed, cells)
                else:
                    run.keep(parsed, cells)
                    if len(run.batch) >= batch_rows:
                        await run.flush()
                if report.rows % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # a web server running the import gets a turn
            await run.flush()
            await run.wait_for_writer()
            await writer.link_creditor()
            report.problems.sort(key=lambda problem: problem.line)  # duplicates come late
        finally:
            await run.cancel_writer()
            if rebuild_index:
                try:
                    await transactions.run(number_index.rebuild)
                except Exception:  # the rows are in; the next import makes the index again
                    log.exception("could not rebuild the phone-number index")
            await transactions.close()
            run.seen.close()
            if rejects is not None:
                rejects.close()
    log.info("%s", report.summary())
    return report
