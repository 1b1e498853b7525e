"""Text to speech: espeak-ng, rendered to samples (never played by espeak-ng itself).

The Synthesizer turns a sentence into int16 samples through voice/speech/espeak.py (espeak-ng's
library in synchronous mode) and caches them; the speakers (voice/speech/speaking.py) play them
through sounddevice or write them to files.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

import numpy as np

from voice.errors import AudioDeviceError

from . import DEFAULT_RATE, espeak

_LOG = logging.getLogger(__name__)

TTS_RATE = 22050
"""Sample rate of espeak-ng's output (what `Speech.rate` is)."""


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


class Synthesizer:
    """Speech samples for sentences from espeak-ng, cached per (text, rate, voice).

    espeak-ng is started on first use (once per process; voice/speech/espeak.py). Volume is not
    synthesized: the speakers apply it at playback, so louder/quieter never re-synthesize.
    `forget()` empties the cache (the kiosk calls it between people). Thread-safe: the cache is
    guarded by a lock, and espeak-ng says one sentence at a time per process.
    """

    def __init__(self, rate: int | None = None, voice: str | None = None, cache_size: int = 256):
        self.rate = int(rate or DEFAULT_RATE)
        """Words per minute used when `synthesize` is not given a rate."""
        self.voice = voice
        """espeak-ng voice id (e.g. `gmw/en-US`), None for espeak-ng's default English voice."""
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int, str | None], Speech] = OrderedDict()
        self._started = False
        self._lock = threading.Lock()
        self.hits = 0
        """Cache hits so far (for tests and benchmarks)."""
        self.misses = 0
        """Sentences synthesized so far."""
        self.init_seconds: float | None = None
        """Time taken to start espeak-ng and check the voice (None before the first use)."""

    # ------------------------------------------------------------------ engine

    def _start(self) -> None:
        if self._started:
            return
        started = time.monotonic()
        espeak.start(self.voice)
        self._started = True
        self.init_seconds = time.monotonic() - started
        _LOG.debug("espeak-ng ready in %.3f s", self.init_seconds)

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
        self._start()
        samples, sample_rate = espeak.speak(text, rate, self.voice)
        if not len(samples) and text.strip():
            raise AudioDeviceError(f"espeak-ng produced no audio for {text[:60]!r}", where="espeak_Synth",
                                   fix=espeak.ESPEAK_FIX)
        return Speech(text, samples, sample_rate)

    def cached(self, text: str, rate: int | None = None) -> bool:
        """True when `text` at `rate` is already in the cache."""
        return (text, int(rate or self.rate), self.voice) in self._cache

    def forget(self) -> None:
        """Empty the cache (nothing a person heard stays in memory)."""
        with self._lock:
            self._cache.clear()

    def close(self) -> None:
        """Empty the cache (espeak-ng itself lives on, once per process)."""
        self.forget()
