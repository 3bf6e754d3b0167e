"""`http`: ask an external system (CRM, payment gateway); its JSON answer lands in `into`.

Errors and timeouts go to `on_error`, or to the script's fallback node.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import aiohttp

from ivr.call import Call
from ivr.script import Verb, VerbArgs, VerbFailed
from ivr.template import render_raw

log = logging.getLogger(__name__)


class HttpArgs(VerbArgs):
    url: str
    method: Literal["GET", "POST", "PUT"] = "GET"
    body: dict[str, str | int | float | bool | None] | None = None
    timeout_s: float = 3.0
    into: str = "http"
    on_error: str | None = None


class Http(Verb):
    name = "http"
    Args = HttpArgs
    shorthand = "url"
    args: HttpArgs

    def texts(self) -> list[tuple[str, str]]:
        found = [("url", self.args.url)]
        for key, value in (self.args.body or {}).items():
            if isinstance(value, str):
                found.append((f"body.{key}", value))
        return found

    def defines(self) -> list[str]:
        return [self.args.into]

    def gotos(self) -> list[tuple[str, str]]:
        return [("on_error", self.args.on_error)] if self.args.on_error else []

    async def run(self, call: Call) -> str | None:
        url = str(render_raw(self.args.url, call.vars))
        body: dict[str, Any] | None = None
        if self.args.body is not None:
            body = {
                k: render_raw(v, call.vars) if isinstance(v, str) else v
                for k, v in self.args.body.items()
            }
        try:
            answer = await self._request(call, url, body)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("http %s %s failed: %r", self.args.method, url, exc)
            call.add_input("http", url=url, error=repr(exc))
            if self.args.on_error:
                return self.args.on_error
            raise VerbFailed(f"http {url}: {exc!r}") from exc
        call.vars[self.args.into] = answer
        call.add_input("http", url=url, answer=answer)
        return None

    async def _request(self, call: Call, url: str, body: dict[str, Any] | None) -> Any:
        timeout = aiohttp.ClientTimeout(total=self.args.timeout_s)
        owned = call.services.http is None
        session = call.services.http or aiohttp.ClientSession()
        try:
            async with session.request(
                self.args.method, url, json=body, timeout=timeout
            ) as response:
                response.raise_for_status()
                return await response.json(content_type=None)
        finally:
            if owned:
                await session.close()
