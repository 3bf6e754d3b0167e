"""The published JSON Schema of IVR scripts, built from the same models the loader uses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ivr.loader import ScriptFile
from ivr.verbs import VERBS

SCHEMA_FILE = Path(__file__).with_name("schema.json")


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    step_choices: list[dict[str, Any]] = []
    bare = sorted(
        name
        for name, cls in VERBS.items()
        if not any(field.is_required() for field in cls.Args.model_fields.values())
    )
    step_choices.append({"type": "string", "enum": bare, "description": "a verb without arguments"})
    for name, cls in sorted(VERBS.items()):
        args_schema = cls.Args.model_json_schema(ref_template="#/$defs/{model}", by_alias=True)
        defs.update(args_schema.pop("$defs", {}))
        choices: list[dict[str, Any]] = [args_schema, {"type": "null"}]
        if cls.shorthand:
            choices.append({"type": ["string", "number"], "description": f"the {cls.shorthand}"})
        step_choices.append(
            {
                "type": "object",
                "properties": {name: {"anyOf": choices}},
                "required": [name],
                "additionalProperties": False,
            }
        )
    top = ScriptFile.model_json_schema()
    top["properties"]["nodes"]["additionalProperties"] = {
        "type": "array",
        "items": {"$ref": "#/$defs/step"},
    }
    defs["step"] = {"oneOf": step_choices}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/collection-dialer/ivr-script.schema.json",
        "title": "IVR script",
        **top,
        "$defs": {**top.get("$defs", {}), **defs},
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
