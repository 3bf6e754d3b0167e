from __future__ import annotations

import base64

from dialer.config import WebSettings
from dialer.web.auth import Authenticator, Role, User


def _settings(**values: object) -> WebSettings:
    return WebSettings.model_validate({"secret": "k" * 32, **values})


def test_configured_and_demo_users() -> None:
    auth = Authenticator(_settings())
    assert auth.check_password("supervisor", "supervisor") == User("supervisor", Role.SUPERVISOR)
    assert auth.check_password("admin", "wrong") is None
    assert auth.check_password("agent1001", "agent1001") == User("agent1001", Role.AGENT, "1001")
    assert auth.check_password("agent1001", "agent1002") is None
    assert auth.check_password("agentx", "agentx") is None
    strict = Authenticator(_settings(demo_agents=False))
    assert strict.check_password("agent1001", "agent1001") is None


def test_agent_user_with_its_own_login() -> None:
    users = [{"name": "anna", "password": "pw", "role": "agent", "agent_login": "agent1005"}]
    user = Authenticator(_settings(users=users)).check_password("anna", "pw")
    assert user == User("anna", Role.AGENT, "agent1005")
    assert user.may_act_as("agent1005") and not user.may_act_as("agent1006")


def test_cookie_round_trip_and_tampering() -> None:
    auth = Authenticator(_settings())
    user = User("supervisor", Role.SUPERVISOR)
    cookie = auth.cookie_for(user)
    assert auth.user_from_cookie(cookie) == user
    payload, signature = cookie.split(".")
    forged = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload).replace(b"supervisor", b"admin")
    ).decode()
    assert auth.user_from_cookie(f"{forged}.{signature}") is None
    assert auth.user_from_cookie("garbage") is None
    other_key = Authenticator(_settings(secret="another key"))
    assert other_key.user_from_cookie(cookie) is None


def test_expired_cookie() -> None:
    auth = Authenticator(_settings(session_hours=1e-9))
    assert auth.user_from_cookie(auth.cookie_for(User("admin", Role.ADMIN))) is None


def test_basic_header() -> None:
    auth = Authenticator(_settings())
    header = "Basic " + base64.b64encode(b"admin:admin").decode()
    assert auth.user_from_basic(header) == User("admin", Role.ADMIN)
    assert auth.user_from_basic("Bearer x") is None
    assert auth.user_from_basic("Basic !!!") is None
