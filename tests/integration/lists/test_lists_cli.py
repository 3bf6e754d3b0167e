"""`dialer import` and `dialer dnc` on a real SQLite file: messages and exit codes."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest

from dialer.config import load_settings
from dialer.lists.cli import register

SAMPLE = Path(__file__).resolve().parents[3] / "config" / "sample_debtors.csv"


def run(sqlite_url: str, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="dialer")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    settings = load_settings(overrides=[f"database.url={sqlite_url}"], environ={})
    code: int = args.handler(args, settings)
    return code


def test_sample_file_imports_cleanly(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(sqlite_url, "import", str(SAMPLE), "--campaign", "sample", "--dry-run") == 0
    assert "would import 60 (60 new, 0 updated" in capsys.readouterr().out
    assert run(sqlite_url, "import", str(SAMPLE), "--campaign", "sample") == 0
    assert "imported 60 (60 new" in capsys.readouterr().out
    assert run(sqlite_url, "import", str(SAMPLE), "--campaign", "sample") == 0
    assert "imported 60 (0 new, 60 updated" in capsys.readouterr().out


def test_rejected_rows_exit_1_and_go_to_the_rejects_file(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "account_id,balance,phone1\nA1,10,501234567\nA2,1.240,601234567\n", encoding="utf-8"
    )
    rejects = tmp_path / "rejects.csv"
    code = run(sqlite_url, "import", str(source), "--campaign", "c", "--rejects", str(rejects))
    assert code == 1
    captured = capsys.readouterr()
    assert "line 3, column balance: amount '1.240' is ambiguous" in captured.err
    assert "imported 1 (1 new" in captured.out
    with rejects.open(encoding="utf-8", newline="") as handle:
        line, reason, account, *_rest = list(csv.reader(handle))[1]
    assert (line, account) == ("3", "A2")
    assert reason.startswith("balance: amount '1.240' is ambiguous")


def test_unusable_file_exits_2(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text("name;mobile\nJan;501234567\n", encoding="utf-8")
    assert run(sqlite_url, "import", str(source), "--campaign", "c") == 2
    assert "missing required column(s): account_id, balance, phone1" in capsys.readouterr().err
    assert run(sqlite_url, "import", str(tmp_path / "absent.csv"), "--campaign", "c") == 2
    good = tmp_path / "good.csv"
    good.write_text("account_id,balance,phone1\nA,1,501234567\n", encoding="utf-8")
    assert run(sqlite_url, "import", str(good), "--campaign", "c", "--country", "XX") == 2
    assert "unknown country 'XX'" in capsys.readouterr().err


def test_explicit_encoding_wins(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.csv"
    source.write_bytes("account_id;last_name;balance;phone1\nA;Żak;5;501234567\n".encode("cp1250"))
    assert run(sqlite_url, "import", str(source), "--campaign", "c", "--encoding", "cp1250") == 0
    assert "encoding cp1250" in capsys.readouterr().out


def test_dnc_commands(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "dnc.txt"
    source.write_text("+48 501 234 567\n601234567\n", encoding="utf-8")
    assert run(sqlite_url, "dnc", "import", str(source), "--reason", "asked") == 0
    assert "2 numbers added" in capsys.readouterr().out
    assert run(sqlite_url, "dnc", "check", "501 234 567") == 0
    assert "+48501234567: ON the do-not-call list" in capsys.readouterr().out
    assert run(sqlite_url, "dnc", "check", "+48 502 345 678") == 1
    assert run(sqlite_url, "dnc", "add", "502345678", "--reason", "lawyer") == 0
    assert run(sqlite_url, "dnc", "check", "+48502345678") == 0
    assert run(sqlite_url, "dnc", "check", "12") == 2
