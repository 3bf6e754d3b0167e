"""IVR benchmark: concurrent FastAGI sessions and command latency, TTS, STT.

    .venv/bin/python bench/ivr_bench.py [--sessions 500] [--rounds 5] [--hold 1.0]

1. One IvrServer, N scripted FastAGI clients over loopback, all in a menu loop at once
   (say, gather; the "caller" waits `hold` seconds before each timeout). Latency is the
   server's turn: from a client's reply to the next command (target p99 < 20 ms at 500).
2. TTS: render time of new prompts (pyttsx3 child process + sox) and the cache hit ratio
   of a campaign-like mix (a few fixed prompts, a personalised greeting per debtor).
3. STT: pocketsphinx time per second of audio and accuracy on generated yes/no answers
   (espeak-ng voices and speeds, 8 kHz like the phone).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.config import Settings
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade
from ivr.server import IvrServer
from ivr.stt import PocketsphinxRecognizer
from ivr.tts import Tts

MENU = """
language: en
nodes:
  menu:
    - say: Welcome to the payment line.
    - gather: {prompt: Press 1 to pay., digits: 1, timeout_s: 1, tries: 1, on: {"1": menu},
               timeout: menu, invalid: menu}
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def client(port: int, rounds: int, hold: float, turns: list[tuple[str, float]]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"agi_network: yes\nagi_network_script: menu\nagi_channel: Bench/1\n\n")
    await writer.drain()
    waits = 0
    sent_at: float | None = None
    while True:
        line = await reader.readline()
        if not line:
            break
        command = line.decode()
        if sent_at is not None:
            turns.append((" ".join(command.split()[:2]), time.perf_counter() - sent_at))
        if command.startswith("WAIT FOR DIGIT"):
            waits += 1
            # the caller thinks; the session stays open (callers are not in step)
            await asyncio.sleep(hold * random.uniform(0.5, 1.5))
            if waits >= rounds:
                writer.write(b"HANGUP\n")
                await writer.drain()
                sent_at = None
                continue
            reply = b"200 result=0\n"
        elif command.startswith("GET VARIABLE"):
            reply = b"200 result=0\n"
        else:
            reply = b"200 result=0 endpos=8000\n"
        sent_at = time.perf_counter()
        writer.write(reply)
        await writer.drain()
    writer.close()


def run_clients(port: int, count: int, rounds: int, hold: float, out: Any) -> None:
    """The callers, in their own process (as Asterisk is): turn times go back through `out`."""

    async def all_clients() -> list[tuple[str, float]]:
        turns: list[tuple[str, float]] = []
        tasks = []
        for _ in range(count):  # a short ramp, as calls arrive, not one burst
            tasks.append(asyncio.create_task(client(port, rounds, hold, turns)))
            await asyncio.sleep(0.002)
        await asyncio.gather(*tasks)
        return turns

    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    out.put(asyncio.run(all_clients()))


@contextlib.asynccontextmanager
async def ivr_server(menu: str, *, own_sounds: bool) -> AsyncIterator[IvrServer]:
    """A started IVR server on a free port, serving `menu` as script "menu", with its own DB."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "scripts").mkdir()
        (root / "scripts" / "menu.yaml").write_text(menu)
        url = f"sqlite+aiosqlite:///{root / 'bench.sqlite'}"
        await upgrade(url)
        engine = make_engine(url)
        extra: dict[str, Any] = {"sounds_dir": root / "sounds"} if own_sounds else {}
        server = IvrServer(
            Settings(),
            make_sessionmaker(engine),
            root / "scripts",
            host="127.0.0.1",
            port=0,
            recognizer=None,
            **extra,
        )
        await server.start()
        try:
            yield server
        finally:
            await server.stop()
            await engine.dispose()


async def bench_sessions(count: int, rounds: int, hold: float) -> None:
    async with ivr_server(MENU, own_sounds=True) as server:
        started = time.perf_counter()
        peak = 0
        results: Any = multiprocessing.Queue()
        callers = multiprocessing.Process(
            target=run_clients, args=(server.port, count, rounds, hold, results)
        )
        try:
            callers.start()
            while callers.is_alive() and results.empty():
                peak = max(peak, server.active_sessions)
                await asyncio.sleep(0.05)
            turns: list[tuple[str, float]] = await asyncio.to_thread(results.get, True, 300)
            await asyncio.to_thread(callers.join, 30)
            for _ in range(200):
                if server.active_sessions == 0:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            leaked = server.active_sessions
    ms = [t * 1000 for _, t in turns]
    print(
        f"sessions: {count} clients, peak {peak} concurrent, {server.sessions_done} "
        f"stored, {leaked} leaked, {elapsed:.1f} s"
    )
    print(
        f"  server turn per command: n={len(ms)} p50 {statistics.median(ms):.2f} ms, "
        f"p95 {pct(ms, 95):.2f} ms, p99 {pct(ms, 99):.2f} ms, max {max(ms):.1f} ms"
    )
    for kind in sorted({k for k, _ in turns}):
        of_kind = [t * 1000 for k, t in turns if k == kind]
        print(
            f"    before {kind}: n={len(of_kind)} p50 {statistics.median(of_kind):.2f} ms, "
            f"p99 {pct(of_kind, 99):.2f} ms"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  max RSS of the server process: {rss:.0f} MB")


REAL_MENU = """
language: en
nodes:
  main:
    - answer
    - say: Welcome to the payment line.
    - gather: {prompt: Press 1 to pay., digits: 1, timeout_s: 1, tries: 2, timeout: bye}
  bye:
    - hangup
