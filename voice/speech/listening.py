"""The spoken Listener: an audio source, noise suppression, the endpointer and a recognizer.

`build_listener` is what the command line calls. `python -m bench.listening` (in the checkout)
prints the recognition figures (accuracy clean and in babble, false accepts, timings, memory).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation, Utterance

from .audio import FRAMES_PER_SECOND
from .endpoint import Endpointer, NoiseSuppressor, State
from .pocketsphinx import PocketSphinxRecognizer
from .recognizers import Recognizer
from .vosk import VoskRecognizer

_LOG = logging.getLogger(__name__)

NOINPUT_TIMEOUT = 10.0
"""Seconds of no speech before a no-input (generous: people in pain are slow)."""
MAX_UTTERANCE = 10.0
"""Longest answer in seconds; longer speech is cut there and recognized."""
ENGINES = ("auto", "whisper", "vosk", "pocketsphinx")


class AudioSource(Protocol):
    """Where frames come from (ScriptedAudioSource, MicrophoneSource)."""

    def begin_turn(self, keep_recent: bool = False) -> None: ...
    def read(self) -> np.ndarray | None: ...
    def forget(self) -> None: ...
    def close(self) -> None: ...


class AudioListener:
    """Listens for one answer per call: endpointing on 10 ms frames, then recognition."""

    def __init__(self, source: AudioSource, recognizer: Recognizer,
                 noinput_timeout: float | None = NOINPUT_TIMEOUT, max_utterance: float = MAX_UTTERANCE,
                 endpointer: Endpointer | None = None, suppress_noise: bool = True,
                 keep_recent: bool = False):
        self.source = source
        self.recognizer = recognizer
        self.engine = recognizer.engine
        self.model = recognizer.model
        self.notice: str | None = getattr(recognizer, "notice", None)
        """Why `--engine auto` fell back to a less accurate engine (None when it did not)."""
        self.noinput_timeout = NOINPUT_TIMEOUT if noinput_timeout is None else noinput_timeout
        self.max_utterance = max_utterance
        self.endpointer = endpointer or Endpointer()
        self.suppressor = NoiseSuppressor() if suppress_noise else NoiseSuppressor(0)
        self.keep_recent = keep_recent
        self.last_turn: dict = {}
        """Facts about the last turn: start/end frame, frames read, decode_ms (for tests and benchmarks)."""

    def listen(self, expect: Expectation, on_speech: Callable[[], None] | None = None) -> Utterance:
        """Wait for one answer. Text "" is a no-match, None a no-input."""
        self.source.begin_turn(keep_recent=self.keep_recent)
        ep = self.endpointer
        ep.reset(remeasure=not self.keep_recent)
        # A complete sentence ends the turn at the short pause; one that may be taken back ("no, but
        # ...") at a longer one.
        held = frozenset(expect.held) if expect is not None else frozenset()
        allowed = frozenset(expect.phrases) - held if expect is not None else frozenset()
        limit_frames = int(self.noinput_timeout * FRAMES_PER_SECOND)
        max_frames = int(self.max_utterance * FRAMES_PER_SECOND)
        speech_end: float | None = None
        early = False
        started = False
        said: str | None = None
        while True:
            frame = self.source.read()
            now = time.monotonic()
            if frame is None:
                ep.end()
                break
            frame = self.suppressor(frame)
            out = ep.push(frame)
            if out and not started:
                started = True
                self.recognizer.start(expect)
                if on_speech is not None:
                    on_speech()
            for f in out:
                self.recognizer.feed(f)
            if ep.state is State.SPEECH or ep.state is State.ENDED:
                if ep.last_speech_frame == ep.frames_seen - 1:
                    speech_end = now
            if ep.state is State.ENDED:
                break
            if ep.state is State.WAITING and ep.frames_seen >= limit_frames:
                break
            if ep.state is State.SPEECH:
                if ep.pause_began:
                    self.recognizer.speculate()
                if ep.paused_early and (allowed or held):
                    said = self.recognizer.partial()  # this pause's transcript, also at the longer one
                if (ep.paused_early and said in allowed) or (ep.paused_held and said in held):
                    early = True
                    ep.end()
                    break
                if ep.speech_frames >= max_frames:
                    ep.end()
                    break
        self.last_turn = {"start_frame": ep.start_frame, "last_speech_frame": ep.last_speech_frame,
                          "frames": ep.frames_seen, "early": early, "decode_ms": None}
        if not started:
            return Utterance(None)
        hyp = self.recognizer.finish()
        self.last_turn["decode_ms"] = hyp.decode_ms
        _LOG.debug("heard %r (confidence %.2f, decode %.0f ms, early end %s)", hyp.text, hyp.confidence,
                   hyp.decode_ms, early)
        return Utterance(hyp.text, round(hyp.confidence, 3), speech_end, hyp.second_heard)

    def forget(self) -> None:
        """Drop buffered audio (kiosk privacy between people): the source's and the recognizer's."""
        self.source.forget()
        forget = getattr(self.recognizer, "forget", None)
        if callable(forget):
            forget()

    def close(self) -> None:
        """Release the audio source and the recognizer."""
        try:
            self.source.close()
        finally:
            self.recognizer.close()


@dataclass(frozen=True)
class EngineChoice:
    """Which recognizer `--engine` and `--model` come to, and why."""

    engine: str
    """`whisper`, `vosk` or `pocketsphinx`."""
    model: Path | None
    notice: str | None = None
    """Said to the person when `auto` had to fall back (no model found, or one did not load)."""


def choose_engine(engine: str = "auto", model: str | None = None) -> EngineChoice:
    """The engine for `--engine` / `--model` (see make_recognizer); raises ModelError when an
    explicitly asked engine or model is not there."""
    from .vosk_models import find_english_model, is_model_dir, require_english_model
    from .whisper_models import WHISPER_FIX, find_whisper_model, is_whisper_dir, require_whisper_model

    if engine not in ENGINES:
        raise ModelError(f"unknown speech engine {engine!r}", fix=f"use one of: {', '.join(ENGINES)}")
    if engine == "pocketsphinx":
        return EngineChoice("pocketsphinx", None)
    if engine == "whisper":
        return EngineChoice("whisper", require_whisper_model(model))
    if engine == "vosk":  # VOSK_MODEL_PATH names the model as --model does (it may be any language)
        return EngineChoice("vosk", require_english_model(model or os.environ.get("VOSK_MODEL_PATH")))
    if model:  # auto with an explicit model: whichever engine the folder is for
        path = Path(model).expanduser()
        if is_whisper_dir(path):
            return EngineChoice("whisper", path)
        if is_model_dir(path) or path.is_dir() and find_english_model(path) == path:
            return EngineChoice("vosk", require_english_model(model))
        raise ModelError("neither a Whisper model (model.bin) nor a Vosk model (am/, conf/) in this folder",
                         where=str(path), fix=WHISPER_FIX)
    path = find_whisper_model(None)
    if path is not None:
        return EngineChoice("whisper", path)
    vosk = find_english_model(None)
    if vosk is not None:
        return EngineChoice("vosk", vosk, "No Whisper model found: listening with Vosk. " + WHISPER_FIX)
    return EngineChoice("pocketsphinx", None, "No Whisper model found: listening with PocketSphinx, which "
                        "understands less, above all in noise. To fix it, " + WHISPER_FIX)


def make_recognizer(engine: str = "auto", model: str | None = None) -> Recognizer:
    """The recognizer for `--engine`.

    `auto` takes the most accurate engine whose model is present: Whisper (tiny.en), then Vosk with
    an English model, then PocketSphinx (built in); a model that is found but does not load falls
    back to the next one. `whisper`, `vosk` or an explicit `model` that cannot load is a ModelError.
    The recognizer's `notice` says why `auto` fell back (None when it did not).
    """
    choice = choose_engine(engine, model)
    explicit = engine != "auto" or bool(model)
    notice = choice.notice
    recognizer: Recognizer | None = None
    if choice.engine == "whisper":
        try:
            from .whisper import WhisperRecognizer

            recognizer = with_second_opinion(WhisperRecognizer(choice.model))
        except ModelError as err:
            if explicit:
                raise
            _LOG.info("Whisper model at %s not usable: %s", choice.model, err.message)
            notice = f"The Whisper model could not be loaded ({err.message}): listening with PocketSphinx."
            vosk = _auto_vosk()
            if vosk is not None:
                recognizer, notice = vosk, notice.replace("PocketSphinx", "Vosk")
    elif choice.engine == "vosk":
        try:
            recognizer = VoskRecognizer(choice.model)
        except ModelError as err:
            if explicit:
                raise
            notice = f"The Vosk model could not be loaded ({err.message}): listening with PocketSphinx."
    if recognizer is None:
        recognizer = PocketSphinxRecognizer()
    recognizer.notice = notice
    return recognizer


def with_second_opinion(first: Recognizer) -> Recognizer:
    """`first` (Whisper) with PocketSphinx for the turns it cannot place (see second_opinion.py);
    `first` alone if PocketSphinx does not load."""
    from .second_opinion import SecondOpinionRecognizer

    try:
        second = PocketSphinxRecognizer()
    except ModelError as err:
        _LOG.info("no second opinion: %s", err.message)
        return first
    return SecondOpinionRecognizer(first, second)


def _auto_vosk() -> Recognizer | None:
    from .vosk_models import find_english_model

    path = find_english_model(None)
    if path is None:
        return None
    try:
        return VoskRecognizer(path)
    except ModelError:
        return None


def build_listener(engine: str = "auto", model: str | None = None, audio_in: TextIO | None = None,
                   fast: bool = False, input_device: str | int | None = None,
                   noinput_timeout: float | None = None) -> AudioListener:
    """The Listener for the command line: scripted audio from `audio_in`, else the microphone.

    Raises ModelError (no model, unknown engine) or AudioDeviceError (no microphone).
    """
    recognizer = make_recognizer(engine, model)
    if audio_in is not None:
        from .scripted import ScriptedAudioSource

        source: AudioSource = ScriptedAudioSource(audio_in, fast=fast)
    else:
        try:
            from .microphone import MicrophoneSource

            source = MicrophoneSource(input_device=input_device)
        except BaseException:
            recognizer.close()
            raise
    return AudioListener(source, recognizer, noinput_timeout=noinput_timeout)


def describe_models() -> str:
    """What was searched, what was found, and how to get a model (for `voice-triage models list`)."""
    from .vosk_models import FIX, find_models
    from .whisper_models import WHISPER_FIX, find_whisper_model, whisper_search

    found, searched = find_models(os.environ.get("VOSK_MODEL_PATH"))
    whisper = find_whisper_model(None)
    lines = [f"Whisper: {whisper} (used by --engine auto)" if whisper else
             f"Whisper: no model found; searched: {', '.join(str(p) for p, _ in whisper_search())}. "
             f"To get it: {WHISPER_FIX}",
             "PocketSphinx: built in (US English, inside the pocketsphinx wheel), used when no Whisper or "
             "Vosk model is found.",
             "Vosk models searched in:"]
    lines += [f"  {s}" for s in searched]
    if found:
        lines.append("Found:")
        lines += [f"  {f.path}  ({'English' if f.english else 'not English'})" for f in found]
    else:
        lines.append("Found: none")
    if not any(f.english for f in found):
        lines.append(f"To get one: {FIX}")
    return "\n".join(lines)
