"""Importing real CSV files (cp1250, cp1251, UTF-8 with BOM) into SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import gc
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.db.models import CallAttempt, Campaign, Creditor, Debtor, Phone, Portfolio
from dialer.lists import ImportProgress, ListFileError, import_csv, import_dnc, is_dnc
from tests.integration.lists import LOCALE

Sessions = async_sessionmaker[Any]

POLISH_CP1250 = """account_id;first_name;last_name;creditor;portfolio;balance;currency;due_date;phone1;phone2;phone1_type;comments
PL-001;Łukasz;Wójcik;Bank Śląski;Karty kredytowe;1 240,50;PLN;31.03.2025;501 234 567;22 123 45 67;komórka;zadłużenie po karcie
PL-002;Zofia;Dąbrowska;Bank Śląski;Karty kredytowe;1.240,50;;2025-04-15;+48 601 234 567;;;
PL-003;Grzegorz;Żółkiewski;Bank Śląski;Pożyczki;99,99;PLN;;0048 721 234 567;;;rozłożyć na raty
"""  # noqa: E501
UKRAINIAN_CP1251 = (
    "account_id\tfirst_name\tlast_name\tbalance\tcurrency\tphone1\tphone2\tcity\n"
    "UA-1\tПетро\tШевченко\t1240,50\tUAH\t067 123 4567\t+380 50 123 4567\tКиїв\n"
    "UA-2\tІрина\tЇжакевич\t15 000\tUAH\t+380631234567\t\tЛьвів\n"
    "UA-3\tҐанна\tЄвтушенко\t7,5\tUAH\t093-123-45-67\t\tОдеса\n"
)
UTF8_COMMA = (
    "vendor_lead_code,first_name,last_name,balance,phone_number,alt_phone,comments\n"
    'V1,Małgorzata,Wiśniewska,"1,240.50",501234567,,"pilne, oddzwonić"\n'
    "V2,Jan,Kowalski,1240.5,+48 502 345 678,+48 22 123 45 67,\n"
)


def write(path: Path, content: str, encoding: str) -> Path:
    path.write_bytes(content.encode(encoding))
    return path


# --- databases ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lists_postgres_url(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this module, dropped at the end."""
    name = f"dialer_lists_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(upgrade(url))
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("lists_postgres_url")
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Sessions]:
    if database_url.startswith("sqlite"):
        await upgrade(database_url)
    engine = make_engine(database_url)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def campaign_name() -> str:
    return f"lists-{secrets.token_hex(4)}"  # PostgreSQL is shared by the module's tests


async def debtors_of(sessions: Sessions, campaign: str) -> dict[str, Debtor]:
    async with sessions() as session:
        rows = await session.scalars(select(Debtor).join(Campaign).where(Campaign.name == campaign))
        found = {d.account_id: d for d in rows}
        for debtor in found.values():
            await session.refresh(debtor, ["phones"])
        return found


async def dangling_references(sessions: Sessions) -> list[Any]:
    """Rows whose foreign keys point nowhere. SQLite's import connection does not check them
    as it writes (PostgreSQL always does), so the tests check the result."""
    async with sessions() as session:
        if session.bind.dialect.name != "sqlite":
            return []
        return list(await session.execute(text("PRAGMA foreign_key_check")))


# --- imports ------------------------------------------------------------------------------


