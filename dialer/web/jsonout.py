"""JSON responses for dataclasses, datetimes and Decimals."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from aiohttp import web


def plain(value: Any) -> Any:
    """Turn report and port objects into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def dumps(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False)


def reply(value: Any, status: int = 200) -> web.Response:
    return web.json_response(plain(value), status=status, dumps=json.dumps)


def error(status: int, message: str) -> web.HTTPException:
    """An HTTP error with a JSON body {"error": message}, ready to raise."""
    cls: type[web.HTTPException] = {
        400: web.HTTPBadRequest,
        403: web.HTTPForbidden,
        404: web.HTTPNotFound,
        409: web.HTTPConflict,
        503: web.HTTPServiceUnavailable,
    }[status]
    return cls(text=json.dumps({"error": message}), content_type="application/json")


def query_number(request: web.Request, key: str, default: float) -> float:
    try:
        return float(request.query.get(key, default))
    except ValueError:
        raise error(400, f"{key} must be a number") from None


async def read_json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise error(400, "the body is not valid JSON") from None
