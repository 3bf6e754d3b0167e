"""Where IVR sessions and their results go: IvrSession and ScriptResult (source "ivr")."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import Debtor, IvrSession, ScriptResult
from dialer.db.types import utcnow
from ivr.call import Call, ResultRecord

log = logging.getLogger(__name__)


def as_id(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


class IvrStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def debtor(self, debtor_id: int | None) -> tuple[dict[str, Any], int | None]:
        """The `debtor.*` variables and the debtor's campaign id ({} when unknown)."""
        if debtor_id is None:
            return {}, None
        async with self._sessions() as db:
            row = await db.get(Debtor, debtor_id)
            if row is None:
                log.warning("IVR call names debtor %s, which does not exist", debtor_id)
                return {}, None
            fields = {
                "id": row.id,
                "account_id": row.account_id,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "balance": row.balance,
                "currency": row.currency,
                "due_date": row.due_date,
                "timezone": row.timezone,
                "language": row.language,
                "extra": dict(row.extra or {}),
            }
            return {f"debtor.{k}": v for k, v in fields.items()}, row.campaign_id

    async def open_session(self, call: Call, attempt_id: int | None) -> int:
        """The session row, written when the call starts.

        A process that dies mid-call leaves it open (ended_at NULL) with every result stored
        so far; nothing else touches the database while the call runs, so the database stays
        off the path of every AGI command (bench/ivr_bench.py)."""
        async with self._sessions() as db, db.begin():
            row = IvrSession(
                attempt_id=attempt_id,
                script=call.script.name,
                script_version=call.script.version,
                channel=str(call.vars.get("call.channel", "")),
                started_at=call.started_at,
            )
            db.add(row)
            await db.flush()
            return row.id

    async def save_result(
        self, session_id: int, ids: dict[str, int | None], result: ResultRecord
    ) -> None:
        async with self._sessions() as db, db.begin():
            db.add(_result_row(session_id, ids, result))
        result.saved = True

    async def close_session(
        self, session_id: int, call: Call, end_reason: str, ids: dict[str, int | None]
    ) -> None:
        """The path taken (partial if the caller hung up), inputs, and any result not yet in."""
        async with self._sessions() as db, db.begin():
            row = await db.get(IvrSession, session_id)
            if row is None:
                raise LookupError(f"IVR session {session_id} vanished")
            row.path = list(call.path)
            row.inputs = list(call.inputs)
            row.end_reason = end_reason
            row.ended_at = utcnow()
            unsaved = [result for result in call.results if not result.saved]
            db.add_all(_result_row(session_id, ids, result) for result in unsaved)
        for result in unsaved:
            result.saved = True


def _result_row(session_id: int, ids: dict[str, int | None], result: ResultRecord) -> ScriptResult:
    return ScriptResult(
        attempt_id=ids.get("attempt_id"),
        debtor_id=ids.get("debtor_id"),
        campaign_id=ids.get("campaign_id"),
        source="ivr",
        kind=result.kind,
        amount=result.amount,
        currency=result.currency,
        promised_date=result.promised_date,
        note=result.note,
        data={**result.data, "ivr_session_id": session_id},
    )
