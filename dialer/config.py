"""Layered configuration: defaults here, then a TOML file, then DIALER__ env vars, then flags.

Every layer is validated together, so `dialer check-config` can name each bad key.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "dialer.toml"
ENV_PREFIX = "DIALER__"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(Section):
    url: str = "sqlite+aiosqlite:///var/dialer.sqlite"


class AsteriskSettings(Section):
    ami_host: str = "127.0.0.1"
    ami_port: int = Field(5038, ge=1, le=65535)
    ami_user: str = "dialer"
    ami_secret: str = "dialer-secret"
    login_timeout_s: float = Field(5.0, gt=0)
    fastagi_host: str = "127.0.0.1"
    fastagi_port: int = Field(4573, ge=1, le=65535)


class LocaleSettings(Section):
    default_country: str = Field("PL", min_length=2, max_length=2)
    default_currency: str = Field("PLN", min_length=3, max_length=3)
    default_timezone: str = "Europe/Warsaw"


class WebUser(Section):
    name: str = Field(min_length=1)
    password: str = Field(min_length=1)
    role: Literal["admin", "supervisor", "agent"]
    # For agents: the ACD agent login this user works as (default: the user name).
    agent_login: str | None = None


def _demo_users() -> list[WebUser]:
    return [
        WebUser.model_validate({"name": name, "password": name, "role": name})
        for name in ("admin", "supervisor")
    ]


class WebSettings(Section):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    users: list[WebUser] = Field(default_factory=_demo_users)
    # Web user agentNNNN, password agentNNNN, works as ACD agent NNNN (demo and tests only).
    demo_agents: bool = True
    # Key that signs session cookies; empty = a random key per start (sessions end on restart).
    secret: str = ""
    session_hours: float = Field(default=12.0, gt=0)


class SpeechSettings(Section):
    sounds_dir: str = "sounds"
    tts_voice_en: str = "en"
    tts_voice_pl: str = "pl"
    vosk_model_dir: str = ""


# [acd-queue]'s extension pattern _[a-zA-Z0-9]. : a letter or digit, then at least one more.
QUEUE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]+")
RESERVED_QUEUES = frozenset({"rescue"})  # acd.queue_link's, for debtors whose agent dropped
# The dialplan ends any wait the ACD did not (ACD_MAX_WAIT_S, 600 s): a queue's own limit
# must come first.
MAX_QUEUE_WAIT_S = 590.0


class AcdQueueSection(Section):
    """One [acd.queues.NAME] table: a queue of the ACD (acd.queues.QueueConfig)."""

    # What an agent needs to take this queue's calls: {language = "pl", min_seniority = 2}.
    skills: dict[str, str | int | list[str]] = Field(default_factory=dict)
    priority: int = Field(0, ge=0, le=99)  # across queues, higher first; rescue has 100
    max_wait_s: float = Field(60.0, gt=0, le=MAX_QUEUE_WAIT_S)
    treatment: Literal["message", "ivr", "callback"] = "message"
    treatment_target: str = Field("", validate_default=True)  # sound, or IVR script name
    announce: bool = True
    announce_every_s: float = Field(30.0, ge=0)

    @field_validator("skills")
    @classmethod
    def _seniority_is_a_level(
        cls, skills: dict[str, str | int | list[str]]
    ) -> dict[str, str | int | list[str]]:
        for key in ("seniority", "min_seniority"):
            value = skills.get(key)
            if isinstance(value, str) and value.isdigit():  # from an environment variable
                value = skills[key] = int(value)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{key} must be a whole number, 0 or more")
        return skills

    @field_validator("treatment_target")
    @classmethod
    def _ivr_needs_a_script(cls, target: str, info: ValidationInfo) -> str:
        if info.data.get("treatment") == "ivr" and not target.strip():
            raise ValueError('treatment "ivr" needs the IVR script\'s name here')
        return target


def _default_queues() -> dict[str, AcdQueueSection]:
    return {
        "collections": AcdQueueSection(),  # campaigns' default acd_queue
        # Debtors calling back: answered before the campaigns' callers, and offered a
        # callback rather than a message when nobody is free for two minutes.
        "inbound": AcdQueueSection(
            priority=10, max_wait_s=120.0, treatment="callback", announce_every_s=45.0
        ),
    }


def _queue_name(name: str) -> str:
    if name in RESERVED_QUEUES:
        raise ValueError(f"queue {name!r} is the ACD's own, it cannot be configured")
    if not QUEUE_NAME.fullmatch(name):
        raise ValueError(
            f"queue name {name!r}: a letter or digit, then letters, digits, - or _ "
            "(at least 2 characters: the dialplan's [acd-queue] extension)"
        )
    return name


QueueName = Annotated[str, AfterValidator(_queue_name)]


class AcdSection(Section):
    wrapup_s: float = Field(10.0, ge=0)
    reservation_timeout_s: float = Field(30.0, gt=0)
    queues: dict[QueueName, AcdQueueSection] = Field(default_factory=_default_queues)


class Settings(Section):
    database: DatabaseSettings = DatabaseSettings()
    asterisk: AsteriskSettings = AsteriskSettings()
    locale: LocaleSettings = LocaleSettings()
    web: WebSettings = WebSettings()
    speech: SpeechSettings = SpeechSettings()
    acd: AcdSection = AcdSection()


class ConfigError(Exception):
    """All problems of a configuration, each as 'key: why'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _dotted_to_tree(pairs: Mapping[str, str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for dotted, value in pairs.items():
        node = tree
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _env_layer(environ: Mapping[str, str]) -> dict[str, Any]:
    pairs = {
        key[len(ENV_PREFIX) :].lower().replace("__", "."): value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX)
    }
    return _dotted_to_tree(pairs)


def _flag_layer(overrides: list[str]) -> dict[str, Any]:
    pairs: dict[str, str] = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError([f"{item}: a flag override must look like section.key=value"])
        pairs[key.strip()] = value.strip()
    return _dotted_to_tree(pairs)


def load_settings(
    path: Path | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings from every layer; raise ConfigError naming each bad key."""
    problems: list[str] = []
    layers: dict[str, Any] = {}
    file = path or Path(os.environ.get("DIALER_CONFIG", DEFAULT_CONFIG_FILE))
    if file.exists():
        try:
            layers = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{file}: not valid TOML: {exc}")
    elif path is not None:
        problems.append(f"{file}: no such configuration file")
    layers = _merge(layers, _env_layer(os.environ if environ is None else environ))
    layers = _merge(layers, _flag_layer(overrides or []))
    if problems:
        raise ConfigError(problems)
    try:
        return Settings.model_validate(layers)
    except ValidationError as exc:
        raise ConfigError(
            [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        ) from exc


def resolve_path(value: str) -> Path:
    """Relative paths in the configuration are relative to the project root."""
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path
