"""Text to speech: pyttsx3 on espeak-ng, rendered to samples (never played by pyttsx3 itself).

pyttsx3's own `say()` plays through `aplay` and cannot be interrupted, so the Synthesizer only
uses `save_to_file` to a private temporary WAV, reads it back and keeps the samples. The
speakers (voice/speech/speaking.py) play them through sounddevice or write them to files.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from voice.errors import AudioDeviceError

from . import DEFAULT_RATE
from .audio import float_to_int16, read_wav_raw, to_mono

_LOG = logging.getLogger(__name__)

TTS_RATE = 22050
"""Sample rate of espeak-ng's output (what `Speech.rate` is)."""

_ESPEAK_FIX = "install espeak-ng: sudo apt-get install espeak-ng (or run with --text)"


class Speech:
    """One synthesized sentence: mono int16 samples at `rate` Hz."""

    __slots__ = ("text", "samples", "rate")

    def __init__(self, text: str, samples: np.ndarray, rate: int = TTS_RATE):
        self.text = text
        self.samples = samples
        self.rate = rate

    @property
    def seconds(self) -> float:
        """Duration in seconds."""
        return len(self.samples) / self.rate


@contextlib.contextmanager
def _quiet_stdout():
    """Nothing reaches stdout inside: Python-level prints and the process's file descriptor 1.

    pyttsx3 prints "Audio saved to ..." with `print`; espeak-ng's C code could write to fd 1.
    In `--jsonl` mode stdout carries only JSON events, so both are sent to /dev/null.
    """
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    saved = None
    try:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:  # no fd 1 (some embedded hosts): the Python-level redirect still applies
        saved = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


