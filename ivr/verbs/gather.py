"""`gather`: collect DTMF digits, or a spoken answer recognised against a small grammar.

Tries, an invalid branch and a timeout branch as in classic IVR menus: a try ends in
`timeout` (nothing entered) or `invalid` (not a valid value / not one of `on`); after the
last try the call goes to the matching branch (or the fallback node when there is none).
Speech falls back to DTMF (`keys`) when no recogniser is available for the language.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import Field, model_validator

from dialer.db.types import utcnow
from ivr.call import Call
from ivr.script import Verb, VerbArgs, VerbFailed

log = logging.getLogger(__name__)

GRAMMARS: dict[str, dict[str, list[str]]] = {
    # Few, distinct words: every extra phrase costs accuracy (bench/ivr_bench.py).
    "yes_no": {"yes": ["yes", "yeah"], "no": ["no", "nope"]},
    "digits": {
        str(i): [w]
        for i, w in enumerate(
            ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        )
    },
}
DTMF_KEYS = "0123456789*#"


class GatherArgs(VerbArgs):
    input: Literal["dtmf", "speech"] = "dtmf"
    prompt: str | None = None
    play: str | None = None
    retry_prompt: str | None = None
    digits: int = Field(1, ge=1, le=32)
    min_digits: int = Field(1, ge=1, le=32)
    terminator: str = Field("#", pattern=r"^[0-9*#]?$")
    timeout_s: float = Field(5.0, gt=0, le=120)
    tries: int = Field(3, ge=1, le=10)
    into: str = "digits"
    as_: Literal["digits", "amount", "date"] = Field("digits", alias="as")
    on: dict[str, str] = Field(default_factory=dict)
    invalid: str | None = None
    timeout: str | None = None
    grammar: Literal["yes_no", "digits"] | None = None
    expect: dict[str, list[str]] | None = None
    keys: dict[str, str] = Field(default_factory=dict)
    max_speech_s: float = Field(4.0, gt=0, le=60)

    @model_validator(mode="after")
    def _speech_needs_answers(self) -> GatherArgs:
        if self.input == "speech" and not (self.grammar or self.expect):
            raise ValueError("a speech gather needs `grammar` or `expect`")
        if self.min_digits > self.digits:
            raise ValueError("min_digits is larger than digits")
        return self


def convert(raw: str, kind: str, today: date) -> Any:
    """Typed value of the digits, or ValueError: amounts use * as the decimal point,
    dates are DDMM (next such day) or DDMMYYYY."""
    if kind == "amount":
        try:
            amount = Decimal(raw.replace("*", "."))
        except InvalidOperation as exc:
            raise ValueError(raw) from exc
        if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(raw)
        return amount
    if kind == "date":
        if len(raw) not in (4, 8) or not raw.isdigit():
            raise ValueError(raw)
        day, month = int(raw[:2]), int(raw[2:4])
        year = int(raw[4:]) if len(raw) == 8 else today.year
        value = date(year, month, day)
        if len(raw) == 4 and value < today:
            value = date(year + 1, month, day)
        if value < today:
            raise ValueError(raw)
        return value
    if not all(ch in DTMF_KEYS for ch in raw):
        raise ValueError(raw)
    return raw


class Gather(Verb):
    name = "gather"
    Args = GatherArgs
    args: GatherArgs

    def answers(self) -> dict[str, list[str]]:
        return self.args.expect or GRAMMARS[self.args.grammar or "yes_no"]

    def gotos(self) -> list[tuple[str, str]]:
        found = [(f"on.{k}", v) for k, v in self.args.on.items()]
        found += [
            (k, v) for k, v in (("invalid", self.args.invalid), ("timeout", self.args.timeout)) if v
        ]
        return found

    def texts(self) -> list[tuple[str, str]]:
        pairs = (("prompt", self.args.prompt), ("retry_prompt", self.args.retry_prompt))
        return [(k, v) for k, v in pairs if v]

    def tts_texts(self) -> list[tuple[str, str]]:
        return self.texts()

    def sounds(self) -> list[tuple[str, str]]:
        return [("play", self.args.play)] if self.args.play else []

    def defines(self) -> list[str]:
        return [self.args.into]

    async def run(self, call: Call) -> str | None:
        speech = self.args.input == "speech"
        if speech and not self._can_recognise(call):
            log.warning(
                "gather in %s/%s: no speech recogniser for language %r, using DTMF keys %s",
                call.script.name,
                call.node,
                call.language,
                sorted(self.args.keys),
            )
            speech = False
        outcome = "timeout"
        for attempt in range(1, self.args.tries + 1):
            if attempt > 1 and self.args.retry_prompt:
                await call.say(self.args.retry_prompt)
            if speech or self.args.input == "speech":
                raw, value, how = await self._one_answer(call, speech)
            else:
                raw, value, how = await self._one_dtmf(call)
            outcome = "timeout" if not raw else ("ok" if value is not None else "invalid")
            call.add_input(
                "gather", input=how, raw=raw, value=value, outcome=outcome, attempt=attempt
            )
            if outcome == "ok":
                call.vars[self.args.into] = value
                return self.args.on.get(str(value)) if self.args.on else None
        target = self.args.timeout if outcome == "timeout" else self.args.invalid
        if target is None:
            raise VerbFailed(f"gather ended with {outcome} after {self.args.tries} tries")
        return target

    def _can_recognise(self, call: Call) -> bool:
        recognizer = call.services.recognizer
        return recognizer is not None and recognizer.supports(call.language)

    async def _prompt(self, call: Call, escape: str) -> str | None:
        digit = await call.say(self.args.prompt, escape) if self.args.prompt else None
        if digit is None and self.args.play:
            digit = await call.play(self.args.play, escape)
        return digit

    async def _one_dtmf(self, call: Call) -> tuple[str, Any, str]:
        raw = await self._digits(call, await self._prompt(call, DTMF_KEYS))
        if len(raw) < self.args.min_digits:
            return raw, None, "dtmf"
        try:
            value = convert(raw, self.args.as_, utcnow().date())
        except ValueError:
            return raw, None, "dtmf"
        if self.args.on and str(value) not in self.args.on:
            return raw, None, "dtmf"
        return raw, value, "dtmf"

    async def _digits(self, call: Call, first: str | None) -> str:
        buffer = ""
        digit = first
        while True:
            if digit is None:
                digit = await call.wait_digit(int(self.args.timeout_s * 1000))
            if digit is None or digit == self.args.terminator:
                return buffer
            buffer += digit
            if len(buffer) >= self.args.digits:
                return buffer
            digit = None

    async def _one_answer(self, call: Call, speech: bool) -> tuple[str, Any, str]:
        """A spoken answer (or a key from `keys`, which is also how DTMF fallback works)."""
        escape = "".join(k for k in self.args.keys if k in DTMF_KEYS)
        digit = await self._prompt(call, escape)
        if digit is None and not speech:
            digit = await call.wait_digit(int(self.args.timeout_s * 1000))
        if digit is not None:
            answer = self.args.keys.get(digit)
            return digit, self._accept(answer), "dtmf"
        if not speech:
            return "", None, "dtmf"
        path, digit = await call.record(self.args.max_speech_s, 1.5, escape)
        if digit is not None:
            return digit, self._accept(self.args.keys.get(digit)), "dtmf"
        assert call.services.recognizer is not None
        answers = self.answers()
        phrases = sorted({p for values in answers.values() for p in values})
        heard = await call.services.recognizer.recognize(path, phrases, call.language)
        answer = next((a for a, values in answers.items() if heard in values), None)
        return heard, self._accept(answer), "speech"

    def _accept(self, answer: str | None) -> str | None:
        if answer is None or (self.args.on and answer not in self.args.on):
            return None
        return answer
