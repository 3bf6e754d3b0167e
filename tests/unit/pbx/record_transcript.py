"""Record AMI transcripts from the sandbox for the replay tests and the benchmark.

    .venv/bin/python -m tests.unit.pbx.record_transcript            # every outcome
    .venv/bin/python -m tests.unit.pbx.record_transcript --busy 200  # bench transcript

One transcript file per scenario in tests/unit/pbx/transcripts/. Format: a line
`>>> <Action> <ActionID>` starts what Asterisk sent after receiving that action; AMI
frames follow, each ended by a blank line. Only frames of our own calls are kept (the
sandbox is shared), so a replay is deterministic.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Mapping
from pathlib import Path

from dialer.pbx import actions
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.simnumbers import SimOutcome, dial_string, sim_number

HERE = Path(__file__).resolve().parent / "transcripts"
EOL = b"\r\n"


def _frame(action: Mapping[str, str | list[str]]) -> bytes:
    lines: list[str] = []
    for key, value in action.items():
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key}: {item}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Recorder:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.frames: list[str] = []
        self.buffer = b""

    async def read_frames(self, until: float) -> list[str]:
        """Frames until the deadline (monotonic)."""
        out: list[str] = []
        while time.monotonic() < until:
            try:
                chunk = await asyncio.wait_for(self.reader.read(65536), 0.2)
            except TimeoutError:
                continue
            if not chunk:
                break
            self.buffer += chunk
            *frames, self.buffer = self.buffer.split(EOL + EOL)
            out.extend(f.decode() for f in frames)
        return out


async def login(host: str, port: int) -> Recorder:
    reader, writer = await asyncio.open_connection(host, port)
    await reader.readline()  # banner
    writer.write(_frame(actions.login("dialer", "dialer-secret") | {"ActionID": "login"}))
    rec = Recorder(reader, writer)
    await rec.read_frames(time.monotonic() + 0.5)  # login response, FullyBooted
    return rec


def ours(frame: str, prefix: str) -> bool:
    for line in frame.split("\r\n"):
        key, _, value = line.partition(": ")
        if key in ("Uniqueid", "DestUniqueid", "ActionID", "Linkedid") and value.startswith(prefix):
            return True
    return False


async def record(
    rec: Recorder, reqs: list[OriginateRequest], seconds: float, prefix: str
) -> list[str]:
    for req in reqs:
        rec.writer.write(_frame(actions.originate(req)))
    await rec.writer.drain()
    frames = await rec.read_frames(time.monotonic() + seconds)
    return [f for f in frames if ours(f, prefix)]


def write(name: str, trigger: str, frames: list[str], note: str) -> None:
    write_sections(name, [(trigger, frames)], note)


def write_sections(name: str, sections: list[tuple[str, list[str]]], note: str) -> None:
    HERE.mkdir(exist_ok=True)
    text = [f"# {note}"]
    for trigger, frames in sections:
        text.append(f">>> {trigger}")
        for frame in frames:
            text.append(frame.replace("\r\n", "\n"))
            text.append("")
    (HERE / f"{name}.txt").write_text("\n".join(text) + "\n", encoding="utf-8")
    print(f"{name}: {sum(len(f) for _, f in sections)} frames")


async def record_confbridge(rec: Recorder) -> None:
    """A human answers; we redirect them into an (agent-less) ACD ConfBridge; they hang up.

    The Redirect's section is replayed for any Redirect: `rec-redirect` is the ActionID to
    replace with the one received."""
    action_id = "rec-confbridge"
    req = request(action_id, SimOutcome.HUMAN, 4, DIALER_AMD="0")
    rec.writer.write(_frame(actions.originate(req)))
    answered: list[str] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any("Reason: 4" in f for f in answered):
        answered += [f for f in await rec.read_frames(time.monotonic() + 0.2) if ours(f, action_id)]
    channel = next(
        line[len("Channel: ") :]
        for frame in answered
        if "Event: OriginateResponse" in frame
        for line in frame.split("\r\n")
        if line.startswith("Channel: ")
    )
    # 1099 is outside every agent range the project uses, so nobody else's bridge
    redirect = actions.redirect(channel, "acd-agent", "1099") | {"ActionID": "rec-redirect"}
    rec.writer.write(_frame(redirect))
    after = await rec.read_frames(time.monotonic() + 8)
    after = [f for f in after if ours(f, action_id) or "ActionID: rec-redirect" in f]
    write_sections(
        "confbridge",
        [(f"Originate {action_id}", answered), ("Redirect rec-redirect", after)],
        "HUMAN talk 4 s, redirected into ConfBridge agent-1099",
    )


def request(action_id: str, outcome: SimOutcome, talk_s: int, **extra: str) -> OriginateRequest:
    number = sim_number(outcome, talk_s, 1)
    timeout = 4 if outcome == SimOutcome.NO_ANSWER else 30
    return OriginateRequest(
        action_id=action_id,
        channel=dial_string(number),
        context="dialer-outbound",
        exten="s",
        caller_id='"Collections" <48221234567>',
        timeout_s=timeout,
        variables={"ATTEMPT_ID": "1", "CAMPAIGN_ID": "1", "DIALER_AMD": "1", **extra},
    )


SCENARIOS = {
    "human": (SimOutcome.HUMAN, 2, 9.0),
    "machine": (SimOutcome.MACHINE, 1, 21.0),
    "busy": (SimOutcome.BUSY, 0, 3.0),
    "no_answer": (SimOutcome.NO_ANSWER, 0, 7.0),
    "congestion": (SimOutcome.CONGESTION, 0, 3.0),
    "invalid": (SimOutcome.INVALID, 0, 3.0),
}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--busy", type=int, default=0, help="record N busy calls (bench)")
    parser.add_argument("--only", default="", help="record only this scenario")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5038)
    args = parser.parse_args()
    rec = await login(args.host, args.port)
    stamp = int(time.time())
    try:
        if args.busy:
            prefix = f"bench{stamp}-"
            reqs = [
                request(f"{prefix}{i}", SimOutcome.BUSY, 0, DIALER_AMD="0")
                for i in range(args.busy)
            ]
            frames = await record(rec, reqs, 8.0, prefix)
            write("bench_busy", f"Originate {prefix}", frames, f"{args.busy} busy calls")
            return
        if args.only in ("", "confbridge"):
            await record_confbridge(rec)
        for name, (outcome, talk, seconds) in SCENARIOS.items():
            if args.only not in ("", name):
                continue
            action_id = f"rec-{name}"  # stable: the replay tests originate the same ids
            frames = await record(rec, [request(action_id, outcome, talk)], seconds, action_id)
            write(name, f"Originate {action_id}", frames, f"{outcome.name} talk {talk} s")
    finally:
        rec.writer.close()


if __name__ == "__main__":
    asyncio.run(main())