"""


async def bench_asterisk(calls: int) -> None:
    """Real calls: the sandbox Asterisk calls ivr-test-callee and runs REAL_MENU over FastAGI."""
    from panoramisk import Manager

    from dialer.pbx import fastagi

    timings: dict[str, list[float]] = {}
    original = fastagi.AgiSession.command

    async def timed(self: fastagi.AgiSession, line: str) -> fastagi.AgiReply:
        started = time.perf_counter()
        try:
            return await original(self, line)
        finally:
            name = " ".join(line.split()[:2])
            timings.setdefault(name, []).append(time.perf_counter() - started)

    fastagi.AgiSession.command = timed  # type: ignore[method-assign]
    pbx = Settings().asterisk  # the sandbox is set up to match the defaults
    async with ivr_server(REAL_MENU, own_sounds=False) as server:
        ami = Manager(
            loop=asyncio.get_running_loop(),
            host=pbx.ami_host,
            port=pbx.ami_port,
            username=pbx.ami_user,
            secret=pbx.ami_secret,
            ping_delay=0,
        )
        await asyncio.wait_for(ami.connect(), 20)
        while not ami.authenticated:
            await asyncio.sleep(0.05)
        peak = 0
        started = time.perf_counter()
        try:
            for _ in range(calls):
                ami.send_action(
                    {
                        "Action": "Originate",
                        "Channel": "Local/s@ivr-test-callee",
                        "Context": "dialer-ivr",
                        "Exten": "menu",
                        "Priority": "1",
                        "Async": "true",
                        "Variable": [f"DIALER_AGI=127.0.0.1:{server.port}", "__IVR_TEST_TALK=30"],
                    }
                )
                await asyncio.sleep(0.05)
                peak = max(peak, server.active_sessions)
            while server.sessions_done < calls and time.perf_counter() - started < 120:
                peak = max(peak, server.active_sessions)
                await asyncio.sleep(0.1)
        finally:
            ami.close()
            fastagi.AgiSession.command = original  # type: ignore[method-assign]
    print(
        f"asterisk: {calls} real calls, {server.sessions_done} sessions stored, "
        f"peak {peak} concurrent, {time.perf_counter() - started:.1f} s"
    )
    for name in ("ANSWER", "GET VARIABLE", "HANGUP"):
        ms = [t * 1000 for t in timings.get(name, [])]
        if ms:
            print(
                f"  {name} round trip through Asterisk: n={len(ms)} "
                f"p50 {statistics.median(ms):.2f} ms, p99 {pct(ms, 99):.2f} ms"
            )


async def bench_tts() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tts = Tts(Path(tmp))
        fixed = [
            "Welcome to the payment line.",
            "Press 1 to pay.",
            "Goodbye.",
            "Dzień dobry.",
            "Do widzenia.",
        ]
        names = ["Anna", "Jan", "Piotr", "Maria", "Ewa", "Adam", "Olga", "Marek"]
        started = time.perf_counter()
        for text in fixed:
            await tts.render(text, "pl" if "ń" in text or "widzenia" in text else "en")
        first = (time.perf_counter() - started) / len(fixed)
        random.seed(7)
        started = time.perf_counter()
        for _ in range(400):  # a call: 3 fixed prompts, 1 greeting for one of 40 debtors
            for text in random.sample(fixed[:3], 3):
                await tts.render(text, "en")
            name, amount = random.choice(names), random.randint(1, 5) * 100
            await tts.render(f"Hello {name}, your balance is {amount} zlotys.", "en")
        mix = time.perf_counter() - started
        stats = tts.stats
        await tts.close()
    print(f"tts: new prompt rendered in {first * 1000:.0f} ms on average (pyttsx3 + sox)")
    print(
        f"  campaign mix: {stats.hits + stats.misses} requests, hit ratio "
        f"{stats.hit_ratio:.1%}, {mix / 1600 * 1000:.2f} ms per request, "
        f"{stats.fallbacks} CLI fallbacks"
    )


def bench_stt() -> None:
    recognizer = PocketsphinxRecognizer()
    answers = {"yes": "yes", "yeah": "yes", "no": "no", "nope": "no"}  # the yes_no grammar
    phrases = list(answers)
    said = phrases
    voices = ["en-us", "en", "en-gb-scotland", "en-029"]
    speeds = [130, 165, 200]
    correct = total = 0
    audio_s = work_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for voice in voices:
            for speed in speeds:
                for text in said:
                    raw, wav = Path(tmp) / "raw.wav", Path(tmp) / "clip.wav"
                    subprocess.run(
                        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                        check=True,
                    )
                    subprocess.run(
                        [
                            "sox",
                            str(raw),
                            "-r",
                            "8000",
                            "-c",
                            "1",
                            "-b",
                            "16",
                            str(wav),
                            "pad",
                            "0.3",
                            "0.3",
                        ],
                        check=True,
                    )
                    with wave.open(str(wav)) as clip:
                        audio_s += clip.getnframes() / clip.getframerate()
                    started = time.perf_counter()
                    heard = recognizer.recognize_sync(wav, phrases)
                    work_s += time.perf_counter() - started
                    total += 1
                    correct += answers.get(heard) == answers[text]
    print(
        f"stt (pocketsphinx, yes/no grammar): {correct}/{total} right "
        f"({correct / total:.0%}), {work_s / audio_s * 1000:.0f} ms per second of audio"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hold", type=float, default=1.0)
    parser.add_argument("--skip-speech", action="store_true")
    parser.add_argument(
        "--asterisk",
        type=int,
        default=0,
        metavar="CALLS",
        help="also place CALLS real calls through the sandbox Asterisk",
    )
    args: Any = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    asyncio.run(bench_sessions(args.sessions, args.rounds, args.hold))
    if args.asterisk:
        asyncio.run(bench_asterisk(args.asterisk))
    if not args.skip_speech:
        asyncio.run(bench_tts())
        bench_stt()


if __name__ == "__main__":
    main()
