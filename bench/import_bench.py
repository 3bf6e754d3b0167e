"""Debtor CSV import speed: N generated rows with 4 phones each into a fresh SQLite file.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--keep]

Prints rows/s, CPU time per thread and peak RSS (this process; the import is one process:
rows are read and checked on the event loop, SQLite writes in a thread of its own). Target: one
million rows in under 60 s and 300 MB. Phones come in the formats admins paste:
"+48 501 234 567", "501234567", "0048 22 123 45 67", "+48-601-234-567".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from dialer.lists.importer import import_csv

FIRST = ["Łukasz", "Zofia", "Jan", "Małgorzata", "Piotr", "Agnieszka", "Grzegorz", "Żaneta"]
LAST = ["Wójcik", "Dąbrowska", "Kowalski", "Nowak", "Wiśniewska", "Zieliński", "Szymańska"]
MOBILE_PREFIXES = ["50", "51", "53", "57", "60", "66", "69", "72", "78", "79", "88"]
LANDLINE_PREFIXES = ["12", "22", "32", "42", "58", "61", "71", "81", "91"]


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def _landline(rng: random.Random) -> str:
    return rng.choice(LANDLINE_PREFIXES) + f"{rng.randrange(2 * 10**6, 10**7):07d}"


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "account_id;first_name;last_name;creditor;portfolio;balance;currency;due_date;"
            "phone1;phone2;phone3;phone4;postal_code;comments\n"
        )
        for i in range(rows):
            m1, m2, l1, m3 = _mobile(rng), _mobile(rng), _landline(rng), _mobile(rng)
            cents = rng.randrange(1000, 5_000_000)
            balance = f"{cents // 100:,}".replace(",", " ") + f",{cents % 100:02d}"
            out.write(
                f"K{i:09d};{rng.choice(FIRST)};{rng.choice(LAST)};Bank Zachodni;"
                f"Karty {2020 + i % 5};{balance};PLN;{1 + i % 28:02d}.0{1 + i % 9}.2025;"
                f"+48 {m1[:3]} {m1[3:6]} {m1[6:]};{m2};0048 {l1[:2]} {l1[2:5]} {l1[5:7]} "
                f"{l1[7:]};+48-{m3[:3]}-{m3[3:6]}-{m3[6:]};{rng.randrange(100):02d}-"
                f"{rng.randrange(1000):03d};umowa {i % 977}\n"
            )


async def run(rows: int, keep: bool, folder: Path) -> None:
    csv_path = folder / f"debtors_{rows}.csv"
    started = time.perf_counter()
    generate(csv_path, rows)
    print(f"generated {rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    url = f"sqlite+aiosqlite:///{folder / 'bench.sqlite'}"
    await upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    started = time.perf_counter()
    cpu_started, main_started = time.process_time(), time.thread_time()
    report = await import_csv(
        sessions, csv_path, "bench",
        default_country="PL", default_currency="PLN", default_timezone="Europe/Warsaw",
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    main_cpu = time.thread_time() - main_started
    await engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(report.summary())
    print(f"import: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s, "
          f"{report.phones / elapsed:,.0f} phones/s; peak RSS {peak_mb:.0f} MB")  # fmt: skip
    # Wall time depends on what else runs; CPU seconds and load say how much. The main
    # thread reads and checks rows, the SQLite writer thread writes; both need the GIL for
    # their Python work, so on idle cores they overlap only while SQLite itself works.
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"CPU {cpu:.1f} s ({cpu / rows * 1e6:.0f} us/row): main thread {main_cpu:.1f} s, "
          f"writer thread {cpu - main_cpu:.1f} s; {os.cpu_count()} CPUs, "
          f"load average {load}")  # fmt: skip
    if keep:
        print(f"kept {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the CSV and database")
    args = parser.parse_args()
    if args.keep:
        folder = Path(tempfile.mkdtemp(prefix="import_bench_"))
        asyncio.run(run(args.rows, True, folder))
    else:
        with tempfile.TemporaryDirectory(prefix="import_bench_") as tmp:
            asyncio.run(run(args.rows, False, Path(tmp)))


if __name__ == "__main__":
    main()
