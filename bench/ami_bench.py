"""PBX seam benchmark: prints figures, asserts nothing.

    .venv/bin/python bench/ami_bench.py                 # parse/dispatch figures only
    .venv/bin/python bench/ami_bench.py --sandbox       # + originate rate and concurrent calls

1. Parse + map + dispatch: a recorded transcript of 200 busy calls (Asterisk 22, the
   dialer's AMI user) replayed over loopback by a separate process to a real AmiLink,
   repeated with fresh ActionIDs; events/s on the wall clock and CPU per 1,000 events
   (time.process_time of the dialer's process only). Run twice: as recorded, and with
   Newexten/VarSet frames added the way Asterisk sends them when manager.conf lets the
   `dialplan` class through (most of Asterisk's traffic), which the link must skip.
2. (--sandbox) Originates per second to BUSY numbers, every one settled by CallFailed(BUSY).
3. (--sandbox) Concurrent answered calls (HUMAN, AMD on): 100 then 150 at once; how many
   were answered, AMD verdict latency after answer (p50/p95), failures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from dialer.config import AsteriskSettings
from dialer.pbx.events import (
    AmdResult,
    CallAnswered,
    CallFailed,
    CallHungUp,
    CallLost,
    FailReason,
    PbxEvent,
)
from dialer.pbx.link import AmiLink, OriginateRequest
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number

TRANSCRIPT = Path(__file__).resolve().parent.parent / "tests/unit/pbx/transcripts/bench_busy.txt"
EOL2 = b"\r\n\r\n"


def load_frames() -> tuple[list[bytes], str]:
    text = TRANSCRIPT.read_text(encoding="utf-8")
    prefix = re.search(r"^>>> Originate (\S+)$", text, re.M)
    assert prefix
    frames: list[bytes] = []
    lines: list[str] = []
    for line in [*text.splitlines()[2:], ""]:
        if line == "":
            if lines:
                frames.append("\r\n".join(lines).encode() + EOL2)
            lines = []
        else:
            lines.append(line)
    return frames, prefix.group(1)


def with_dialplan_noise(frames: list[bytes]) -> list[bytes]:
    """Add the Newexten + VarSet frames Asterisk sends per channel event when allowed."""
    out: list[bytes] = []
    for frame in frames:
        out.append(frame)
        uid = re.search(rb"\r\nUniqueid: (\S+)", frame)
        if uid is None:
            continue
        common = (
            b"Privilege: dialplan,all\r\nChannel: Local/48512000001@sim-pstn-00000001;2\r\n"
            b"ChannelState: 4\r\nChannelStateDesc: Ring\r\nCallerIDNum: <unknown>\r\n"
            b"CallerIDName: <unknown>\r\nConnectedLineNum: <unknown>\r\n"
            b"ConnectedLineName: <unknown>\r\nLanguage: en\r\nAccountCode: \r\n"
            b"Context: sim-pstn\r\nExten: 48512000001\r\nPriority: 2\r\nUniqueid: "
            + uid.group(1)
            + b"-2\r\nLinkedid: "
            + uid.group(1)
            + b"\r\n"
        )
        out.append(
            b"Event: Newexten\r\n" + common + b"Extension: 48512000001\r\n"
            b"Application: Set\r\nAppData: TALK=000\r\n\r\n"
        )
        out.append(b"Event: VarSet\r\n" + common + b"Variable: TALK\r\nValue: 30\r\n\r\n")
    return out


def _serve(port_queue: multiprocessing.Queue, payload: bytes) -> None:  # type: ignore[type-arg]
    """Asterisk's part, in its own process: banner, login reply, then the whole payload."""
    server = socket.create_server(("127.0.0.1", 0))
    port_queue.put(server.getsockname()[1])
    conn, _ = server.accept()
    conn.sendall(b"Asterisk Call Manager/11.0.0\r\n")
    data = b""
    while EOL2 not in data:
        data += conn.recv(4096)
    action_id = re.search(rb"ActionID: (\S+)", data)
    assert action_id
    conn.sendall(
        b"Response: Success\r\nActionID: "
        + action_id.group(1)
        + b"\r\nMessage: Authentication accepted\r\n\r\n"
    )
    conn.sendall(payload)
    time.sleep(30)
    conn.close()


async def bench_parse(frames: list[bytes], prefix: str, rounds: int, label: str) -> None:
    calls = sorted(
        {
            m.decode()
            for f in frames
            for m in re.findall(rb"ActionID: (" + re.escape(prefix.encode()) + rb"\d+)", f)
        }
    )
    payload_parts = []
    ids: list[str] = []
    for r in range(rounds):
        new = f"r{r}x-"
        payload_parts.append(b"".join(frames).replace(prefix.encode(), new.encode()))
        ids += [c.replace(prefix, new) for c in calls]
    payload = b"".join(payload_parts)
    total_frames = payload.count(EOL2)
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    proc = multiprocessing.Process(target=_serve, args=(queue, payload), daemon=True)
    proc.start()
    port = queue.get(timeout=10)
    link = AmiLink(
        AsteriskSettings.model_validate({"ami_port": port}), ping_interval_s=60, exclude_events=()
    )
    settled = 0
    all_done = asyncio.Event()

    def on_event(event: PbxEvent) -> None:
        nonlocal settled
        if isinstance(event, CallFailed):
            settled += 1
            if settled == len(ids):
                all_done.set()

    link.subscribe(on_event)
    for action_id in ids:  # as if the dialer had originated them
        link.tracker.track(action_id, link.generation)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await link.start()
    await asyncio.wait_for(all_done.wait(), 120)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    frames_read = link.frames_read
    await link.stop()
    proc.terminate()
    print(f"[{label}] {frames_read} AMI frames ({total_frames} sent), {len(ids)} calls settled")
    print(
        f"[{label}] {frames_read / wall:,.0f} events/s wall, "
        f"{cpu / frames_read * 1000 * 1000:.1f} ms CPU per 1,000 events "
        f"({cpu / frames_read * 1e6:.1f} µs/event), CPU load {cpu / wall:.0%} of one core"
    )


