"""Scripts reload without a restart; a call keeps the version it started with."""

from __future__ import annotations

import os
from pathlib import Path

from ivr.library import ScriptLibrary

V1 = "nodes:\n  main:\n    - say: Version one.\n"
V2 = "nodes:\n  main:\n    - say: Version two.\n"
BROKEN = "nodes:\n  main:\n    - goto: nowhere\n"


def _write(path: Path, text: str, bump_s: int) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    # a distinct mtime even on file systems with coarse timestamps
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump_s * 1_000_000_000))


async def test_changed_file_reloads_and_running_calls_keep_their_version(tmp_path: Path) -> None:
    script = tmp_path / "menu.yaml"
    _write(script, V1, 0)
    library = ScriptLibrary(tmp_path, tmp_path)
    in_progress = await library.get("menu")
    assert in_progress is not None and await library.get("menu") is in_progress  # cached
    _write(script, V2, 5)
    fresh = await library.get("menu")
    assert fresh is not None and fresh.version != in_progress.version
    assert in_progress.nodes["main"][0].args.text == "Version one."  # untouched
    assert fresh.nodes["main"][0].args.text == "Version two."


async def test_a_broken_edit_keeps_the_last_good_version(tmp_path: Path) -> None:
    script = tmp_path / "menu.yaml"
    _write(script, V1, 0)
    library = ScriptLibrary(tmp_path, tmp_path)
    good = await library.get("menu")
    _write(script, BROKEN, 5)
    assert await library.get("menu") is good
    assert await library.get("../menu") is None  # names cannot leave the folder
    assert await library.get("absent") is None
