"""Users, roles and sign-in: HTTP basic for API clients, a signed cookie for browsers.

The cookie is `base64(json).hmac-sha256`; it carries the user name, role and expiry, so
no server-side session store is needed. Handlers declare who may call them with @allow.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aiohttp import web

from dialer.config import WebSettings

COOKIE = "dialer_session"
# Demo agents: web user agentNNNN (as the SIP endpoint) works as ACD agent login NNNN.
DEMO_AGENT = re.compile(r"agent(\d{4})")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"


STAFF = (Role.ADMIN, Role.SUPERVISOR)
EVERYONE = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    agent_login: str | None = None

    def may_act_as(self, login: str) -> bool:
        """Agents act only for themselves; supervisors and admins for anyone."""
        return self.role in STAFF or self.agent_login == login


class Authenticator:
    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self._key = (settings.secret or secrets.token_hex(32)).encode()

    def check_password(self, name: str, password: str) -> User | None:
        for configured in self.settings.users:
            if configured.name == name and _same(configured.password, password):
                role = Role(configured.role)
                login = configured.agent_login or name if role is Role.AGENT else None
                return User(name, role, login)
        demo = DEMO_AGENT.fullmatch(name) if self.settings.demo_agents else None
        if demo and _same(name, password):
            return User(name, Role.AGENT, demo.group(1))
        return None

    def cookie_for(self, user: User) -> str:
        expires = time.time() + self.settings.session_hours * 3600
        body = json.dumps(
            {"n": user.name, "r": user.role.value, "a": user.agent_login, "e": expires}
        )
        payload = base64.urlsafe_b64encode(body.encode()).decode()
        return f"{payload}.{self._sign(payload)}"

    def user_from_cookie(self, value: str) -> User | None:
        payload, _, signature = value.partition(".")
        if not signature or not hmac.compare_digest(signature, self._sign(payload)):
            return None
        try:
            data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload))
            if float(data["e"]) < time.time():
                return None
            return User(str(data["n"]), Role(data["r"]), data.get("a"))
        except (ValueError, KeyError, binascii.Error):
            return None

    def user_from_basic(self, header: str) -> User | None:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            name, _, password = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, binascii.Error):
            return None
        return self.check_password(name, password)

    def user_of(self, request: web.Request) -> User | None:
        header = request.headers.get("Authorization")
        if header:
            return self.user_from_basic(header)
        cookie = request.cookies.get(COOKIE)
        return self.user_from_cookie(cookie) if cookie else None

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def allow(*roles: Role) -> Callable[[Handler], Handler]:
    """Mark a handler with the roles that may call it; no mark = public."""

    def mark(handler: Handler) -> Handler:
        handler.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return handler

    return mark


USER_KEY = web.RequestKey("user", User)
AUTH_KEY = web.AppKey("authenticator", Authenticator)


def current_user(request: web.Request) -> User:
    return request[USER_KEY]


def _wants_html(request: web.Request) -> bool:
    return not request.path.startswith("/api/") and request.method == "GET"


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    roles: frozenset[Role] | None = getattr(request.match_info.handler, "allowed_roles", None)
    if roles is None:
        return await handler(request)
    user = request.app[AUTH_KEY].user_of(request)
    if user is None:
        if _wants_html(request):
            raise web.HTTPFound(f"/login?next={request.path_qs}")
        raise web.HTTPUnauthorized(
            headers={"WWW-Authenticate": 'Basic realm="dialer"'},
            text=json.dumps({"error": "sign in first"}),
            content_type="application/json",
        )
    if user.role not in roles:
        raise web.HTTPForbidden(
            text=json.dumps({"error": f"role {user.role} may not do this"}),
            content_type="application/json",
        )
    request[USER_KEY] = user
    return await handler(request)