async def bench_busy_rate(count: int) -> None:
    link = AmiLink(AsteriskSettings.model_validate({}))
    failed: dict[str, FailReason] = {}
    done = asyncio.Event()

    def on_event(event: PbxEvent) -> None:
        if isinstance(event, CallFailed):
            failed[event.action_id] = event.reason
            if len(failed) == count:
                done.set()

    link.subscribe(on_event)
    await link.start()
    stamp = int(time.time())
    t0 = time.perf_counter()
    for i in range(count):
        await link.originate(
            OriginateRequest(
                f"bb{stamp}-{i}",
                dial_string(sim_number(SimOutcome.BUSY, 0, i % 1000)),
                "dialer-outbound",
                "s",
                variables={"DIALER_AMD": "0"},
            )
        )
    sent = time.perf_counter() - t0
    await asyncio.wait_for(done.wait(), 120)
    total = time.perf_counter() - t0
    await link.stop()
    busy = sum(r is FailReason.BUSY for r in failed.values())
    print(
        f"[busy] {count} originates sent in {sent:.2f} s ({count / sent:,.0f}/s); "
        f"all settled in {total:.2f} s ({count / total:,.0f}/s); {busy} BUSY"
    )


async def bench_concurrent(count: int, talk_s: int) -> None:
    link = AmiLink(AsteriskSettings.model_validate({}), action_timeout_s=30)
    answered_at: dict[str, float] = {}
    amd_latency: list[float] = []
    verdicts: dict[str, str] = {}
    ended: dict[str, str] = {}
    done = asyncio.Event()

    def on_event(event: PbxEvent) -> None:
        now = time.perf_counter()
        if isinstance(event, CallAnswered):
            answered_at[event.action_id] = now
        elif isinstance(event, AmdResult):
            verdicts[event.action_id] = event.status
            if event.action_id in answered_at:
                amd_latency.append(now - answered_at[event.action_id])
        elif isinstance(event, CallFailed | CallHungUp | CallLost):
            ended[event.action_id] = type(event).__name__
            if isinstance(event, CallFailed):
                ended[event.action_id] += f"({event.reason})"
            if len(ended) == count:
                done.set()

    link.subscribe(on_event)
    await link.start()
    stamp = int(time.time())
    peak = 0
    await asyncio.gather(
        *(
            link.originate(
                OriginateRequest(
                    f"cc{stamp}-{i}",
                    dial_string(sim_number(SimOutcome.HUMAN, talk_s, i % 1000)),
                    "dialer-outbound",
                    "s",
                    timeout_s=30,
                    variables={"DIALER_AMD": "1"},
                )
            )
            for i in range(count)
        )
    )
    while not done.is_set():
        mine = [
            c
            for c in await link.channels()
            if c.get("Uniqueid", "").startswith(f"cc{stamp}")
            and not c["Uniqueid"].endswith("-2")  # a Local channel's second half
        ]
        peak = max(peak, len(mine))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 1.0)
        if len(ended) == count:
            break
    await link.stop()
    lat = sorted(amd_latency)
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    human = sum(v == "HUMAN" for v in verdicts.values())
    print(
        f"[concurrent {count}] answered {len(answered_at)}/{count}, peak {peak} calls up "
        f"at once, AMD HUMAN {human}, other verdicts {len(verdicts) - human}; "
        f"AMD after answer p50 {statistics.median(lat) if lat else float('nan'):.2f} s, "
        f"p95 {p95:.2f} s; endings {sorted(set(ended.values()))}, "
        f"CallHungUp {sum(v == 'CallHungUp' for v in ended.values())}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sandbox", action="store_true", help="also load the Asterisk sandbox")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--busy", type=int, default=300)
    parser.add_argument("--concurrent", type=int, nargs="*", default=[100, 150])
    parser.add_argument("--no-parse", action="store_true", help="skip the replay figures")
    args = parser.parse_args()
    if not args.no_parse:
        frames, prefix = load_frames()
        await bench_parse(frames, prefix, args.rounds, "recorded")
        await bench_parse(with_dialplan_noise(frames), prefix, args.rounds, "with dialplan events")
    if args.sandbox:
        await bench_busy_rate(args.busy)
        for count in args.concurrent:
            await bench_concurrent(count, talk_s=8)
            await asyncio.sleep(3)


if __name__ == "__main__":
    asyncio.run(main())
