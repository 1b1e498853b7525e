"""The spoken Listener: an audio source, noise suppression, the endpointer and a recognizer.

`build_listener` is what the command line calls. `python -m voice.speech.listening --measure`
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
from voice.ports import CONFIRM_BELOW as CHECKED_BELOW  # for measure(), which leaves the package
from voice.ports import Expectation, Utterance

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
        allowed = frozenset(expect.phrases) if expect is not None else frozenset()
        limit_frames = int(self.noinput_timeout * 100)
        max_frames = int(self.max_utterance * 100)
        speech_end: float | None = None
        early = False
        started = False
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
                if ep.paused_early and allowed and self.recognizer.partial() in allowed:
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
        return Utterance(hyp.text, round(hyp.confidence, 3), speech_end)

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
    from .models import find_english_model, is_model_dir, require_english_model
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
    from .models import find_english_model

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


# --------------------------------------------------------------------------- measurement

IN_GRAMMAR = (
    ("yes_no", "yes"), ("yes_no", "no"), ("yes_no", "not sure"), ("yes_no", "yeah it does"),
    ("yes_no", "no i don't"), ("yes_no", "i don't know"), ("yes_no", "nope"), ("yes_no", "i think so"),
    ("number", "sixty seven"), ("number", "i'm forty two"), ("pain", "seven out of ten"), ("pain", "about five"),
    ("duration", "about three weeks"), ("duration", "two days"), ("duration", "six months"),
    ("yes_no", "say that again"), ("yes_no", "slower"), ("yes_no", "i need help now"), ("yes_no", "go back"),
)
OUT_OF_GRAMMAR = (
    ("yes_no", "the weather is lovely today"), ("yes_no", "banana"), ("number", "my dog likes to run"),
    ("yes_no", "can you call my sister"), ("duration", "where is the bathroom"),
    ("pain", "i had toast for breakfast"), ("yes_no", "hello there"), ("number", "what time is it"),
)
QUESTIONS = {"yes_no": "ces_screen", "number": "age", "pain": "pain_score", "duration": "duration"}


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def measure(voices: int = 6, snrs: tuple = (None, 10.0)) -> None:
    """Print recognition figures for PocketSphinx on synthesized answers (see module docstring)."""
    from statistics import median

    from voice.triage.loader import load_content
    from voice.understanding import Grammar

    from . import testaudio as ta
    from .scripted import ScriptedAudioSource

    t0 = time.perf_counter()
    rec = PocketSphinxRecognizer()
    load_s = time.perf_counter() - t0
    grammar = Grammar.load()
    content = load_content()
    qs = {k: content.questions[v] for k, v in QUESTIONS.items()}
    t0 = time.perf_counter()
    for q in content.questions.values():
        rec.prepare(grammar.expectation(q))
    all_s = time.perf_counter() - t0
    print(f"PocketSphinx load {load_s * 1000:.0f} ms; all {len(content.questions)} question grammars compiled "
          f"in {all_s * 1000:.0f} ms; largest ({max(rec.compile_ms, key=rec.compile_ms.get)}) "
          f"{max(rec.compile_ms.values()):.0f} ms; RSS {_rss_mb():.0f} MB")
    chosen = ta.VOICES[:voices]
    import io
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="measure-"))
    for snr in snrs:
        right = confirmed = rejected = wrong_conf = 0
        decode: list[float] = []
        latency: list[float] = []
        total = 0
        for i, v in enumerate(chosen):
            for kind, text in IN_GRAMMAR:
                q = qs[kind]
                path = ta.answer_file(tmp, text, v, snr, seed=i)
                src = ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True)
                lis = AudioListener(src, rec)
                utt = lis.listen(grammar.expectation(q))
                end_t = time.monotonic()
                total += 1
                if utt.speech_end is not None:
                    # In real time the frames read after the last speech frame take 10 ms each.
                    after = lis.last_turn["frames"] - 1 - lis.last_turn["last_speech_frame"]
                    latency.append((end_t - utt.speech_end) * 1000 + after * 10)
                if lis.last_turn["decode_ms"] is not None:
                    decode.append(lis.last_turn["decode_ms"])
                want = grammar.understand(text, q)
                got = grammar.understand(utt.text, q) if utt.text else None
                if got is None:
                    rejected += 1
                elif got == want:
                    if (utt.confidence or 0) >= CHECKED_BELOW:
                        right += 1
                    else:
                        confirmed += 1
                elif (utt.confidence or 0) >= CHECKED_BELOW:
                    wrong_conf += 1
        fa = fa_low = 0
        n_oog = 0
        for i, v in enumerate(chosen):
            for kind, text in OUT_OF_GRAMMAR:
                path = ta.answer_file(tmp, text, v, snr, seed=i)
                lis = AudioListener(ScriptedAudioSource(io.StringIO(f"{path}\n"), fast=True), rec)
                utt = lis.listen(grammar.expectation(qs[kind]))
                n_oog += 1
                if utt.text and (utt.confidence or 0) >= CHECKED_BELOW:
                    fa += 1
                elif utt.text:
                    fa_low += 1
        label = "clean" if snr is None else f"babble {snr:g} dB"
        print(f"{label}: {total} answers ({len(chosen)} voices): understood {right} ({100 * right / total:.1f}%), "
              f"understood after confirming {confirmed}, rejected {rejected}, wrong and confident {wrong_conf}; "
              f"understood incl. confirmation {100 * (right + confirmed) / total:.1f}%")
        print(f"  out-of-grammar: {n_oog} sentences, accepted confidently {fa} ({100 * fa / n_oog:.1f}%), "
              f"sent to confirmation {fa_low}, rejected {n_oog - fa - fa_low}")
        if decode:
            print(f"  decode after end of speech: median {median(decode):.0f} ms, max {max(decode):.0f} ms; "
                  f"end of speech -> result (hangover in audio time + processing) median {median(latency):.0f} ms")
    print(f"RSS at the end {_rss_mb():.0f} MB")


if __name__ == "__main__":  # pragma: no cover - a measuring tool
    import argparse

    parser = argparse.ArgumentParser(description="Measure the listening side on synthesized answers.")
    parser.add_argument("--measure", action="store_true", help="print recognition figures")
    parser.add_argument("--voices", type=int, default=6)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    measure(args.voices)
    os._exit(0)
