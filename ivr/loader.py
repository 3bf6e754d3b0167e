"""Load and check an IVR script file; every problem names its node and key.

A script file looks like:

    language: en            # en | pl: TTS voice and how numbers/money/dates are spoken
    start: main             # first node (default: the first one listed)
    fallback: sorry         # node taken when a verb fails at run time (http timeout ...)
    nodes:
      main:
        - say: "Your balance is {debtor.balance}."
        - gather: {prompt: "Press 1 ...", on: {"1": agent}, timeout: bye}
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dialer.config import resolve_path
from ivr.script import Script, ScriptError, Verb
from ivr.timecond import TimeSpecError, zone
from ivr.verbs import VERBS

# Variables every call has, besides those a script sets.
DEBTOR_FIELDS = (
    "id",
    "account_id",
    "first_name",
    "last_name",
    "balance",
    "currency",
    "due_date",
    "timezone",
    "language",
    "extra",
)
CALL_FIELDS = ("caller_id", "channel", "attempt_id", "debtor_id", "today", "script", "args")
BUILTIN_VARIABLES = frozenset(
    [f"debtor.{f}" for f in DEBTOR_FIELDS] + [f"call.{f}" for f in CALL_FIELDS]
)
SOUND_EXTENSIONS = (".wav", ".gsm", ".ulaw", ".alaw", ".sln", ".g722")


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 reads `on:` (gather's branches) and
    unquoted yes/no answers as booleans, which no script author means."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def parse_yaml(data: bytes | str) -> Any:
    return yaml.load(data, Loader=_Yaml12Loader)  # a SafeLoader subclass


class ScriptFile(BaseModel):
    """The top level of a script file (nodes are checked verb by verb afterwards)."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    language: Literal["en", "pl"] = "en"
    voice: str | None = None
    start: str | None = None
    fallback: str | None = None
    timezone: str | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    nodes: dict[str, list[Any]] = Field(min_length=1)


def _key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_step(node: str, index: int, raw: Any) -> Verb:
    """A step is `verb` (no arguments) or a one-key mapping `verb: arguments`."""
    where = f"[{index}]"
    if isinstance(raw, str):
        name, args = raw, None
    elif isinstance(raw, dict) and len(raw) == 1:
        name, args = next(iter(raw.items()))
    else:
        raise ScriptError(node, where, "a step is a verb name or a mapping with one verb")
    cls = VERBS.get(str(name))
    if cls is None:
        raise ScriptError(node, f"{where}.{name}", f"unknown verb {name!r}")
    if args is None:
        args = {}
    elif cls.shorthand is not None and not isinstance(args, dict | list):
        args = {cls.shorthand: args}
    try:
        return cls(cls.Args.model_validate(args))
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _key((where, str(name), *err["loc"]))
        raise ScriptError(node, key, err["msg"]) from exc
    except TimeSpecError as exc:
        raise ScriptError(node, f"{where}.{name}", str(exc)) from exc


def _known(variable: str, defined: set[str]) -> bool:
    if variable in BUILTIN_VARIABLES or variable in defined:
        return True
    head = variable.split(".", 1)[0]
    # nested values of a JSON answer or debtor.extra.* are only known at run time
    return head in defined or variable.startswith(("debtor.extra.", "call.args."))


def _sound_exists(file: str, sounds_dir: Path) -> bool:
    if file.startswith("asterisk:"):
        return True
    path = sounds_dir / file
    if path.suffix:
        return path.is_file()
    return any(path.with_suffix(ext).is_file() for ext in SOUND_EXTENSIONS)


def check_nodes(script: Script, sounds_dir: Path) -> list[ScriptError]:
    problems: list[ScriptError] = []
    defined = {name for verbs in script.nodes.values() for verb in verbs for name in verb.defines()}
    for where, target in (("start", script.start), ("fallback", script.fallback)):
        if target is not None and target not in script.nodes:
            problems.append(ScriptError("", where, f"no node named {target!r}"))
    for node, verbs in script.nodes.items():
        for index, verb in enumerate(verbs):
            prefix = f"[{index}].{verb.name}"
            for key, target in verb.gotos():
                if target not in script.nodes:
                    problems.append(ScriptError(node, f"{prefix}.{key}", f"no node {target!r}"))
            for key, variable in verb.reads():
                if not _known(variable, defined):
                    problems.append(
                        ScriptError(node, f"{prefix}.{key}", f"unknown variable {variable!r}")
                    )
            for key, file in verb.sounds():
                if not _sound_exists(file, sounds_dir):
                    problems.append(
                        ScriptError(node, f"{prefix}.{key}", f"no sound file {file!r} in sounds/")
                    )
    return problems


def load_script(path: Path, sounds_dir: Path | None = None) -> Script:
    """Parse and check a script; raise ScriptError (its `problems` lists all of them)."""
    sounds = sounds_dir or resolve_path("sounds")
    try:
        data = path.read_bytes()
        stat = path.stat()
    except OSError as exc:
        raise ScriptError("", "", f"cannot read {path}: {exc.strerror}") from exc
    try:
        raw = parse_yaml(data)
    except yaml.YAMLError as exc:
        raise ScriptError("", "", f"not valid YAML: {exc}") from exc
    try:
        top = ScriptFile.model_validate(raw)
    except ValidationError as exc:
        errors = [ScriptError("", _key(e["loc"]), e["msg"]) for e in exc.errors()]
        return _raise(errors)
    problems: list[ScriptError] = []
    if top.timezone:
        try:
            zone(top.timezone)
        except TimeSpecError as exc:
            problems.append(ScriptError("", "timezone", str(exc)))
    nodes: dict[str, list[Verb]] = {}
    for node, steps in top.nodes.items():
        nodes[node] = []
        for index, step in enumerate(steps):
            try:
                nodes[node].append(parse_step(node, index, step))
            except ScriptError as exc:
                problems.append(exc)
    script = Script(
        name=path.stem,
        path=path,
        version=hashlib.sha256(data).hexdigest()[:16],
        language=top.language,
        voice=top.voice,
        start=top.start or next(iter(top.nodes)),
        fallback=top.fallback,
        timezone=top.timezone,
        currency=top.currency,
        nodes=nodes,
        mtime_ns=stat.st_mtime_ns,
        meta={"description": top.description},
    )
    problems += check_nodes(script, sounds)
    if problems:
        _raise(problems)
    return script


def _raise(problems: list[ScriptError]) -> Script:
    first = problems[0]
    first.problems = problems
    raise first


def check_script(path: Path, sounds_dir: Path | None = None) -> list[ScriptError]:
    try:
        load_script(path, sounds_dir)
    except ScriptError as exc:
        return exc.problems
    return []
