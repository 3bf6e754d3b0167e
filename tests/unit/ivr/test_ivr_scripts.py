"""Loading and checking scripts: good and bad examples, the JSON Schema, `dialer ivr check`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import jsonschema
import pytest

from dialer.config import PROJECT_ROOT, Settings
from ivr import cli
from ivr.loader import check_script, load_script, parse_yaml
from ivr.schema import SCHEMA_FILE, build_schema, schema_text

FIXTURES = Path(__file__).with_name("fixtures")
SOUNDS = FIXTURES / "sounds"
SAMPLES = sorted((PROJECT_ROOT / "config" / "ivr").glob("*.yaml"))
GOOD = sorted(FIXTURES.glob("good_*.yaml"))

# bad example → (node, key, words in the message) of its first problem
BAD = {
    "bad_missing_node": ("main", "[1].goto.node", "no node 'nowhere'"),
    "bad_unknown_verb": ("main", "[0].speak", "unknown verb"),
    "bad_unknown_variable": ("main", "[0].say.text", "unknown variable 'debtor.balanse'"),
    "bad_missing_sound": ("main", "[0].play.file", "no sound file"),
    "bad_types": ("main", "[0].gather.digits", "integer"),
    "bad_top_level": ("", "language", "'en' or 'pl'"),
    "bad_gather_branch": ("menu", "[0].gather.on.2", "no node 'agent'"),
    "bad_holiday": ("start", "[0].hours.holidays", "YYYY-MM-DD or MM-DD"),
    "bad_yaml": ("", "", "not valid YAML"),
    "bad_skills": ("main", "[0].enqueue.skills", "must be key=value"),
}


@pytest.mark.parametrize("path", SAMPLES + GOOD, ids=lambda p: p.stem)
def test_good_scripts_load(path: Path) -> None:
    sounds = SOUNDS if path.parent == FIXTURES else PROJECT_ROOT / "sounds"
    script = load_script(path, sounds)
    assert script.start in script.nodes
    assert len(script.version) == 16


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_scripts_name_node_and_key(name: str) -> None:
    problems = check_script(FIXTURES / f"{name}.yaml", SOUNDS)
    node, key, words = BAD[name]
    assert problems, name
    first = problems[0]
    assert (first.node, first.key) == (node, key), str(first)
    assert words in first.message


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    script = tmp_path / "many.yaml"
    script.write_text(
        "nodes:\n  a:\n    - goto: b\n    - say: '{nope}'\n  c:\n    - jump: a\n", encoding="utf-8"
    )
    keys = {(p.node, p.key) for p in check_script(script, SOUNDS)}
    assert keys == {("a", "[0].goto.node"), ("a", "[1].say.text"), ("c", "[0].jump")}


def test_published_schema_is_current_and_separates_good_from_bad() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == build_schema()
    validator = jsonschema.Draft202012Validator(build_schema())
    for path in SAMPLES + GOOD:
        validator.validate(parse_yaml(path.read_text(encoding="utf-8")))
    # structural mistakes are caught by the schema alone (cross-references need the loader)
    for name in ("bad_unknown_verb", "bad_types", "bad_top_level"):
        data = parse_yaml((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))
        assert not validator.is_valid(data), name


def _run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args, Settings())
    return code


def test_check_command_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_cli(["ivr", "check", *map(str, SAMPLES)]) == 0
    assert _run_cli(["ivr", "check", str(FIXTURES / "bad_missing_node.yaml")]) == 2
    out = capsys.readouterr().out
    assert "node main, key [1].goto.node: no node 'nowhere'" in out


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run_cli(["ivr", "schema"]) == 0
    assert capsys.readouterr().out == schema_text()
