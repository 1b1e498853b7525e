"""The session's ports: how it listens and how it speaks.

The session (voice/dialog/session.py) only talks to these two protocols. Text mode, scripted audio
(`--audio-in -`), the microphone, real speakers and `--audio-out DIR` are all implementations.
Tiny real implementations (a line reader, a transcript writer) live in voice/app/text_io.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

CONFIRM_BELOW = 0.55
"""Recognizer confidence below which an answer is checked with the person ("I heard 8. Is that
right?"): the default of `SessionSettings.confirm_below`, and what a recognizer must reach to end a
turn early."""


@dataclass(frozen=True)
class Expectation:
    """What the assistant listens for on one turn."""

    question: str
    """Question id being answered ("wake" while a kiosk is idle)."""
    kind: str
    """`yes_no`, `number`, `choice` or `wake`."""
    phrases: tuple[str, ...]
    """Every sentence that is understood on this turn (answers and commands), lower case."""
    guarded: tuple[str, ...] = ()
    """The sentences of the safer answer (a red-flag question's yes). When another sentence is
    heard but one of these also fits the audio well, the recognizer reports it unsure, so the
    session checks it: a red-flag yes must not be confidently heard as no."""
    held: tuple[str, ...] = ()
    """Sentences after which the turn ends only at a longer pause than the short one that ends a
    complete answer: the less safe answers of a red-flag question (its "no" and "not sure"), which a
    "but" may take back after a pause ("no, but my inner thighs are numb" was heard as "no" and
    taken), and the yes of an "any of these?" screen, which may name its sign after one ("yes, I had
    a baby four weeks ago" was heard as "yes")."""
    single_words: tuple[str, ...] = ()
    """One-word answers of a number question ("zero" ... "ten"). A recognizer that wrote one word
    it cannot place ("file") may choose the likeliest of these instead, never confidently (the
    session then asks "I heard five. Is that right?")."""
    prompt: tuple[str, ...] = ()
    """A few answers of this kind of question, written as a transcript writes them
    (grammar/prompts.yaml), that a recognizer may be primed with."""
    candidates: tuple[str, ...] = ()
    """The question's closed set of answers, written as a transcript writes them
    (grammar/closed_set.yaml), that a recognizer may score when its own transcript is not understood,
    and offer the likeliest as a guess to check (none on a check's turn and the idle kiosk's)."""
    checking: bool = False
    """True on a turn that checks what was heard ("I heard 8. Is that right?", the read-back): its
    reply must be heard, not guessed, so no second engine is asked there."""
    understood: Callable[[str], bool] | None = field(default=None, compare=False, repr=False)
    """Whether the grammar understands a transcript on this turn: a word it understands ("pardon",
    "collapsed") is never replaced by one of `single_words`."""
    meaning: Callable[[str], object] | None = field(default=None, compare=False, repr=False)
    """What a transcript means on this turn (an answer or a command; None: not understood): whether
    two engines heard the same answer, in other words."""


@dataclass(frozen=True)
class Utterance:
    """What the person said on one turn, as the listener heard it."""

    text: str | None
    """Recognized or typed words; None when nothing was said (a no-input)."""
    confidence: float | None = None
    """Recognizer confidence 0..1, None in text mode."""
    speech_end: float | None = None
    """time.monotonic() at the end of the person's speech, None in text mode."""
    second_heard: str | None = None
    """Set when the words were heard sure by the first recognizer, and are unsure (`confidence` below
    CONFIRM_BELOW) only because a second one did not hear the same answer: the second's words (""
    for none). A number both heard between the same thresholds is taken (voice/dialog/checks.py
    `same_advice_heard_twice`)."""


class Listener(Protocol):
    """Gets one answer from the person."""

    engine: str
    """Name for the `start` event: `text`, `pocketsphinx`, `vosk`, `whisper`."""

    def listen(self, expect: Expectation, on_speech: Callable[[], None] | None = None) -> Utterance:
        """Wait for one answer. Calls `on_speech` as soon as speech starts (barge-in).

        Raises EndOfInput when the input has ended, AudioDeviceError when a device is lost.
        """
        ...

    def close(self) -> None:
        """Release devices and models."""
        ...


class Speaker(Protocol):
    """Says things to the person."""

    def say(self, text: str) -> float | None:
        """Start saying `text`; return time.monotonic() of its first audio sample (None without audio).

        Returns once playback has started; `wait()` blocks until it has finished.
        """
        ...

    def wait(self) -> None:
        """Block until everything said so far has been played (or stopped)."""
        ...

    def stop(self) -> None:
        """Stop playback at once (barge-in)."""
        ...

    def adjust(self, command: str) -> bool:
        """Apply `slower`, `faster`, `louder` or `quieter` for the rest of the session.

        Returns False when already at the limit.
        """
        ...

    def cue(self, name: str) -> None:
        """Play a short tone: `listening`, `nomatch` or `emergency` (no-op where there is no audio)."""
        ...

    def close(self) -> None:
        """Release devices."""
        ...
