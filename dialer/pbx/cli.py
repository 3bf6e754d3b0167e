"""`dialer pbx status` and `dialer pbx originate NUMBER`: check the Asterisk link by hand."""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

from dialer.config import Settings
from dialer.pbx.events import TERMINAL_EVENTS, CallAnswered, PbxEvent
from dialer.pbx.link import AmiError, AmiLink, AmiLoginError, OriginateRequest

DEFAULT_CHANNEL = "Local/{digits}@sim-pstn"


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pbx = subparsers.add_parser("pbx", help="the Asterisk link (AMI)")
    sub = pbx.add_subparsers(dest="pbx_command", required=True)

    status = sub.add_parser("status", help="log in to AMI and show Asterisk's state")
    status.set_defaults(handler=_status)

    orig = sub.add_parser("originate", help="dial one number and print its events")
    orig.add_argument("number", help="E.164 number, e.g. +48510001001 (simulated human)")
    orig.add_argument(
        "--channel",
        default=DEFAULT_CHANNEL,
        help="dial string; {digits} is the number without '+' (default: %(default)s)",
    )
    orig.add_argument("--context", default="dialer-outbound")
    orig.add_argument("--exten", default="s")
    orig.add_argument("--caller-id", default="")
    orig.add_argument("--timeout", type=float, default=30.0, help="ring timeout, seconds")
    orig.add_argument("--no-amd", action="store_true", help="do not run AMD() on answer")
    orig.add_argument(
        "--hangup-after",
        type=float,
        default=0.0,
        help="hang up this many seconds after answer (0: let it end)",
    )
    orig.set_defaults(handler=_originate)


def _status(_args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_status_async(settings))


async def _status_async(settings: Settings) -> int:
    link = AmiLink(settings.asterisk)
    try:
        await link.start()
    except AmiLoginError as exc:
        print(f"AMI: DOWN — {exc}")
        return 1
    try:
        version = (await link.command("core show version")).strip()
        channels = await link.channels()
        uptime = (await link.command("core show uptime seconds")).strip()
        print(f"AMI: up ({settings.asterisk.ami_host}:{settings.asterisk.ami_port})")
        print(f"Asterisk: {version}")
        print(uptime)
        print(f"channels: {len(channels)}")
        print(f"link: {link.health()}")
        return 0
    except AmiError as exc:
        print(f"AMI: logged in, but an action failed: {exc}")
        return 1
    finally:
        await link.stop()


def _originate(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_originate_async(args, settings))


async def _originate_async(args: argparse.Namespace, settings: Settings) -> int:
    link = AmiLink(settings.asterisk)
    done = asyncio.Event()
    started = time.monotonic()
    answered_channel: list[str] = []

    def show(event: PbxEvent) -> None:
        details = " ".join(
            f"{name}={getattr(event, name)}"
            for name in event.__dataclass_fields__
            if name not in ("at", "action_id")
        )
        print(f"{time.monotonic() - started:6.2f} s  {type(event).__name__:13} {details}")
        if isinstance(event, CallAnswered):
            answered_channel.append(event.channel)
        if isinstance(event, TERMINAL_EVENTS):
            done.set()

    link.subscribe(show)
    try:
        await link.start()
    except AmiLoginError as exc:
        print(exc)
        return 1
    digits = args.number.lstrip("+")
    req = OriginateRequest(
        action_id=f"cli-{uuid.uuid4().hex[:12]}",
        channel=args.channel.format(digits=digits),
        context=args.context,
        exten=args.exten,
        caller_id=args.caller_id,
        timeout_s=args.timeout,
        variables={"DIALER_AMD": "0" if args.no_amd else "1"},
    )
    try:
        await link.originate(req)
        if args.hangup_after > 0:
            await _hangup_later(link, answered_channel, args.hangup_after, done)
        await asyncio.wait_for(done.wait(), args.timeout + 120)
        return 0
    except (AmiError, ValueError, TimeoutError) as exc:
        print(f"originate failed: {exc!r}")
        return 1
    finally:
        await link.stop()


async def _hangup_later(
    link: AmiLink, answered: list[str], after_s: float, done: asyncio.Event
) -> None:
    while not answered and not done.is_set():
        await asyncio.sleep(0.1)
    if answered and not done.is_set():
        await asyncio.sleep(after_s)
        if not done.is_set():
            await link.hangup(answered[0])
