"""A second engine: a guess on the turns the first one could not place, and a second ear on answers
the first would have taken unchecked. Whisper, then PocketSphinx.

Whisper writes what was said; when it writes nothing it can stand by (a rejected transcript) or
words the turn's grammar does not understand ("you happy cheese" for a synthesized "yep it is"),
the answer would be asked again. PocketSphinx, given the same audio and the turn's sentences, picks
the sentence that fits best or none (its own phone-loop rejection). Its pick is taken only as a
guess to check with the person ("I heard ten. Is that right?"): it is never confident, so a wrong
one costs the person one "no", as asking again would have. A red-flag "no" it hears is kept only
on a clear yes to the check, as for any unsure answer.

Whisper may have made a guess of its own on such a turn, the likeliest of the question's closed set
of answers scored on the same encoding (`Hypothesis.guessed`, voice/speech/closed_set.py): it is not
what Whisper wrote, so the second engine is still asked, and its pick comes first; the closed set's
guess stands only where it picks nothing (the order measured better, docs/speech-measurements.md).

Not on a kiosk's wake turns (there, anything heard would start a session), not on the turns that
check what was heard (a guessed "yes" there would keep a wrong answer the check is for catching),
nor on audio in which the first engine's voice-activity gate found no speech.

Agreement: an answer Whisper would have taken without a check, but with a confidence below AGREE_ABOVE
or on a number question, is taken unchecked only if PocketSphinx, hearing the same audio against the
turn's sentences, heard the same answer (`Expectation.meaning`); otherwise it is kept and checked
(UNSURE_CONFIDENCE), with what the second heard (`second_heard`). Babble alone heard by Whisper as
"five" at 0.57 was taken as an age; a clean "fifteen" written "fifty" at 0.81 would have been. In
10 dB babble PocketSphinx missed most ages said clearly, mostly by another number with the same
advice, so the dialog takes a number both engines put between the same thresholds, unless another
reading of its words changes the advice (voice/dialog/checks.py). Not on the turns
that check what was heard (a reply there must be heard, and a second ear that disagrees would keep
asking).

Only picks that beat at least PocketSphinx's expensive phone loop are used: its FAINT picks were
right too rarely. The cost: on babble alone it turns more segments into a guess to check. Figures
before and after: README.md ("Whisper"), docs/speech-measurements.md and results/.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np

from voice.errors import ModelError
from voice.ports import CONFIRM_BELOW, Expectation

from .recognizers import UNSURE_CONFIDENCE, Hypothesis, Recognizer

_LOG = logging.getLogger(__name__)

SECOND_MIN_CONFIDENCE = UNSURE_CONFIDENCE
"""The second engine's pick is used only if it beat at least the expensive phone loop (PocketSphinx
UNSURE_CONFIDENCE); a pick that lost to both loops (FAINT) is no answer."""
GUESS_CONFIDENCE = UNSURE_CONFIDENCE
"""The confidence a second opinion is given: below the session's `confirm_below`, so it is checked."""
SKIP_KINDS = frozenset({"wake"})
"""Kinds of turn that get no second opinion."""
AGREE_ABOVE = 0.7
"""Whisper's confidence from which an answer to a question other than a number is taken unchecked
without PocketSphinx's agreement. Babble alone reached 0.57; clean answers mostly score over 0.75
(bench.babble_alone; docs/speech-measurements.md)."""
AGREE_KINDS = frozenset({"number"})
"""Kinds of question on which an answer is taken unchecked only when both engines heard it, however
confident the first: a misheard number ("fifty" for "fifteen") changes the advice."""


