"""The OpenAPI 3.1 description of /api/, written by hand (it is small)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

Json = dict[str, Any]


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(description: str, schema: Json | None = None, csv: bool = False) -> Json:
    content: Json = {"application/json": {"schema": schema or {"type": "object"}}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {"200": {"description": description, "content": content}}


def _op(
    summary: str, responses: Json, *, params: list[Json] | None = None, body: Json | None = None
) -> Json:
    op: Json = {"summary": summary, "responses": responses}
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


def _param(name: str, where: str = "path", kind: str = "string") -> Json:
    return {"name": name, "in": where, "required": where == "path", "schema": {"type": kind}}


FORMAT = _param("format", "query")
NAME = _param("name")
LOGIN = _param("login")

SCHEMAS: Json = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
    "PacingUpdate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "mode": {"enum": ["preview", "progressive", "predictive", "agentless"]},
            "target_abandon_pct": {"type": "number"},
            "max_ratio": {"type": "number"},
            "intensity": {"type": "number"},
        },
    },
    "PacingView": {
        "type": "object",
        "properties": {
            k: {"type": t}
            for k, t in [
                ("campaign", "string"),
                ("status", "string"),
                ("mode", "string"),
                ("target_abandon_pct", "number"),
                ("max_ratio", "number"),
                ("intensity", "number"),
                ("ratio", "number"),
                ("predicted_abandon_pct", "number"),
                ("abandon_pct", "number"),
                ("dial", "integer"),
                ("reason", "string"),
                ("at", "string"),
            ]
        },
    },
    "Agent": {
        "type": "object",
        "properties": {
            "login": {"type": "string"},
            "name": {"type": "string"},
            "state": {"enum": ["logged_out", "ready", "reserved", "on_call", "wrap_up", "paused"]},
            "since": {"type": "string", "format": "date-time"},
            "in_state_s": {"type": "integer"},
            "reason": {"type": ["string", "null"]},
            "allowance_s": {"type": ["integer", "null"]},
            "overrun": {"type": "boolean"},
            "attempt_id": {"type": ["integer", "null"]},
            "debtor_id": {"type": ["integer", "null"]},
        },
    },
    "Disposition": {
        "type": "object",
        "required": ["debtor_id", "kind"],
        "properties": {
            "debtor_id": {"type": "integer"},
            "attempt_id": {"type": ["integer", "null"]},
            "kind": {
                "enum": [
                    "promise_to_pay",
                    "refusal",
                    "dispute",
                    "wrong_party",
                    "callback",
                    "paid_already",
                    "survey",
                ]
            },
            "amount": {"type": "string", "description": "required for promise_to_pay"},
            "currency": {"type": "string"},
            "promised_date": {"type": "string", "format": "date"},
            "callback_at": {"type": "string", "format": "date-time"},
            "callback_to_me": {"type": "boolean"},
            "note": {"type": "string"},
        },
    },
    "StateChange": {
        "type": "object",
        "required": ["action"],
        "properties": {
            "action": {"enum": ["login", "ready", "pause", "logout"]},
            "reason": {"type": "string", "description": "pause reason code"},
        },
    },
}

PATHS: Json = {
    "/api/status": {
        "get": _op(
            "Health: database, campaign controls and agent desk wired, live clients", _ok("status")
        )
    },
    "/api/me": {"get": _op("The signed-in user", _ok("name, role, agent_login"))},
    "/api/campaigns": {"get": _op("Campaigns with status, debtors and pacing", _ok("list"))},
    "/api/campaigns/{name}/stats": {
        "get": _op(
            "Campaign statistics: outcomes, abandon % (campaign, 30 d, 24 h), penetration, "
            "dial ratio buckets",
            _ok("statistics", csv=True),
            params=[
                NAME,
                FORMAT,
                _param("part", "query"),
                _param("amd_false_positive_rate", "query", "number"),
                _param("bucket_minutes", "query", "number"),
            ],
        )
    },
    "/api/campaigns/{name}/pacing": {
        "get": _op(
            "Current pacing settings and decision", _ok("pacing", _ref("PacingView")), params=[NAME]
        ),
        "put": _op(
            "Change pacing settings",
            _ok("pacing", _ref("PacingView")),
            params=[NAME],
            body=_ref("PacingUpdate"),
        ),
    },
    **{
        f"/api/campaigns/{{name}}/{action}": {
            "post": _op(f"{action.capitalize()} the campaign", _ok("done"), params=[NAME])
        }
        for action in ("start", "pause", "resume", "stop")
    },
    "/api/agents": {
        "get": _op("Agent states", _ok("agents", {"type": "array", "items": _ref("Agent")}))
    },
    "/api/agents/{login}/state": {
        "post": _op(
            "Log in, ready, pause or log out",
            _ok("agent", _ref("Agent")),
            params=[LOGIN],
            body=_ref("StateChange"),
        )
    },
    "/api/agents/{login}/disposition": {
        "post": _op(
            "Store the call's result",
            {"201": {"description": "stored; returns id"}},
            params=[LOGIN],
            body=_ref("Disposition"),
        )
    },
    "/api/reports/agents": {
        "get": _op(
            "Agent performance",
            _ok("rows", csv=True),
            params=[FORMAT, _param("hours", "query", "number")],
        )
    },
    "/api/reports/results": {
        "get": _op(
            "Script results per creditor/portfolio and projected end",
            _ok("report", csv=True),
            params=[FORMAT, _param("campaign", "query")],
        )
    },
    "/api/results": {
        "get": _op(
            "Latest script results",
            _ok("list"),
            params=[_param("debtor_id", "query", "integer"), _param("limit", "query", "integer")],
        )
    },
    "/api/debtors/{id}": {
        "get": _op(
            "A debtor's case: data, phones, attempts and results",
            _ok("case"),
            params=[_param("id", kind="integer")],
        )
    },
    "/api/pacing/history": {
        "get": _op("Recent pacing events (as on /api/events), oldest first", _ok("list"))
    },
    "/api/pause-reasons": {"get": _op("Pause reasons and their allowances", _ok("list"))},
    "/api/events": {
        "get": {
            "summary": "Live events (Server-Sent Events): agent_state, pacing, campaign, call, "
            "call_ended, result, stats",
            "responses": {
                "200": {
                    "description": "event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                }
            },
        }
    },
}

DOCUMENT: Json = {
    "openapi": "3.1.0",
    "info": {"title": "Collection dialer API", "version": "1"},
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "cookie": {"type": "apiKey", "in": "cookie", "name": "dialer_session"},
        },
    },
    "security": [{"basic": []}, {"cookie": []}],
    "paths": PATHS,
}


async def document(_request: web.Request) -> web.Response:
    return web.json_response(DOCUMENT)
