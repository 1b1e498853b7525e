"""espeak-ng driven synchronously through its C library: a sentence in, its samples out.

espeak-ng keeps one synthesizer per process. It is started once, in AUDIO_OUTPUT_SYNCHRONOUS
mode: `espeak_Synth` synthesizes on the calling thread and returns when the sentence is done,
handing each buffer of samples to our callback on that same thread. espeak-ng runs no thread of
its own, and one lock serializes every call into it, so nothing can race. (pyttsx3's driver uses
the asynchronous AUDIO_OUTPUT_RETRIEVAL mode, whose synthesis thread raced pyttsx3's loop and
crashed the process with SIGSEGV inside `espeak_Synth`; only pyttsx3's ctypes binding of
speak_lib.h, `pyttsx3.drivers._espeak`, is used here, never its driver.)

The voice and the rate are set before a sentence whenever they differ from the last ones set, so
callers with different settings (several Synthesizers, several threads) each get their own.
"""

from __future__ import annotations

import ctypes
import logging
import threading

import numpy as np

from voice.errors import AudioDeviceError

_LOG = logging.getLogger(__name__)

ESPEAK_FIX = "install espeak-ng: sudo apt-get install espeak-ng (or run with --text)"
DEFAULT_VOICE = "en"
"""The voice when none is chosen: the espeak-ng command's own default (ESPEAKNG_DEFAULT_VOICE)."""
BUFFER_MS = 200
"""Length of the sample buffers espeak-ng hands to the callback (one sentence is a few of them)."""
_DONT_EXIT = 0x8000
"""espeakINITIALIZE_DONT_EXIT: without it espeak_Initialize ends the process when its data is missing."""

_LOCK = threading.Lock()
_engine: _Engine | None = None


class _Engine:
    """The process's espeak-ng, started in synchronous mode; use only with _LOCK held."""

    def __init__(self, binding, sample_rate: int):
        self.binding = binding
        self.sample_rate = sample_rate
        self.voice: str | None = None
        self.rate: int | None = None
        self._chunks: list[bytes] = []
        binding.SetSynthCallback(self._collect)  # the binding keeps the ctypes callback alive

    def _collect(self, wav, numsamples, events) -> int:
        """espeak-ng's SynthCallback: runs inside Synth on the calling thread; 0 = go on."""
        if numsamples > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, numsamples * 2))
        return 0

    def select(self, voice: str | None, rate: int | None = None) -> None:
        """Use `voice` (None: the default) and `rate` (None: as it is) for the sentences that follow."""
        b = self.binding
        wanted = voice or DEFAULT_VOICE
        if wanted != self.voice:
            self.voice = None  # unknown until espeak-ng has taken the new one
            try:
                status = b.SetVoiceByName(wanted.encode("utf-8"))
            except ctypes.ArgumentError:
                status = b.EE_INTERNAL_ERROR
            if status != b.EE_OK and voice is None:
                raise AudioDeviceError(f"espeak-ng could not be started for speech output (no voice "
                                       f"{DEFAULT_VOICE!r}: its data is missing)", where="espeak-ng-data",
                                       fix=ESPEAK_FIX)
            if status != b.EE_OK:
                raise AudioDeviceError(f"unknown espeak-ng voice {voice!r}", where="--voice",
                                       fix="list voices with: espeak-ng --voices=en (e.g. gmw/en-US)")
            self.voice = wanted
            self.rate = None  # a voice file can carry its own speed: set the rate again
        if rate is not None and rate != self.rate:
            if b.SetParameter(b.RATE, int(rate), 0) != b.EE_OK:
                raise AudioDeviceError(f"espeak-ng refused the speech rate {rate}", where="--rate",
                                       fix="use a rate between 80 and 450 words per minute")
            self.rate = rate

    def synthesize(self, text: str) -> np.ndarray:
        b = self.binding
        self._chunks = []
        status = b.Synth(text.encode("utf-8", errors="replace"), flags=b.ENDPAUSE | b.CHARS_UTF8)
        data, self._chunks = b"".join(self._chunks), []
        if status != b.EE_OK:
            raise AudioDeviceError(f"espeak-ng could not say {text[:60]!r} (error {status})",
                                   where="espeak_Synth", fix=ESPEAK_FIX)
        return np.frombuffer(data, dtype="<i2").astype(np.int16)


def _start() -> _Engine:
    global _engine  # noqa: PLW0603 - espeak-ng itself is one per process
    if _engine is not None:
        return _engine
    try:
        import pyttsx3  # noqa: F401 - only to tell a missing pyttsx3 from a missing espeak-ng
    except ImportError as exc:
        raise AudioDeviceError("the text-to-speech library pyttsx3 is not installed",
                               fix="pip install pyttsx3 (and sudo apt-get install espeak-ng)") from exc
    try:
        from pyttsx3.drivers import _espeak as binding
    except (OSError, RuntimeError, ImportError, AttributeError) as exc:
        raise AudioDeviceError(f"espeak-ng could not be started for speech output ({exc})",
                               where="libespeak-ng", fix=ESPEAK_FIX) from exc
    rate = binding.Initialize(binding.AUDIO_OUTPUT_SYNCHRONOUS, BUFFER_MS, None, _DONT_EXIT)
    if rate <= 0:
        raise AudioDeviceError("espeak-ng could not be started for speech output (espeak_Initialize "
                               f"returned {rate})", where="libespeak-ng", fix=ESPEAK_FIX)
    _engine = _Engine(binding, rate)
    _LOG.debug("espeak-ng started in synchronous mode at %d Hz", rate)
    return _engine


def start(voice: str | None = None) -> int:
    """Start espeak-ng (once per process) and check `voice`; returns its sample rate in Hz.

    Raises AudioDeviceError with a fix when pyttsx3 or espeak-ng is missing or the voice unknown.
    """
    with _LOCK:
        engine = _start()
        engine.select(voice)
        return engine.sample_rate


def speak(text: str, rate: int, voice: str | None = None) -> tuple[np.ndarray, int]:
    """`text` spoken by `voice` (None: espeak-ng's default) at `rate` words per minute: int16 mono
    samples and their sample rate. Thread-safe: one sentence at a time per process."""
    with _LOCK:
        engine = _start()
        engine.select(voice, rate)
        return engine.synthesize(text), engine.sample_rate
