"""Walks a script's nodes for one call: verbs in order, gotos, the fallback node on errors."""

from __future__ import annotations

import asyncio
import logging

from dialer.pbx.fastagi import AgiError, CallerHungUp
from ivr.call import Call
from ivr.script import EndCall, VerbFailed

log = logging.getLogger(__name__)

# A script that loops without waiting for the caller would spin for ever: stop it.
MAX_STEPS = 1000


class EndReason:
    COMPLETED = "completed"
    CALLER_HANGUP = "caller_hangup"
    ERROR = "error"
    LOOP = "loop"


async def run_call(call: Call) -> str:
    """Run the script; return why it ended (EndCall reasons pass through)."""
    script = call.script
    node: str | None = script.start
    steps = 0
    try:
        while node is not None:
            call.node = node
            call.path.append(node)
            next_node: str | None = None
            for verb in script.nodes[node]:
                steps += 1
                if steps > MAX_STEPS:
                    log.error("script %s loops without input at node %s", script.name, node)
                    return EndReason.LOOP
                try:
                    next_node = await verb.run(call)
                except (CallerHungUp, EndCall, asyncio.CancelledError):
                    raise
                except (VerbFailed, AgiError, Exception) as exc:
                    next_node = _fallback(call, verb.name, exc)
                    if next_node is None:
                        return EndReason.ERROR
                if next_node is not None:
                    break
            node = next_node
    except EndCall as end:
        return end.reason
    except CallerHungUp:
        return EndReason.CALLER_HANGUP
    return EndReason.COMPLETED


def _fallback(call: Call, verb: str, exc: Exception) -> str | None:
    fallback = call.script.fallback
    expected = isinstance(exc, VerbFailed | AgiError)
    log.log(
        logging.WARNING if expected else logging.ERROR,
        "script %s node %s verb %s failed: %s",
        call.script.name,
        call.node,
        verb,
        exc,
        exc_info=not expected,
    )
    call.add_input("error", failed_verb=verb, error=str(exc))
    if fallback is None or call.node == fallback:
        return None
    return fallback
