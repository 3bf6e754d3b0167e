"""HTML pages: templates in templates/ filled with string.Template, values escaped on the way in."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from aiohttp import web

from dialer.web.auth import STAFF, Role, User

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAV = (
    ("/", "Dashboard", STAFF),
    ("/reports", "Reports", STAFF),
    ("/admin/campaigns", "Campaigns", STAFF),
    ("/admin/lists", "Lists", (Role.ADMIN,)),
    ("/admin/scripts", "IVR scripts", STAFF),
)


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


@cache
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def fill(template_name: str, **html: str) -> str:
    """Fill a template; the values must already be HTML (escape data with esc)."""
    return template(template_name).substitute(html)


def _link(href: str, label: str, active: str) -> str:
    return f'<a href="{esc(href)}"{" class=active" if href == active else ""}>{esc(label)}</a>'


def _nav(user: User | None, active: str) -> str:
    if user is None:
        return ""
    links = [_link(href, label, active) for href, label, roles in NAV if user.role in roles]
    if user.agent_login:
        links.append(_link(f"/agent/{user.agent_login}", "My desk", active))
    return (
        f"<nav>{''.join(links)}</nav>"
        f'<div class="who"><span>{esc(user.name)} · {esc(user.role)}</span>'
        '<form method="post" action="/logout"><button class="link">Sign out</button></form></div>'
    )


def page(
    title: str,
    body: str,
    *,
    user: User | None = None,
    active: str = "",
    scripts: Iterable[str] = (),
    status: int = 200,
) -> web.Response:
    tags = "".join(f'<script src="/static/{esc(s)}" defer></script>' for s in scripts)
    html = fill("layout.html", title=esc(title), scripts=tags, nav=_nav(user, active), body=body)
    return web.Response(text=html, content_type="text/html", status=status)


def table(
    headers: Iterable[str], rows: Iterable[Iterable[object]], *, empty: str = "Nothing yet"
) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td class="empty" colspan="99">{esc(empty)}</td></tr>'
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def options(pairs: Iterable[tuple[str, str]], selected: str | None = None) -> str:
    return "".join(
        f'<option value="{esc(value)}"{" selected" if value == selected else ""}>'
        f"{esc(label)}</option>"
        for value, label in pairs
    )
