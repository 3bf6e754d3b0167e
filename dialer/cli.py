"""The `dialer` command. Each feature folder adds its own subcommands through `register`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from dialer.config import ConfigError, Settings, load_settings

# Feature modules that contribute subcommands; each has register(subparsers).
COMMAND_MODULES = (
    "dialer.lists.cli",
    "dialer.pbx.cli",
    "dialer.pacing.cli",
    "dialer.campaign.cli",
    "dialer.reporting.cli",
    "dialer.web.cli",
    "ivr.cli",
    "acd.cli",
)

Handler = Callable[[argparse.Namespace, Settings], int]


def _check_config(_args: argparse.Namespace, settings: Settings) -> int:
    print("configuration is valid")
    print(settings.model_dump_json(indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dialer", description=__doc__)
    parser.add_argument("--config", type=Path, help="configuration file (TOML)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one configuration key (repeatable)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-config", help="validate the configuration, name every problem")
    check.set_defaults(handler=_check_config)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.config, args.set)
    except ConfigError as exc:
        print("configuration problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    return handler(args, settings)


if __name__ == "__main__":
    sys.exit(main())
