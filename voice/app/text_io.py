"""Tiny real implementations of the ports for text mode: a line reader and a transcript writer."""

from __future__ import annotations

import io
import sys
import unicodedata
from collections.abc import Callable
from typing import TextIO

from ..errors import EndOfInput
from ..ports import Expectation, Utterance
from ..speech.rate_volume import SpeechSettings

GARBLED = "\ufffd"
"""Stands for each byte that was not UTF-8 and each control character in a typed line."""


def decoded_stdin() -> TextIO:
    """Standard input as UTF-8 whatever the locale, bytes that are not UTF-8 read as U+FFFD."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text (a test harness, an embedding program)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace", line_buffering=True)


def clean_line(line: str) -> str:
    """A typed line as safe text: tabs are spaces, every other control or format character (and
    any undecoded byte) is U+FFFD, so that garbage stays visible as garbage in `heard` and is never
    understood as an answer (Grammar.understand refuses text holding U+FFFD)."""
    line = line.strip().replace("\t", " ")
    return "".join(GARBLED if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") else c for c in line)


class TextListener:
    """Reads one typed answer per line; an empty line is a no-input, EOF ends the session."""

    engine = "text"
    model = None

    def __init__(self, stream: TextIO, prompt_stream: TextIO | None = None, prompt: str = "> "):
        self.stream = stream
        self.prompt_stream = prompt_stream
        self.prompt = prompt

    def listen(self, expect: Expectation, on_speech: Callable[[], None] | None = None) -> Utterance:
        if self.prompt_stream is not None:
            self.prompt_stream.write(self.prompt)
            self.prompt_stream.flush()
        line = self.stream.readline()
        if not line:
            raise EndOfInput()
        text = clean_line(line)
        return Utterance(text or None)

    def close(self) -> None:
        """Nothing to release."""


class TranscriptSpeaker:
    """Writes what would be spoken as lines of text (or nowhere when `stream` is None).

    Text has no rate or volume, but `slower`, `faster`, `louder` and `quieter` are taken and refused
    at the limits a voice with the same `rate` and `volume` settings has (speech/rate_volume.py)."""

    def __init__(self, stream: TextIO | None, prefix: str = "", rate: int | None = None,
                 volume: float | None = None):
        self.stream = stream
        self.prefix = prefix
        self.settings = SpeechSettings(rate, volume)

    @property
    def rate_steps(self) -> int:
        return self.settings.rate_steps

    @property
    def volume_steps(self) -> int:
        return self.settings.volume_steps

    def say(self, text: str) -> float | None:
        if self.stream is not None:
            self.stream.write(f"{self.prefix}{text}\n")
            self.stream.flush()
        return None

    def wait(self) -> None:
        """Text is written at once."""

    def stop(self) -> None:
        """Text cannot be interrupted."""

    def adjust(self, command: str) -> bool:
        return self.settings.adjust(command)

    def cue(self, name: str) -> None:
        """No tones in text."""

    def close(self) -> None:
        """Nothing to release."""


class ScriptedListener:
    """Answers from a list of typed texts (None is a silent turn); EOF when the list runs out.

    An item may also be (text, confidence): speech heard that sure, as a recognizer reports it; or
    an Utterance, as a recognizer returns it.

    Or, with `answer`, from a function of the expectation: how tests and simulations talk.
    """

    engine = "text"
    model = None

    def __init__(self, lines: list[str | None | tuple[str, float] | Utterance] | None = None,
                 answer: Callable[[Expectation], str | None] | None = None):
        self.lines = list(lines or [])
        self.answer = answer
        self.heard: list[Expectation] = []

    def listen(self, expect: Expectation, on_speech: Callable[[], None] | None = None) -> Utterance:
        self.heard.append(expect)
        if self.answer is not None:
            return Utterance(self.answer(expect))
        if not self.lines:
            raise EndOfInput()
        line = self.lines.pop(0)
        if isinstance(line, Utterance):
            return line
        if isinstance(line, tuple):
            return Utterance(line[0], line[1])
        return Utterance(line)

    def forget(self) -> None:
        """Drop the record of what this person was asked (the kiosk calls this between people)."""
        self.heard.clear()

    def close(self) -> None:
        """Nothing to release."""