class Synthesizer:
    """Speech samples for sentences, from pyttsx3's espeak-ng driver, cached per (text, rate, voice).

    One pyttsx3 engine is created on first use and reused. Volume is not synthesized: the speakers
    apply it at playback, so louder/quieter never re-synthesize. `forget()` empties the cache
    (the kiosk calls it between people). Thread-safe: synthesis is serialized by a lock.
    """

    def __init__(self, rate: int | None = None, voice: str | None = None, cache_size: int = 256):
        self.rate = int(rate or DEFAULT_RATE)
        """Words per minute used when `synthesize` is not given a rate."""
        self.voice = voice
        """espeak-ng voice id (e.g. `gmw/en-US`), None for pyttsx3's default English voice."""
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int, str | None], Speech] = OrderedDict()
        self._engine = None
        self._lock = threading.Lock()
        self._dir = None
        self._serial = 0
        self._last_rate: int | None = None
        self._finished = threading.Event()
        self.hits = 0
        """Cache hits so far (for tests and benchmarks)."""
        self.misses = 0
        """Sentences synthesized so far."""
        self.init_seconds: float | None = None
        """Time taken to start pyttsx3 and espeak-ng (None before the first use)."""

    # ------------------------------------------------------------------ engine

    def _start(self):
        if self._engine is not None:
            return self._engine
        started = time.monotonic()
        try:
            import pyttsx3
        except ImportError as exc:
            raise AudioDeviceError("the text-to-speech library pyttsx3 is not installed",
                                   fix="pip install pyttsx3 (and sudo apt-get install espeak-ng)") from exc
        try:
            with _quiet_stdout():
                engine = pyttsx3.init("espeak")
        except (OSError, RuntimeError, ImportError, AttributeError) as exc:
            raise AudioDeviceError(f"espeak-ng could not be started for speech output ({exc})",
                                   where="pyttsx3 espeak driver", fix=_ESPEAK_FIX) from exc
        if self.voice:
            try:
                engine.setProperty("voice", self.voice)
            except (ValueError, KeyError) as exc:
                raise AudioDeviceError(f"unknown espeak-ng voice {self.voice!r}", where="--voice",
                                       fix="list voices with: espeak-ng --voices=en (e.g. gmw/en-US)"
                                       ) from exc
        engine.setProperty("volume", 1.0)
        # runAndWait can return before espeak-ng's asynchronous synthesis has finished (pyttsx3 2.99
        # ends its loop on a queued endLoop); the file is read only after this notification.
        self._finished = threading.Event()
        engine.connect("finished-utterance", lambda **_: self._finished.set())
        self._dir = tempfile.TemporaryDirectory(prefix="voice-tts-")
        self._engine = engine
        self.init_seconds = time.monotonic() - started
        _LOG.debug("pyttsx3/espeak-ng started in %.3f s", self.init_seconds)
        return engine

    def warm_up(self) -> float:
        """Start the engine now (not at the first sentence); returns the start-up time in seconds."""
        with self._lock:
            self._start()
        return self.init_seconds or 0.0

    # ------------------------------------------------------------------ synthesis

    def synthesize(self, text: str, rate: int | None = None) -> Speech:
        """The samples for `text` at `rate` words per minute (cached)."""
        rate = int(rate or self.rate)
        key = (text, rate, self.voice)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.hits += 1
                return hit
            speech = self._render(text, rate)
            self.misses += 1
            self._cache[key] = speech
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            return speech

    def _render(self, text: str, rate: int) -> Speech:
        # pyttsx3 2.99 sometimes ends an utterance before any audio (a stale end-of-message event
        # from espeak-ng's asynchronous thread): an empty result is synthesized again.
        for attempt in range(4):
            speech = self._render_once(text, rate)
            if len(speech.samples) > speech.rate // 20 or not text.strip():
                return speech
            _LOG.debug("espeak-ng returned %d samples for %r; trying again (%d)", len(speech.samples),
                       text[:40], attempt + 1)
        raise AudioDeviceError(f"espeak-ng produced no audio for {text[:60]!r}", where="pyttsx3 save_to_file",
                               fix=_ESPEAK_FIX)

    def _render_once(self, text: str, rate: int) -> Speech:
        engine = self._start()
        self._serial += 1
        path = Path(self._dir.name) / f"utterance-{self._serial}.wav"  # never a previous sentence's file
        self._espeak_idle()
        if rate != self._last_rate:
            engine.setProperty("rate", rate)
            self._espeak_prime()
            self._last_rate = rate
        self._finished.clear()
        with _quiet_stdout():
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            finished = self._finished.wait(10.0)
        if not finished or not path.exists():
            raise AudioDeviceError(f"espeak-ng produced no audio for {text[:60]!r}",
                                   where="pyttsx3 save_to_file", fix=_ESPEAK_FIX)
        x, info = read_wav_raw(path)
        path.unlink()
        return Speech(text, float_to_int16(to_mono(x)), info.rate)

    @staticmethod
    def _espeak_idle() -> None:
        """Wait until espeak-ng's own queue is empty: a rate set while it is still busy applies one
        sentence late (seen with pyttsx3 2.99 in espeak-ng's asynchronous mode)."""
        try:
            from pyttsx3.drivers import _espeak
        except ImportError:  # pragma: no cover - the driver was loaded by _start already
            return
        _espeak.Synchronize()

    @staticmethod
    def _espeak_prime() -> None:
        """A rate set through pyttsx3 sticks to the previous value until espeak-ng has synthesized
        something after the change (seen with pyttsx3 2.99 / espeak-ng 1.51): synthesize a silent
        space, which pyttsx3's callback ignores, then wait for it."""
        from pyttsx3.drivers import _espeak

        _espeak.Synth(b" ", flags=_espeak.CHARS_UTF8)
        _espeak.Synchronize()

    def cached(self, text: str, rate: int | None = None) -> bool:
        """True when `text` at `rate` is already in the cache."""
        return (text, int(rate or self.rate), self.voice) in self._cache

    def forget(self) -> None:
        """Empty the cache (nothing a person heard stays in memory)."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Empty the cache and remove the temporary folder (the espeak-ng engine lives on per process)."""
        self.forget()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None
        self._engine = None
        self._last_rate = None