async def test_polish_cp1250_semicolons(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    path = write(tmp_path / "pl.csv", POLISH_CP1250, "cp1250")
    report = await import_csv(db, path, name, **LOCALE)
    assert (report.encoding, report.delimiter) == ("cp1250", ";")
    assert (report.new, report.updated, report.rejected, report.phones) == (3, 0, 0, 4)
    debtors = await debtors_of(db, name)
    lukasz = debtors["PL-001"]
    assert (lukasz.first_name, lukasz.last_name) == ("Łukasz", "Wójcik")
    assert lukasz.balance == Decimal("1240.50")
    assert lukasz.due_date is not None and lukasz.due_date.isoformat() == "2025-03-31"
    assert lukasz.extra == {"comments": "zadłużenie po karcie"}
    assert [(p.number_e164, p.kind) for p in lukasz.phones] == [
        ("+48501234567", "komórka"),
        ("+48221234567", "landline"),
    ]
    assert debtors["PL-003"].last_name == "Żółkiewski"
    assert debtors["PL-003"].phones[0].number_e164 == "+48721234567"
    async with db() as session:
        creditor = await session.scalar(select(Creditor).where(Creditor.name == "Bank Śląski"))
        assert creditor is not None
        names = set(
            await session.scalars(
                select(Portfolio.name).where(Portfolio.creditor_id == creditor.id)
            )
        )
        assert names == {"Karty kredytowe", "Pożyczki"}
        campaign = await session.scalar(select(Campaign).where(Campaign.name == name))
        assert campaign is not None and campaign.creditor_id == creditor.id
    assert await dangling_references(db) == []


async def test_ukrainian_cp1251_tabs(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    path = write(tmp_path / "ua.csv", UKRAINIAN_CP1251, "cp1251")
    report = await import_csv(db, path, name, **{**LOCALE, "default_country": "UA"})
    assert (report.encoding, report.delimiter, report.new) == ("cp1251", "\t", 3)
    debtors = await debtors_of(db, name)
    petro = debtors["UA-1"]
    assert (petro.first_name, petro.last_name, petro.currency) == ("Петро", "Шевченко", "UAH")
    assert (petro.timezone, petro.language) == ("Europe/Kyiv", "uk")
    assert [p.number_e164 for p in petro.phones] == ["+380671234567", "+380501234567"]
    assert petro.extra == {"city": "Київ"}
    assert debtors["UA-2"].balance == Decimal("15000.00")
    assert debtors["UA-3"].first_name == "Ґанна"


async def test_utf8_bom_commas_and_vicidial_names(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    path = write(tmp_path / "v.csv", UTF8_COMMA, "utf-8-sig")
    report = await import_csv(db, path, name, **LOCALE)
    assert (report.encoding, report.delimiter, report.new) == ("utf-8-sig", ",", 2)
    debtors = await debtors_of(db, name)
    assert debtors["V1"].balance == Decimal("1240.50")
    assert debtors["V1"].extra == {"comments": "pilne, oddzwonić"}
    assert [p.number_e164 for p in debtors["V2"].phones] == ["+48502345678", "+48221234567"]


async def test_bad_rows_are_rejected_whole_and_good_rows_go_in(
    db: Sessions, tmp_path: Path
) -> None:
    name = campaign_name()
    content = (
        "account_id;first_name;balance;phone1;phone2\n"
        "A1;Anna;10,00;501234567;\n"
        "A2;Bogdan;1.240;601234567;\n"  # ambiguous amount
        "A3;Celina;5;501234567;12345\n"  # second phone invalid: the row is not half-imported
        "A1;Dorota;7;721234567;\n"  # duplicate of line 2
        "A4;Ewa;8;;\n"  # no phone
        "A5;Felicja;9;881234567;\n"
    )
    rejects = tmp_path / "rejects.csv"
    report = await import_csv(
        db, write(tmp_path / "bad.csv", content, "utf-8"), name, **LOCALE, rejects_path=rejects
    )
    assert (report.rows, report.new, report.rejected) == (6, 2, 4)
    assert [str(p) for p in report.problems] == [
        "line 3, column balance: amount '1.240' is ambiguous: "
        "write 1240.00 / 1240,00 or 1.24 / 1,24",
        "line 4, column phone2: invalid phone number +4812345 "
        "(no such number in the numbering plan)",
        "line 5, column account_id: duplicate account_id 'A1': already on line 2",
        "line 6: no phone number on this row",
    ]
    assert set(await debtors_of(db, name)) == {"A1", "A5"}
    assert (await debtors_of(db, name))["A1"].first_name == "Anna"
    with rejects.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["line", "reason", "account_id", "first_name", "balance", "phone1", "phone2"]
    assert [row[0] for row in rows[1:]] == ["3", "4", "6", "5"]
    assert rows[2][2:] == ["A3", "Celina", "5", "501234567", "12345"]
    assert rows[4][2:] == ["A1", "Dorota", "7", "721234567", ""]  # a duplicate keeps its cells


async def test_reimport_updates_in_place_and_replaces_phones(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    first = (
        "account_id;last_name;balance;phone1;phone2;phone3\n"
        "R1;Nowak;100;501234567;601234567;\n"
        "R2;Lis;200;502345678;602345678;722345678\n"
    )
    await import_csv(db, write(tmp_path / "1.csv", first, "utf-8"), name, **LOCALE)
    before = await debtors_of(db, name)
    r2_third = before["R2"].phones[2]
    async with db() as session, session.begin():
        # R2's third number was dialled once, and R1 is in the middle of being worked.
        session.add(
            CallAttempt(
                campaign_id=before["R2"].campaign_id, debtor_id=before["R2"].id,
                phone_id=r2_third.id, number_e164=r2_third.number_e164,
                action_id=f"lists-{secrets.token_hex(6)}",
            )
        )  # fmt: skip
        r1 = await session.get(Debtor, before["R1"].id)
        assert r1 is not None
        r1.status = "callback"
    second = (
        "account_id;last_name;balance;phone1;phone2;phone3\n"
        "R1;Nowak-Lis;150,50;791234567;;\n"
        "R2;Lis;250;502345678;;\n"
    )
    report = await import_csv(db, write(tmp_path / "2.csv", second, "utf-8"), name, **LOCALE)
    assert (report.new, report.updated) == (0, 2)
    after = await debtors_of(db, name)
    assert {k: v.id for k, v in after.items()} == {k: v.id for k, v in before.items()}
    assert (after["R1"].last_name, after["R1"].balance) == ("Nowak-Lis", Decimal("150.50"))
    assert after["R1"].status == "callback"
    assert [(p.position, p.number_e164, p.bad) for p in after["R1"].phones] == [
        (1, "+48791234567", False)
    ]
    assert [(p.position, p.number_e164, p.bad) for p in after["R2"].phones] == [
        (1, "+48502345678", False),
        (3, "+48722345678", True),  # kept for its call history, never dialled again
    ]
    async with db() as session:
        total = len(list(await session.scalars(
            select(Phone.id).where(Phone.debtor_id.in_([d.id for d in after.values()]))
        )))  # fmt: skip
    assert total == 3
    assert await dangling_references(db) == []


async def test_dry_run_counts_without_writing(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    path = write(tmp_path / "pl.csv", POLISH_CP1250, "cp1250")
    report = await import_csv(db, path, name, **LOCALE, dry_run=True)
    assert (report.new, report.updated, report.rejected, report.dry_run) == (3, 0, 0, True)
    async with db() as session:
        assert await session.scalar(select(Campaign.id).where(Campaign.name == name)) is None
    await import_csv(db, path, name, **LOCALE)
    extra = POLISH_CP1250 + "PL-004;Jan;Nowak;Bank Śląski;;5;;;501 999 888;;;\n"
    report = await import_csv(
        db, write(tmp_path / "more.csv", extra, "cp1250"), name, **LOCALE, dry_run=True
    )
    assert (report.new, report.updated) == (1, 3)
    assert len(await debtors_of(db, name)) == 3


async def test_unusable_files_write_nothing(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    missing = write(tmp_path / "m.csv", "account_id;first_name\nA;B\n", "utf-8")
    with pytest.raises(ListFileError, match="balance"):
        await import_csv(db, missing, name, **LOCALE)
    with pytest.raises(ListFileError, match="cannot open"):
        await import_csv(db, tmp_path / "nope.csv", name, **LOCALE)
    async with db() as session:
        assert await session.scalar(select(Campaign.id).where(Campaign.name == name)) is None


async def test_many_batches_with_progress_and_a_far_duplicate(db: Sessions, tmp_path: Path) -> None:
    name = campaign_name()
    lines = ["account_id,balance,phone1"]
    lines += [f"B{i:05d},{i}.50,+4850{i:07d}" for i in range(2500)]
    lines.append("B00007,1,+48501111111")
    seen: list[ImportProgress] = []
    report = await import_csv(
        db, write(tmp_path / "big.csv", "\n".join(lines) + "\n", "utf-8"), name, **LOCALE,
        progress=seen.append, batch_rows=400,
    )  # fmt: skip
    assert (report.new, report.rejected) == (2500, 1)
    assert str(report.problems[0]) == (
        "line 2502, column account_id: duplicate account_id 'B00007': already on line 9"
    )
    assert len(seen) >= 6
    assert seen[-1].rows == 2501 and seen[-1].fraction == 1.0


async def test_interpreter_settings_are_tuned_during_an_import_and_restored(
    db: Sessions, tmp_path: Path
) -> None:
    before = (sys.getswitchinterval(), gc.get_threshold())
    during: list[tuple[float, tuple[int, int, int]]] = []
    lines = ["account_id,balance,phone1", *(f"T{i:04d},1,+4850{i:07d}" for i in range(900))]
    await import_csv(
        db, write(tmp_path / "t.csv", "\n".join(lines) + "\n", "utf-8"), campaign_name(),
        **LOCALE, batch_rows=300,
        progress=lambda _p: during.append((sys.getswitchinterval(), gc.get_threshold())),
    )  # fmt: skip
    assert during and all(interval < before[0] for interval, _t in during)
    assert all(thresholds[0] >= 100_000 for _i, thresholds in during)
    assert (sys.getswitchinterval(), gc.get_threshold()) == before


async def test_each_phone_belongs_to_its_debtor_across_batches(
    db: Sessions, tmp_path: Path
) -> None:
    """Debtor ids of a batch are worked out after its insert: every phone must get the right one,
    also with a second campaign's debtors in between and a re-import mixing new and known."""
    first, second = campaign_name(), campaign_name()
    for name, count in ((first, 900), (second, 300), (first, 1300)):
        lines = ["account_id,balance,phone1,phone2"]
        lines += [f"A{i:05d},1,+4850{i:07d},+4860{i:07d}" for i in range(count)]
        path = write(tmp_path / f"{name}-{count}.csv", "\n".join(lines) + "\n", "utf-8")
        report = await import_csv(db, path, name, **LOCALE, batch_rows=250)
        assert report.rejected == 0
    for name, count in ((first, 1300), (second, 300)):
        debtors = await debtors_of(db, name)
        assert len(debtors) == count
        for account, debtor in debtors.items():
            i = int(account[1:])
            numbers = sorted((p.position, p.number_e164) for p in debtor.phones)
            assert numbers == [(1, f"+4850{i:07d}"), (2, f"+4860{i:07d}")]
    assert await dangling_references(db) == []


async def test_dnc_list(db: Sessions, tmp_path: Path) -> None:
    suffix = secrets.randbelow(10**6)
    listed = f"+4850{suffix:07d}"
    content = f"number;reason\n50{suffix:07d};asked not to call\n+48 22 123 45 67;\nnonsense;\n"
    report = await import_dnc(db, write(tmp_path / "dnc.csv", content, "utf-8"),
                              default_country="PL", reason="from file")  # fmt: skip
    assert (report.rows, report.added, len(report.problems)) == (3, 2, 1)
    assert report.problems[0].line == 4
    async with db() as session:
        assert await is_dnc(session, listed)
        assert not await is_dnc(session, f"+4851{suffix:07d}")
    again = await import_dnc(db, tmp_path / "dnc.csv", default_country="PL")
    assert (again.added, again.already) == (0, 2)