class SecondOpinionRecognizer:
    """`first` hears every turn; `second` decodes the same audio only when `first` gave nothing the
    turn understands, and its sentence is returned as a guess to be checked."""

    def __init__(self, first: Recognizer, second: Recognizer):
        self.first = first
        self.second = second
        self.engine = first.engine
        self.model = first.model
        self._expect: Expectation | None = None
        self._chunks: list[np.ndarray] = []
        self.consulted: dict = {}
        """The last turn: whether the second engine was asked, and what each heard (for tests and
        measurements; `last` is the first engine's own figures)."""

    def __getattr__(self, name: str):
        # Figures and settings of the first engine (`last`, `retry_beam`, ...) read through.
        if name in {"first", "second"}:
            raise AttributeError(name)
        return getattr(self.first, name)

    def prepare(self, expect: Expectation) -> None:
        self.first.prepare(expect)

    def start(self, expect: Expectation | None) -> None:
        self._expect = expect
        self._chunks = []
        self.first.start(expect)

    def feed(self, frame: np.ndarray) -> None:
        frame = np.asarray(frame, dtype=np.int16)
        if len(frame):
            self._chunks.append(frame)
        self.first.feed(frame)

    def speculate(self) -> None:
        self.first.speculate()

    def partial(self) -> str:
        return self.first.partial()

    def finish(self) -> Hypothesis:
        hyp = self.first.finish()
        self.consulted = {"asked": False}
        expect = self._expect
        if self._needs_agreement(hyp, expect):
            return self._agreed(hyp, expect)
        if not self._needs_second(hyp, expect):
            return hyp
        started = time.perf_counter()
        try:
            other = self.second.decode(self._pcm(), expect)
        except ModelError as err:  # none of the turn's sentences is in its dictionary
            _LOG.debug("no second opinion on %s: %s", expect.question, err.message)
            return hyp
        elapsed = hyp.decode_ms + (time.perf_counter() - started) * 1000
        self.consulted = {"asked": True, "first": hyp.text, "second": other.text,
                          "confidence": other.confidence}
        usable = (other.text and other.confidence >= SECOND_MIN_CONFIDENCE
                  and self._understood(other.text, expect))
        if not usable:  # Whisper's own guess from the question's closed set, if it made one
            return replace(hyp, decode_ms=elapsed)
        _LOG.debug("%s heard %r; %s heard %r: to be checked", self.first.engine, hyp.text,
                   self.second.engine, other.text)
        return Hypothesis(other.text, min(other.confidence, GUESS_CONFIDENCE), elapsed)

    def decode(self, pcm: np.ndarray, expect: Expectation | None) -> Hypothesis:
        self.start(expect)
        self.feed(np.asarray(pcm, dtype=np.int16))
        return self.finish()

    def _agreed(self, hyp: Hypothesis, expect: Expectation) -> Hypothesis:
        """`hyp` as it stands if the second engine heard the same answer, else kept to be checked."""
        started = time.perf_counter()
        try:
            other = self.second.decode(self._pcm(), expect)
        except ModelError as err:
            _LOG.debug("no second ear on %s: %s", expect.question, err.message)
            return hyp
        mine, theirs = expect.meaning(hyp.text), expect.meaning(other.text) if other.text else None
        agree = mine is not None and mine == theirs
        self.consulted = {"asked": True, "first": hyp.text, "second": other.text,
                          "confidence": other.confidence, "agree": agree}
        elapsed = hyp.decode_ms + (time.perf_counter() - started) * 1000
        if agree:
            return Hypothesis(hyp.text, hyp.confidence, elapsed, hyp.speech)
        _LOG.debug("%s heard %r, %s heard %r: to be checked", self.first.engine, hyp.text,
                   self.second.engine, other.text)
        return Hypothesis(hyp.text, min(hyp.confidence, GUESS_CONFIDENCE), elapsed, hyp.speech,
                          second_heard=other.text)

    def _needs_agreement(self, hyp: Hypothesis, expect: Expectation | None) -> bool:
        """An answer the first engine would have taken unchecked, on more evidence than its score alone."""
        if expect is None or expect.kind in SKIP_KINDS or expect.checking or expect.meaning is None:
            return False
        if not hyp.text or hyp.confidence < CONFIRM_BELOW or not self._chunks:
            return False
        doubtful = hyp.confidence < AGREE_ABOVE or expect.kind in AGREE_KINDS
        return doubtful and expect.meaning(hyp.text) is not None

    def _pcm(self) -> np.ndarray:
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    def _needs_second(self, hyp: Hypothesis, expect: Expectation | None) -> bool:
        if expect is None or expect.kind in SKIP_KINDS or expect.checking:
            return False
        if not self._chunks or not hyp.speech:
            return False
        return not hyp.text or hyp.guessed or not self._understood(hyp.text, expect)

    @staticmethod
    def _understood(text: str, expect: Expectation) -> bool:
        if text in expect.phrases:
            return True
        return expect.understood(text) if expect.understood is not None else False

    def forget(self) -> None:
        self._chunks = []
        self.consulted = {}
        for engine in (self.first, self.second):
            forget = getattr(engine, "forget", None)
            if callable(forget):
                forget()

    def close(self) -> None:
        try:
            self.first.close()
        finally:
            self.second.close()


__all__ = ["SecondOpinionRecognizer"]
