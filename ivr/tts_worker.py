"""The TTS child process: JSON lines in ({"text", "voice", "path"}), JSON lines out.

pyttsx3's espeak driver can hang for ever inside runAndWait, so it lives in this child
process which the parent kills and restarts when a text takes too long.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


def _is_wav(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(4) == b"RIFF"
    except OSError:
        return False


def serve(requests: TextIO, replies: TextIO) -> int:
    import pyttsx3

    engine: Any = pyttsx3.init("espeak")
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    for line in requests:
        try:
            job = json.loads(line)
            engine.setProperty("voice", job["voice"])
            for _attempt in range(2):
                # The espeak driver now and then returns without writing the file.
                engine.save_to_file(job["text"], job["path"])
                engine.runAndWait()
                if _is_wav(job["path"]):
                    break
            reply: dict[str, Any] = {"ok": _is_wav(job["path"]), "error": "no audio written"}
        except Exception as exc:  # report it and keep serving
            reply = {"ok": False, "error": repr(exc)}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    # pyttsx3 prints "Audio saved to ..." on stdout: keep the protocol channel to ourselves.
    protocol = sys.stdout
    sys.stdout = sys.stderr
    raise SystemExit(serve(sys.stdin, protocol))
