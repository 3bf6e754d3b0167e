"""One module per verb; VERBS maps a script's verb name to its class."""

from __future__ import annotations

from ivr.script import Verb
from ivr.verbs.answer import Answer
from ivr.verbs.enqueue import Enqueue
from ivr.verbs.gather import Gather
from ivr.verbs.goto import Goto
from ivr.verbs.hangup import Hangup
from ivr.verbs.hours import Hours
from ivr.verbs.http import Http
from ivr.verbs.if_ import If
from ivr.verbs.play import Play
from ivr.verbs.record import Record
from ivr.verbs.result import Result
from ivr.verbs.say import Say
from ivr.verbs.set import Set
from ivr.verbs.switch import Switch

VERBS: dict[str, type[Verb]] = {
    verb.name: verb
    for verb in (
        Answer,
        Say,
        Play,
        Gather,
        Record,
        Set,
        Switch,
        If,
        Goto,
        Http,
        Result,
        Enqueue,
        Hangup,
        Hours,
    )
}
