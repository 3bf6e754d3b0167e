"""TTS rendered once and cached as Asterisk-ready audio; a hung TTS engine; STT of yes/no."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import pytest

from ivr.stt import PocketsphinxRecognizer
from ivr.tts import Tts


def _format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as audio:
        return audio.getframerate(), audio.getnchannels(), audio.getsampwidth()


async def test_rendered_once_as_8khz_mono_16bit(tmp_path: Path) -> None:
    tts = Tts(tmp_path)
    try:
        sound = await tts.sound_for("Your balance is two zlotys.", "en")
        again = await tts.sound_for("Your balance is two zlotys.", "en")
        polish = await tts.render("Dzień dobry, dwa złote.", "pl")
    finally:
        await tts.close()
    assert sound == again and sound.startswith("dialer/cache/tts-")
    path = tmp_path / (sound.removeprefix("dialer/") + ".wav")
    assert _format(path) == (8000, 1, 2) and _format(polish) == (8000, 1, 2)
    assert (tts.stats.hits, tts.stats.misses, tts.stats.fallbacks) == (1, 2, 0)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [path.name, polish.name]
    )  # no temporary files left behind


async def test_a_hung_engine_is_killed_and_the_cli_renders_instead(tmp_path: Path) -> None:
    hang = [
        sys.executable,
        "-c",
        "import time; print('{\"ready\": true}', flush=True); time.sleep(600)",
    ]
    tts = Tts(tmp_path, timeout_s=1.0, worker_command=hang)
    try:
        path = await tts.render("Still spoken.", "en")
        proc = tts.worker._proc
    finally:
        await tts.close()
    assert proc is None  # killed, restarted on the next text
    assert tts.stats.fallbacks == 1 and _format(path) == (8000, 1, 2)


@pytest.fixture(scope="module")
def recognizer() -> PocketsphinxRecognizer:
    return PocketsphinxRecognizer()


def _speak(tmp_path: Path, text: str, voice: str = "en-us") -> Path:
    raw, wav = tmp_path / f"{text}-raw.wav", tmp_path / f"{text}.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(wav)], check=True)
    return wav


@pytest.mark.parametrize(("said", "heard"), [("yes", {"yes", "yeah"}), ("no", {"no"})])
async def test_yes_and_no_recognised_from_phone_audio(
    recognizer: PocketsphinxRecognizer, tmp_path: Path, said: str, heard: set[str]
) -> None:
    phrases = ["yes", "yeah", "no", "nope", "sure", "correct"]
    assert await recognizer.recognize(_speak(tmp_path, said), phrases, "en") in heard


async def test_words_outside_the_dictionary_are_left_out(
    recognizer: PocketsphinxRecognizer, tmp_path: Path
) -> None:
    wav = _speak(tmp_path, "no")
    assert await recognizer.recognize(wav, ["no", "qwxzzy"], "en") == "no"
    assert await recognizer.recognize(wav, ["qwxzzy"], "en") == ""
    assert not recognizer.supports("pl")
