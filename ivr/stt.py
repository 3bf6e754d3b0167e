"""Speech to text against a small grammar of expected answers.

vosk when `speech.vosk_model_dir` points at a model; otherwise pocketsphinx with the en-us
model its wheel ships (the tested offline default); otherwise none, and speech gathers fall
back to DTMF. Recognition runs in a worker thread; one decoder, guarded by a lock.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import subprocess
import threading
import wave
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class Recognizer(Protocol):
    name: str

    def supports(self, language: str) -> bool: ...

    async def recognize(self, wav: Path, phrases: list[str], language: str) -> str:
        """The phrase heard (one of `phrases`), or "" when nothing matched."""
        ...


def first_phrase(heard: str, phrases: list[str]) -> str:
    """The first of `phrases` at the start of what was heard (longest match wins)."""
    words = heard.lower().split()
    for phrase in sorted(phrases, key=lambda p: -len(p.split())):
        if words[: len(phrase.split())] == phrase.split():
            return phrase
    return ""


def _pcm16k(wav: Path) -> bytes:
    # The phone audio is 8 kHz; the pocketsphinx model wants 16 kHz.
    done = subprocess.run(
        [
            "sox",
            str(wav),
            "-r",
            "16000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed-integer",
            "-t",
            "raw",
            "-",
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return done.stdout


class PocketsphinxRecognizer:
    name = "pocketsphinx"

    def __init__(self) -> None:
        from pocketsphinx import Config, Decoder

        config = Config(lm=None)
        self._decoder: Any = Decoder(config)
        self._grammars: set[str] = set()
        self._lock = threading.Lock()

    def supports(self, language: str) -> bool:
        return language == "en"

    def _known(self, phrase: str) -> bool:
        return all(self._decoder.lookup_word(word) for word in phrase.split())

    def recognize_sync(self, wav: Path, phrases: list[str]) -> str:
        usable = sorted({p.lower() for p in phrases if self._known(p.lower())})
        if not usable:
            return ""
        name = "g" + hashlib.sha1("|".join(usable).encode()).hexdigest()[:12]
        audio = _pcm16k(wav)
        with self._lock:
            if name not in self._grammars:
                # One or more answers: callers repeat themselves ("yes, yes").
                rule = " | ".join(usable)
                self._decoder.add_jsgf_string(
                    name, f"#JSGF V1.0; grammar {name}; public <answer> = ({rule})+;"
                )
                self._grammars.add(name)
            self._decoder.activate_search(name)
            self._decoder.start_utt()
            self._decoder.process_raw(audio, full_utt=True)
            self._decoder.end_utt()
            hyp = self._decoder.hyp()
        return first_phrase(str(hyp.hypstr) if hyp is not None else "", usable)

    async def recognize(self, wav: Path, phrases: list[str], language: str) -> str:
        return await asyncio.to_thread(self.recognize_sync, wav, phrases)


class VoskRecognizer:
    name = "vosk"

    def __init__(self, model_dir: Path) -> None:
        import vosk

        self._vosk: Any = vosk
        self._model = vosk.Model(str(model_dir))

    def supports(self, language: str) -> bool:
        return True  # the configured model's language is the operator's choice

    def recognize_sync(self, wav: Path, phrases: list[str]) -> str:
        with wave.open(str(wav), "rb") as audio:
            grammar = json.dumps([p.lower() for p in phrases] + ["[unk]"])
            recognizer = self._vosk.KaldiRecognizer(self._model, audio.getframerate(), grammar)
            while chunk := audio.readframes(4000):
                recognizer.AcceptWaveform(chunk)
            text = str(json.loads(recognizer.FinalResult()).get("text", ""))
        return first_phrase(text, [p.lower() for p in phrases])

    async def recognize(self, wav: Path, phrases: list[str], language: str) -> str:
        return await asyncio.to_thread(self.recognize_sync, wav, phrases)


def make_recognizer(vosk_model_dir: str) -> Recognizer | None:
    """The best recogniser available here, or None (speech gathers then use DTMF)."""
    if vosk_model_dir:
        try:
            return VoskRecognizer(Path(vosk_model_dir))
        except Exception as exc:
            log.error("cannot load the vosk model in %s: %s", vosk_model_dir, exc)
    try:
        return PocketsphinxRecognizer()
    except Exception as exc:
        log.warning("no speech recogniser (pocketsphinx: %s): speech gathers use DTMF", exc)
        return None
